import { defineRule } from "./define.js";
import { partialMultiline } from "../smtp/conversation.js";
import { pipelinable, replyText } from "../smtp/vocabulary.js";
import { ackEvidence, cmdLabel, earlyFrames, replyLabel } from "./util.js";

export default defineRule({
  id: "pipelining-not-negotiated",
  title: "Commands pipelined without PIPELINING",
  severity: "error",
  side: "client",
  traits: ["acted-early", "sent-early"],
  reference: "RFC 2920 §3; RFC 5321 §4.3.1",
  quote: "If the server SMTP responds with code 250 to the EHLO command, and the response includes the EHLO keyword value PIPELINING, then the server SMTP has indicated that it can accommodate SMTP command pipelining.",
  quoteFor: {
    client: { reference: "RFC 2920 §3.1", quote: "Once the client SMTP has confirmed that support exists for the pipelining extension, the client SMTP may then elect to transmit groups of SMTP commands in batches without waiting for a response to each individual command." },
  },
  meaning: "The client sent a command while the reply to a MAIL, RCPT, RSET, BDAT or message content was still outstanding (ACK proof), but PIPELINING was not in a complete EHLO reply it had received.",
  why: "Servers without pipelining may discard the queued commands; Postfix rejects it as 'unauthorised pipelining', the mitigation for SMTP smuggling.",
  fix: "Pipeline only after the server advertises PIPELINING in its EHLO reply.",
  plaintext: true,
  pairing: true,
}, {
  early(e, ctx) {
    const s = ctx.session;
    if (e.prev === null || e.pipelining || !pipelinable(e.prev)) return;
    if (partialMultiline(e)) return;
    const caps = ctx.conversation.capsAt(e.cmd.index);
    const misplaced = caps && !caps.helo && /^PIPELINING$/i.test(replyText(caps.reply.lines[0] ?? "").trim())
      ? " (the EHLO reply names PIPELINING on its first line, which carries the server's domain, not a keyword: RFC 5321 §4.1.1.1)"
      : "";
    ctx.report({ frames: earlyFrames(e), time: e.cmd.time, message: `${cmdLabel(e.cmd)} was sent before ${replyLabel(e.reply)} to ${cmdLabel(e.prev)}, and the server had not advertised PIPELINING${misplaced}`, evidence: ackEvidence(s, e.cmd, e.reply, e.by, e.acked, e.prev) });
  },
});
