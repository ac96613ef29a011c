import { defineRule } from "./define.js";
import { q } from "./util.js";

/** an enhanced status code right after "NNN " / "NNN-" (sticky: lastIndex 4) */
const ESC = /([245])\.(\d+)\.(\d+)(\S*)/y;

/** a sub-code with more than three digits or a leading zero */
function badPart(p: string): boolean {
  return p.length > 3 || (p.length > 1 && p.charCodeAt(0) === 0x30);
}

export default defineRule({
  id: "esc-syntax",
  title: "Malformed enhanced status code",
  severity: "warning",
  side: "server",
  traits: ["own-octets"],
  reference: "RFC 3463 §2",
  quote: "Each numeric sub-code within the status-code MUST be expressed without leading zero digits.",
  meaning: "Reply text starts like an enhanced status code (class.subject.detail) but has a leading zero, more than three digits in a part, or no space after it (RFC 2034 §3).",
  why: "Clients that parse enhanced codes misread or ignore it.",
  fix: "Write codes such as `5.7.1`, followed by a space.",
  plaintext: true,
}, {
  reply(r, ctx) {
    for (let ix = 0; ix < r.lineInfo.length; ix++) {
      const l = r.lineInfo[ix];
      if (l.code === null) continue;
      // a code here starts with 2, 4 or 5 and a dot: other lines need no regex
      const c4 = l.text.charCodeAt(4);
      if ((c4 !== 0x32 && c4 !== 0x34 && c4 !== 0x35) || l.text.charCodeAt(5) !== 0x2e) continue;
      ESC.lastIndex = 4; // searched in place, no copy of the text
      const m = ESC.exec(l.text);
      if (!m) continue;
      const bad = badPart(m[2]) || badPart(m[3]) ? "a sub-code with a leading zero or more than three digits" : m[4] !== "" ? "no space after the code" : "";
      if (bad) ctx.report({ frames: [l.frame], time: l.time, message: `reply ${q(l.text, 60)} has ${bad}`, evidence: `enhanced code ${q(m[0], 30)}` });
    }
  },
});
