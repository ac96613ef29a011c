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
