/**
 * `--format junit`: JUnit XML as Jenkins (junit plugin) and GitLab (artifacts:reports:junit)
 * read it. One `<testcase>` per capture file: `classname` is the file's folder (dots for
 * slashes, as a package), `name` its file name. A file whose findings reach `--fail-on` has a
 * `<failure>` listing them (severity, rule, tcp.stream, frames, message); a file that could not be
 * read (entirely or from some byte before its end) an `<error>`; a readable file without SMTP is
 * `<skipped>`. The totals stand on `<testsuites>` and the one `<testsuite>`, so the document is
 * written at the end (the test cases are a few hundred bytes per file).
 */
import { basename, dirname, normalize } from "node:path";
import { SEVERITY_RANK, type Finding } from "../rules/types.js";
import { escapeControls } from "../text/escape.js";
import { reaches, type Counts, type FailOn, type FileOutcome, type FileReporter, type Format } from "./reporter.js";
import { TOOL } from "./tool.js";

/** Text made safe for an XML 1.0 attribute or element (no control characters, no lone surrogates). */
export function xmlText(s: string): string {
  return escapeControls(s)
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g, "?")
    .replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&apos;"));
}

const MIN_RANK: Record<Exclude<FailOn, "never">, number> = { info: 1, warning: 2, error: 3 };

/** Whether a file's test case fails, errs or is skipped: the same decision for the case and the totals. */
function outcomeOf(o: { counts: Counts; unreadable: boolean; sessions: number }, failOn: FailOn) {
  return { failed: reaches(o.counts, failOn), error: o.unreadable, skipped: !o.unreadable && o.sessions === 0 };
}

/** The folder of a capture as a JUnit class name: `captures/lab` → `captures.lab`; a file in the current folder → `smtpcap`. */
export function junitClassName(file: string): string {
  const d = normalize(dirname(file)).replace(/\\/g, "/").replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  return d === "." || d === "" ? "smtpcap" : d.replace(/^\/+/, "").replace(/\//g, ".");
}

export const junitFormat = (): Format => ({
  name: "junit",
  file(file, _n, write, ctx): FileReporter<string[]> {
    const failOn = ctx.failOn;
    const lines: string[] = [];
    return {
      // the findings that reach --fail-on, one line each
      prepare(s, fs: Finding[]) {
        const out: string[] = [];
        if (failOn === "never") return out;
        for (const f of fs) {
          if (SEVERITY_RANK[f.severity] < MIN_RANK[failOn]) continue;
          out.push(`${f.severity} ${f.rule} (tcp.stream ${s.tcpStream}, frame${f.frames.length === 1 ? "" : "s"} ${f.frames.join(",") || "-"}): ${f.message.replace(/\s+/g, " ")}`);
        }
        return out;
      },
      session(p) {
        for (const l of p) lines.push(l);
      },
      omit() {},
      endFile(sum, counts) {
        const unreadable = sum.problems.some((p) => p.level === "error");
        const o = outcomeOf({ counts, unreadable, sessions: sum.sessionCount }, failOn);
        let body = "";
        if (o.error) {
          const e = sum.problems.find((p) => p.level === "error")!;
          const at = sum.format !== "unknown" ? `byte ${e.offset}: ` : "";
          body += `<error message="${xmlText(at + e.message)}" type="unreadable"/>`;
        }
        if (o.failed) {
          const n = lines.length;
          body += `<failure message="${xmlText(`${n} finding${n === 1 ? "" : "s"} reach --fail-on ${failOn}`)}" type="${failOn}">${lines.map(xmlText).join("\n")}</failure>`;
        }
        if (o.skipped) body = `<skipped message="${xmlText(`no SMTP: ${sum.diagnosis ?? "the capture holds no packets"}`)}"/>` + body;
        const head = `<testcase classname="${xmlText(junitClassName(file))}" name="${xmlText(basename(file))}" file="${xmlText(file)}"`;
        write(body === "" ? `    ${head}/>\n` : `    ${head}>${body}</testcase>\n`);
      },
    };
  },
  envelope(write, ctx) {
    const pieces: string[] = [];
    return {
      begin() {},
      piece: (_n, t) => pieces.push(t),
      end(files: FileOutcome[]) {
        let failures = 0;
        let errors = 0;
        let skipped = 0;
        for (const f of files) {
          const o = outcomeOf(f, ctx.failOn);
          if (o.failed) failures++;
          if (o.error) errors++;
          if (o.skipped) skipped++;
        }
        const totals = `tests="${files.length}" failures="${failures}" errors="${errors}" skipped="${skipped}"`;
        write(`<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="smtpcap" ${totals}>\n  <testsuite name="smtpcap ${xmlText(TOOL.version)}" ${totals}>\n`);
        for (const p of pieces) write(p);
        write("  </testsuite>\n</testsuites>\n");
      },
    };
  },
});
