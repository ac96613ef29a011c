import { defineRule } from "./define.js";
import { lineCut, q } from "./util.js";

/** RFC 3461 §4: xtext = *( xchar / hexchar ); xchar = %x21-2A / %x2C-3C / %x3E-7E; hexchar = "+" 2(HEXDIG) */
const XTEXT = /^(?:[\x21-\x2a\x2c-\x3c\x3e-\x7e]|\+[0-9A-F]{2})*$/;

export default defineRule({
  id: "auth-mail-param",
  title: "AUTH= parameter of MAIL not in xtext",
  severity: "warning",
  side: "client",
  traits: ["own-octets"],
  reference: "RFC 4954 §5",
  quote: "To comply with restrictions imposed on ESMTP parameters, the <mailbox> is encoded inside an xtext.",
  meaning: "`MAIL FROM:<…> AUTH=value` where the value is neither `<>` nor xtext (a `+` not followed by two upper-case hex digits, an `=` or a character outside printable ASCII).",
  why: "Servers that decode the parameter reject the command or record a wrong authenticated sender.",
  fix: "Encode the mailbox as xtext (`+`, `=` and controls as `+HH`) or send `AUTH=<>`.",
  plaintext: true,
}, {
  exchange: {
    verbs: ["MAIL"],
    visit({ command: c }, ctx) {
      if (c.kind !== "command" || c.verb !== "MAIL" || c.afterStartTls || lineCut(c)) return;
      const m = /\sAUTH=(\S*)/i.exec(c.line);
      if (!m || m[1] === "<>" || XTEXT.test(m[1])) return;
      ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 60)}: the AUTH= value ${q(m[1], 40)} is not xtext`, evidence: `command ${c.index}` });
    },
  },
});
