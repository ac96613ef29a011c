import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "reply-code-invalid",
  title: "Reply line without a valid three-digit code",
  severity: "error",
  side: "server",
  traits: ["own-octets", "reply-text"],
  reference: "RFC 5321 §4.2",
  quote: "In the absence of extensions negotiated with the client, SMTP servers MUST NOT send reply codes whose first digits are other than 2, 3, 4, or 5.",
  meaning: "A server line does not start with three digits, or its first digit is outside 2–5 (a second digit of 6–9 only breaks the grammar and is a warning).",
  why: "Clients decide what to do from the first digit; a line they cannot classify leaves them guessing or hanging.",
  fix: "Make the server (or the proxy in front of it) start every reply line with a code from RFC 5321 §4.2.",
  plaintext: true,
}, {
  reply(r, ctx) {
    for (let ix = 0; ix < r.lineInfo.length; ix++) {
      const l = r.lineInfo[ix];
      // a line the capture cut short is judged by its first three octets, when it holds them
      if (l.gap && l.text.length < 3) continue;
      if (l.code === null) {
        ctx.report({ frames: [l.frame], time: l.time, message: `server line ${q(l.text)} does not start with a three-digit reply code`, evidence: `server stream offset ${l.start}, ${l.length} octets` });
      } else {
        const d1 = Math.floor(l.code / 100), d2 = Math.floor(l.code / 10) % 10;
        if (d1 < 2 || d1 > 5) ctx.report({ frames: [l.frame], time: l.time, message: `reply code ${l.code} has first digit ${d1}; only 2, 3, 4 and 5 are allowed`, evidence: `line ${q(l.text)}` });
        else if (d2 > 5) ctx.report({ severity: "warning", frames: [l.frame], time: l.time, message: `reply code ${l.code} has second digit ${d2}; the grammar allows 0–5`, evidence: `line ${q(l.text)}` });
      }
    }
  },
});
