import { defineRule } from "./define.js";
import { bareCrProven, cmdLabel, streamSpan } from "./util.js";

export default defineRule({
  id: "bare-cr-lf-in-command",
  title: "Command line ended by a bare LF or containing a bare CR",
  severity: "error",
  side: "client",
  traits: ["own-octets"],
  reference: "RFC 5321 §2.3.8",
  quote: "SMTP client implementations MUST NOT transmit these characters except when they are intended as line terminators and then MUST, as indicated above, transmit them only as a <CRLF> sequence.",
  meaning: "A command line (outside message content) ends with LF alone or carries a CR not followed by LF.",
  why: "Servers disagree on where such a command ends; Postfix postscreen rejects clients that do it.",
  fix: "Send CR LF after every command line.",
  plaintext: true,
}, {
  exchange({ command: c }, ctx) {
    const l = c.lineInfo;
    if (!l) return;
    // a CR inside the line is bare whatever the capture lacks after it; the rest needs the whole line
    const kind = l.terminator === "lf" && !l.gap ? "ends with a bare LF" : bareCrProven(ctx.session, "client", l, c.inTls === true) ? "contains a bare CR" : "";
    if (kind) ctx.report({ frames: c.frames, time: c.time, message: `${cmdLabel(c)} ${kind}`, evidence: streamSpan(ctx.session, "client", l.start, l.end, c.inTls) });
  },
});
