import { defineRule } from "./define.js";
import { pipelinable } from "../smtp/vocabulary.js";
import { ackEvidence, cmdLabel, earlyFrames, q, replyLabel } from "./util.js";

export default defineRule({
  id: "pipelining-command-not-last",
  title: "Command that must end a pipelined group was followed by another",
  severity: "error",
  side: "client",
  traits: ["sent-early"],
  reference: "RFC 2920 §3.1",
  quote: "The EHLO, DATA, VRFY, EXPN, TURN, QUIT, and NOOP commands can only appear as the last command in a group since their success or failure produces a change of state which the client SMTP must accommodate.",
  meaning: "With PIPELINING negotiated, the client sent another command before the reply to EHLO, DATA, VRFY, EXPN, TURN, QUIT, NOOP, STARTTLS, AUTH (without a one-round-trip initial response) or another extension command. Only RSET, MAIL, RCPT, BDAT and message content may be followed within a group.",
  why: "The next command depends on the outcome of this one; sending it blind desynchronises client and server when the outcome differs.",
  fix: "End the group with that command and wait for its reply.",
  plaintext: true,
  pairing: true,
}, {
  early(e, ctx) {
    const s = ctx.session;
    if (e.prev === null || !e.pipelining || pipelinable(e.prev)) return;
    if (e.prev.kind === "command" && e.prev.verb === "STARTTLS") return; // starttls-command-injection
    if (e.cmd.kind === "message" && e.prev.verb === "DATA") return; // message-data-without-354
    ctx.report({ frames: earlyFrames(e), time: e.cmd.time, message: `${cmdLabel(e.cmd)} followed ${cmdLabel(e.prev)} before ${replyLabel(e.reply)} had arrived; ${e.prev.verb ? q(e.prev.verb, 20) : "it"} must be the last command of a pipelined group`, evidence: ackEvidence(s, e.cmd, e.reply, e.by, e.acked, e.prev) });
  },
});
