import { defineRule } from "./define.js";
import { q, streamSpan } from "./util.js";

export default defineRule({
  id: "command-line-too-long",
  title: "Command line longer than 512 octets (plus negotiated allowances)",
  severity: "warning",
  side: "client",
  traits: ["own-octets"],
  reference: "RFC 5321 §4.5.3.1.4",
  quote: "The maximum total length of a command line including the command word and the <CRLF> is 512 octets.",
  meaning: "A command line exceeds 512 octets, after adding what the negotiated extensions allow for MAIL/RCPT parameters (SIZE +26, BODY=BINARYMIME +16, AUTH= +500, SMTPUTF8 +10). AUTH responses are exempt (RFC 4954 suggests 12288).",
  why: "Servers and inspecting firewalls (Cisco ASA ESMTP inspection) reject or drop over-long lines.",
  fix: "Keep commands short; send long SASL data as responses after 334 rather than as an initial response.",
  plaintext: true,
}, {
  exchange: {
    kinds: ["command"],
    visit({ command: c }, ctx) {
      const f = ctx.conversation;
      if (c.kind !== "command" || !c.lineInfo) return;
      let limit = 512;
      const caps = f.capsAt(c.index)?.keywords;
      if (caps && (c.verb === "MAIL" || c.verb === "RCPT")) {
        const up = c.line.toUpperCase();
        if (caps.has("SIZE") && up.includes(" SIZE=")) limit += 26;
        if (caps.has("BINARYMIME") && up.includes("BODY=BINARYMIME")) limit += 16;
        if (caps.has("AUTH") && up.includes(" AUTH=")) limit += 500;
        if (caps.has("SMTPUTF8") && up.includes(" SMTPUTF8")) limit += 10;
      }
      if (c.lineInfo.length > limit) ctx.report({ frames: c.frames, time: c.time, message: `command line of ${c.lineInfo.length} octets (limit ${limit}): ${q(c.line, 50)}`, evidence: streamSpan(ctx.session, "client", c.lineInfo.start, c.lineInfo.end, c.inTls) });
    },
  },
});
