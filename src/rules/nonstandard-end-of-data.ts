import { plural } from "../text/plural.js";
import { defineRule } from "./define.js";

export default defineRule({
  id: "nonstandard-end-of-data",
  title: "End-of-data look-alike inside the message (SMTP smuggling)",
  severity: "error",
  side: "client",
  traits: ["own-octets"],
  reference: "RFC 5321 §4.1.1.4",
  quote: "In particular, the sequence \"<LF>.<LF>\" (bare line feeds, without carriage returns) MUST NOT be treated as equivalent to <CRLF>.<CRLF> as the end of mail data indication.",
  meaning: "The message contains a dot line ended or preceded by something other than CRLF (`\\n.\\n`, `\\n.\\r\\n`, `\\r.\\r`, `\\r\\n\\x00.\\r\\n`, …): the sequences used for SMTP smuggling (CVE-2023-51764/51765/51766).",
  why: "A server that accepts the look-alike as the end of the message reads what follows as new commands: a second, forged message inherits the sender's authentication and SPF alignment.",
  fix: "Client/relay: normalise line endings and dot-stuff before sending. Server: accept only CRLF.CRLF (Postfix smtpd_forbid_bare_newline, Exim ≥ 4.97.1).",
  plaintext: true,
}, {
  exchange: {
    kinds: ["message"],
    visit({ command: c }, ctx) {
      const m = c.message;
      if (!m || m.nonstandardEnds.length === 0) return;
      const first = m.nonstandardEnds[0];
      ctx.report({ frames: m.nonstandardEnds.map((e) => e.frame), time: c.time, message: `the message contains ${plural(m.nonstandardEnds.length, "non-standard end-of-data sequence")}, the first \`${first.sequence}\` at client offset ${first.offset}`, evidence: `sequences: ${m.nonstandardEnds.map((e) => `${e.sequence}@${e.offset} (frame ${e.frame})`).join(", ")}; the real end ${m.endOfData ?? "never came"}` });
    },
  },
});
