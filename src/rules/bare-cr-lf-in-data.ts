import { defineRule } from "./define.js";

export default defineRule({
  id: "bare-cr-lf-in-data",
  title: "Bare CR or LF in message content",
  severity: "error",
  side: "client",
  traits: ["own-octets"],
  reference: "RFC 5321 §2.3.8",
  quote: "SMTP client implementations MUST NOT transmit these characters except when they are intended as line terminators and then MUST, as indicated above, transmit them only as a <CRLF> sequence.",
  meaning: "The message content contains LF not preceded by CR, or CR not followed by LF.",
  why: "Servers differ on what such a line ending means; that difference is the precondition of every SMTP smuggling variant, and strict servers reject the message.",
  fix: "Convert all line endings to CRLF before sending.",
  plaintext: true,
}, {
  exchange: {
    kinds: ["message"],
    visit({ command: c }, ctx) {
      const m = c.message;
      if (!m || m.bareLf + m.bareCr === 0) return;
      ctx.report({ frames: [m.firstBare!.frame], time: c.time, message: `the message contains ${m.bareLf} bare LF and ${m.bareCr} bare CR; the first (${m.firstBare!.kind.toUpperCase()}) at client offset ${m.firstBare!.offset}`, evidence: `message of ${m.bytes} bytes, ${m.lines} lines` });
    },
  },
});
