import { plural } from "../text/plural.js";
import { defineRule } from "./define.js";

export default defineRule({
  id: "data-line-too-long",
  title: "Message line longer than 1000 octets",
  severity: "warning",
  side: "client",
  traits: ["own-octets"],
  reference: "RFC 5321 §4.5.3.1.6",
  quote: "The maximum total length of a text line including the <CRLF> is 1000 octets (not counting the leading dot duplicated for transparency).",
  meaning: "A line of DATA content, with its CRLF, exceeds 1000 octets (1001 for a dot-stuffed line).",
  why: "Servers may wrap or reject the line, corrupting the message or its signature.",
  fix: "Encode long content (quoted-printable, base64) so lines stay short.",
  plaintext: true,
}, {
  exchange: {
    kinds: ["message"],
    visit({ command: c }, ctx) {
      const m = c.message;
      if (!m || m.longLines === 0) return;
      ctx.report({ frames: [m.firstLongLine!.frame], time: c.time, message: `${plural(m.longLines, "message line")} ${m.longLines === 1 ? "exceeds" : "exceed"} 1000 octets; the longest has ${m.longestLine}`, evidence: `first at client offset ${m.firstLongLine!.offset}, ${m.firstLongLine!.length} octets` });
    },
  },
});
