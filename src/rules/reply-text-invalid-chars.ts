import { defineRule } from "./define.js";
import { q } from "./util.js";

const EHLO_GREET_BAD = /[\x80-\xff]/g;
const TEXT_BAD = /[\x00-\x08\x0a-\x0c\x0e-\x1f\x7f-\xff]/g;

export default defineRule({
  id: "reply-text-invalid-chars",
  title: "Control characters or 8-bit octets in reply text",
  severity: "warning",
  side: "server",
  traits: ["own-octets", "reply-text"],
  reference: "RFC 5321 §4.2",
  quote: "textstring = 1*(%d09 / %d32-126) ; HT, SP, Printable US-ASCII",
  meaning: "Reply text contains control characters or octets of 0x80 and above.",
  why: "Clients may show or log reply text; control characters can corrupt terminals and logs, and 8-bit text is only allowed where SMTPUTF8 permits it.",
  fix: "Keep reply text to printable US-ASCII, HT and SP.",
  plaintext: true,
}, {
  reply(r, ctx) {
    for (let i = 0; i < r.lineInfo.length; i++) {
      const l = r.lineInfo[i];
      if (l.gap || l.code === null) continue;
      // the first line of an EHLO reply (ehlo-greet) allows any octet below 128 except CR and LF
      const ehloGreet = i === 0 && r.command !== null && ctx.conversation.exchangeOf(r)?.command.verb === "EHLO";
      const bad = ehloGreet ? EHLO_GREET_BAD : TEXT_BAD;
      bad.lastIndex = 4; // the text after the code and separator, searched in place
      const m = bad.exec(l.text);
      if (m) ctx.report({ frames: [l.frame], time: l.time, message: `reply line ${q(l.text)} contains octet 0x${m[0].charCodeAt(0).toString(16).padStart(2, "0")} at column ${m.index + 1}`, evidence: `server offset ${l.start + m.index}` });
    }
  },
});
