/**
 * `--format html`: one self-contained page for all files, so the sessions shown are kept and the
 * page is written at the end (the envelope's `end`).
 */
import type { FileReport } from "../../analyze.js";
import type { JudgedSession } from "../../rules/engine.js";
import type { Finding } from "../../rules/types.js";
import type { FileReporter, Format } from "../reporter.js";
import { htmlReport } from "./index.js";

interface Kept { s: JudgedSession; fs: Finding[] }

export function htmlFormat(): Format {
  const reports: FileReport[] = [];
  return {
    name: "html",
    deferProblems: true,
    file(): FileReporter<Kept> {
      const sessions: JudgedSession[] = [];
      const findings: Finding[] = [];
      return {
        prepare: (s, fs) => ({ s, fs }),
        session({ s, fs }, index) {
          s.index = index;
          for (const f of fs) f.session = index;
          sessions.push(s);
          for (const f of fs) findings.push(f);
        },
        omit() {},
        endFile(sum) {
          const { sessionCount: _n, ...rest } = sum;
          reports.push({ ...rest, sessions, findings });
        },
      };
    },
    envelope: (write, ctx) => ({
      begin() {},
      piece: (_n, t) => write(t),
      end: () => write(htmlReport(reports, { showSecrets: ctx.showSecrets })),
    }),
  };
}
