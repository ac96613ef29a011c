import type { JudgedSession } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import { escapeControls, escapeText } from "../text/escape.js";
import { plainEnvelope, type FileReporter, type Format } from "./reporter.js";

/**
 * `--format compact`: one line per finding, for CI logs and editors (ESLint's compact style):
 * `FILE:FRAME: SEVERITY RULE (side) message [filter]`. FRAME is the finding's first frame.
 */
export function compactLine(file: string, f: Finding): string {
  const times = f.count !== undefined && f.count > 1 ? ` (×${f.count})` : "";
  const follows = f.consequenceOf ? ` (follows from ${f.consequenceOf.rule})` : "";
  const msg = escapeControls(f.message).replace(/\s+/g, " ");
  return `${escapeText(file)}:${f.frames[0] ?? 0}: ${f.severity} ${f.rule} (${f.side}) ${msg}${times}${follows} [${f.filter}]\n`;
}

/** A session's compact lines but its index (which only the `note` line names). */
interface PreparedCompact { before: string; after: string | null }

function prepareCompact(file: string, s: JudgedSession, findings: Finding[]): PreparedCompact {
  let before = "";
  for (const f of findings) before += compactLine(file, f);
  if (s.verdict.fault !== "undetermined") return { before, after: null };
  const why = escapeControls(s.verdict.summary).replace(/\s+/g, " ");
  before += `${escapeText(file)}:${s.firstFrame}: note undetermined (session `;
  return { before, after: `, tcp.stream ${s.tcpStream}) ${why} [tcp.stream eq ${s.tcpStream}]\n` };
}

/**
 * The compact lines of one session: its findings, and when the verdict is "undetermined" one
 * `note` line saying so (a session that cannot be judged must not read as clean).
 */
export function compactSession(file: string, s: JudgedSession, findings: Finding[]): string {
  const p = prepareCompact(file, s, findings);
  return p.after === null ? p.before : p.before + s.index + p.after;
}

/**
 * The line of a readable file in which no SMTP session was found (a file without SMTP must not
 * read as a clean one): `FILE:0: note no-smtp why`.
 */
export function compactNoSmtp(file: string, diagnosis: string | undefined): string {
  const why = diagnosis ? escapeControls(diagnosis).replace(/\s+/g, " ") : "the capture holds no packets";
  return `${escapeText(file)}:0: note no-smtp ${why}\n`;
}

export const compactFormat = (): Format => ({
  name: "compact",
  file(file, _n, write): FileReporter<PreparedCompact> {
    return {
      prepare: (s, fs) => prepareCompact(file, s, fs),
      session: (p, index) => write(p.after === null ? p.before : p.before + index + p.after),
      omit() {},
      endFile(sum) {
        const unreadable = sum.problems.some((p) => p.level === "error");
        if (sum.sessionCount === 0 && (sum.packets > 0 || !unreadable)) write(compactNoSmtp(file, sum.diagnosis));
      },
    };
  },
  envelope: plainEnvelope,
});
