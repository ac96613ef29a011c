import { defineRule } from "./define.js";
import { lineCut } from "./util.js";

export default defineRule({
  id: "eightbit-data-without-8bitmime",
  title: "8-bit message content without 8BITMIME",
  severity: "error",
  side: "client",
  reference: "RFC 5321 §2.4; RFC 6152 §3",
  quote: "An originating SMTP client that has not successfully negotiated an appropriate extension with a particular server (see the next paragraph) MUST NOT transmit messages with information in the high-order bit of octets.",
  meaning: "The message carries octets of 0x80 and above although the server did not advertise 8BITMIME (error), or the MAIL command did not say BODY=8BITMIME (warning).",
  why: "A 7-bit path may strip the high bit or reject the message; signatures over the body break.",
  fix: "Encode the body (quoted-printable or base64) or declare BODY=8BITMIME where 8BITMIME is offered.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    kinds: ["message"],
    visit({ command: c }, ctx) {
      const f = ctx.conversation;
      const m = c.message;
      if (!m || m.eightBit === 0) return;
      const tm = f.exchanges[c.index].transaction?.mail;
      const mail = tm?.line.toUpperCase() ?? "";
      const caps = f.capsAt(c.index);
      if (!caps) return;
      if (!caps.keywords.has("8BITMIME")) {
        ctx.report({ frames: c.frames.slice(0, 1), time: c.time, message: `the message carries ${m.eightBit} octets of 0x80 and above, but the server did not advertise 8BITMIME`, evidence: `capabilities from frame ${caps.reply.frames[0]}` });
      } else if (!/ BODY=(8BITMIME|BINARYMIME)\b/.test(mail) && !(tm !== undefined && lineCut(tm))) {
        ctx.report({ severity: "warning", frames: c.frames.slice(0, 1), time: c.time, message: `the message carries ${m.eightBit} octets of 0x80 and above, but MAIL did not declare BODY=8BITMIME`, evidence: "8BITMIME was advertised" });
      }
    },
  },
});
