import { defineRule } from "./define.js";
import { lineCut, q } from "./util.js";

export default defineRule({
  id: "non-ascii-in-command",
  title: "8-bit octets in a command without SMTPUTF8",
  severity: "error",
  side: "client",
  reference: "RFC 5321 §2.4",
  quote: "In the absence of a server-offered extension explicitly permitting it, a sending SMTP system is not permitted to send envelope commands in any character set other than US-ASCII.",
  meaning: "A command carries octets of 0x80 or above although SMTPUTF8 was not advertised, or in MAIL/RCPT without the SMTPUTF8 parameter on MAIL, or in the EHLO argument at any time (RFC 6531 §3.7.1).",
  why: "Servers that do not expect UTF-8 reject or mangle the addresses.",
  fix: "Use SMTPUTF8 (advertised by the server, parameter on MAIL) for internationalised addresses, and A-labels in EHLO.",
  plaintext: true,
}, {
  exchange: {
    kinds: ["command"],
    visit({ command: c }, ctx) {
      const f = ctx.conversation;
      if (c.kind !== "command") return;
      const m = /[\x80-\xff]/.exec(c.line);
      if (!m) return;
      const tm = f.exchanges[c.index].transaction?.mail;
      const mailUtf8 = / SMTPUTF8\b/i.test(tm?.line ?? "");
      if (!mailUtf8 && tm !== undefined && lineCut(tm)) return; // the MAIL line's rest may have said SMTPUTF8
      const advertised = f.capsAt(c.index)?.keywords.has("SMTPUTF8") ?? false;
      let why = "";
      if (c.verb === "EHLO" || c.verb === "HELO") why = "the EHLO/HELO argument must be ASCII (A-labels)";
      else if (!advertised) why = "the server did not advertise SMTPUTF8";
      else if ((c.verb === "MAIL" || c.verb === "RCPT") && !mailUtf8) why = "the MAIL command did not carry the SMTPUTF8 parameter";
      if (why) ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 60)} contains octet 0x${m[0].charCodeAt(0).toString(16)}: ${why}`, evidence: `client offset ${c.start + m.index}` });
    },
  },
});
