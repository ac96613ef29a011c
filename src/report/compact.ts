import type { JudgedSession } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import { escapeControls, escapeText } from "../text/escape.js";

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

/**
 * The compact lines of one session: its findings, and when the verdict is "undetermined" one
 * `note` line saying so (a session that cannot be judged must not read as clean).
 */
export function compactSession(file: string, s: JudgedSession, findings: Finding[]): string {
  let out = "";
  for (const f of findings) out += compactLine(file, f);
  if (s.verdict.fault === "undetermined") {
    const why = escapeControls(s.verdict.summary).replace(/\s+/g, " ");
    out += `${escapeText(file)}:${s.firstFrame}: note undetermined (session ${s.index}, tcp.stream ${s.tcpStream}) ${why} [tcp.stream eq ${s.tcpStream}]\n`;
  }
  return out;
}
