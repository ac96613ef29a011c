import { defineRule } from "./define.js";
import { ackEvidence, earlyFrames, q } from "./util.js";

export default defineRule({
  id: "message-data-without-354",
  title: "Message content sent before (or without) a 354 reply",
  severity: "error",
  side: "client",
  traits: ["sent-early"],
  reference: "RFC 5321 §3.3",
  quote: "If one of those replies (or any other 5yz reply) is received, the client MUST NOT send the message data; more generally, message data MUST NOT be sent unless a 354 reply is received.",
  meaning: "After DATA, the client sent message content before it had received the 354 reply (ACK proof), or after DATA was refused.",
  why: "A server that refused DATA reads the message lines as commands; this is the 'unauthorised pipelining' Postfix blocks against SMTP smuggling.",
  fix: "Wait for 354 before sending the message.",
  plaintext: true,
  pairing: true,
}, {
  early(e, ctx) {
    const s = ctx.session;
    if (e.prev === null || e.cmd.kind !== "message" || e.prev.verb !== "DATA") return;
    ctx.report({ frames: earlyFrames(e), time: e.cmd.time, message: e.reply ? `the message content was sent before the reply to DATA (${q(e.reply.lines[0] ?? "", 40)}) had arrived` : "the message content was sent together with DATA, and no reply to DATA ever arrived", evidence: ackEvidence(s, e.cmd, e.reply, e.by, e.acked, e.prev) });
  },
  sessionEnd(ctx) {
    const exs = ctx.conversation.exchanges;
    for (let i = 1; i < exs.length; i++) {
      const c = exs[i].command;
      if (c.kind !== "message") continue;
      const r = exs[i - 1].first;
      if (r && r.complete && r.code !== null && r.code !== 354 && !ctx.conversation.early.some((e) => e.cmd === c)) {
        ctx.report({ frames: [c.frames[0], ...r.frames], time: c.time, message: `the message content was sent although DATA was answered ${r.code}`, evidence: `reply ${q(r.lines[0] ?? "", 50)}` });
      }
    }
  },
});
