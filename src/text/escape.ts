/** A character escapeText changes: outside printable US-ASCII, or the backslash. */
const NEEDS_ESCAPE = /[^\x20-\x5b\x5d-\x7e]/;

/**
 * Makes capture text safe to print: every octet outside printable US-ASCII (and the backslash)
 * becomes a visible escape, so a hostile banner cannot move the cursor, clear the screen, set
 * the window title or fake smtpcap's own output. Text is handled as latin1 (one char per octet).
 */
export function escapeText(s: string): string {
  // most capture text is plain: one regular-expression scan (native code from the first call)
  // instead of a character loop that runs interpreted until it gets hot
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = "";
  let plainFrom = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x5c) continue;
    if (i > plainFrom) out += s.slice(plainFrom, i);
    plainFrom = i + 1;
    if (c === 0x5c) out += "\\\\";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x100) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += "\\u" + c.toString(16).padStart(4, "0");
  }
  return plainFrom === 0 ? s : out + s.slice(plainFrom);
}

/** Shorten for one-line display. */
export function clip(s: string, max = 120): string {
  return s.length <= max ? s : s.slice(0, max - 1) + "…";
}

/**
 * Escapes only control characters (C0, DEL, C1), leaving backslashes alone: a last guard for text
 * that is already partly escaped (rule messages quote capture text with escapeText).
 */
export function escapeControls(s: string): string {
  return /[\x00-\x1f\x7f-\x9f]/.test(s)
    ? s.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => (c === "\r" ? "\\r" : c === "\n" ? "\\n" : c === "\t" ? "\\t" : "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0")))
    : s;
}
