import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "smuggled-commands-in-data",
  title: "SMTP commands hidden after a fake end-of-data",
  severity: "error",
  side: "client",
  traits: ["own-octets"],
  reference: "CVE-2023-51766; SEC Consult “SMTP Smuggling” (2023)",
  quote: "This occurs because Exim supports <LF>.<CR><LF> but some other popular e-mail servers do not.",
  meaning: "After a non-standard end-of-data sequence, the message continues with lines that are SMTP commands (MAIL FROM, RCPT TO, DATA, …).",
  why: "This is an SMTP smuggling attempt: a receiving server that ends the message at the look-alike executes the hidden commands. Captured at a relay's input it shows the attacker; at the inbound server, a relay that forwarded it verbatim.",
  fix: "Reject messages with bare LF/CR; upgrade relays and servers (Postfix smtpd_forbid_bare_newline, sendmail, Exim 4.97.1).",
  plaintext: true,
}, {
  exchange: {
    kinds: ["message"],
    visit({ command: c }, ctx) {
      const m = c.message;
      if (!m || m.smuggledCommands.length === 0) return;
      ctx.report({ frames: m.smuggledCommands.map((x) => x.frame), time: c.time, message: `after a non-standard end-of-data the message carries command lines: ${m.smuggledCommands.map((x) => q(x.line, 40)).join(", ")}`, evidence: `first at client offset ${m.smuggledCommands[0].offset}` });
    },
  },
});
