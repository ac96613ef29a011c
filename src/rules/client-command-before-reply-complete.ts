import { defineRule } from "./define.js";
import { partialMultiline, type EarlyCommand } from "../smtp/conversation.js";
import { pipelinable } from "../smtp/vocabulary.js";
import { ackEvidence, cmdLabel, earlyFrames, replyLabel } from "./util.js";

/** Early commands no more specific rule (pregreet, STARTTLS injection, partial multi-line, pipelining, DATA) claims. */
export function generalCase(e: EarlyCommand): boolean {
  if (e.prev === null) return false;
  if (e.prev.kind === "command" && e.prev.verb === "STARTTLS") return false;
  if (e.cmd.kind === "message" && e.prev.verb === "DATA") return false;
  if (partialMultiline(e)) return false;
  if (pipelinable(e.prev)) return false; // pipelining-not-negotiated, or legal with PIPELINING
  return !e.pipelining;
}

export default defineRule({
  id: "client-command-before-reply-complete",
  title: "Client sent a command before the previous reply was complete",
  severity: "error",
  side: "client",
  traits: ["acted-early", "lost-step-root", "sent-early"],
  reference: "RFC 5321 §4.3.1",
  quote: "Unless other arrangements are negotiated through service extensions, the sender MUST wait for this response before sending further commands.",
  meaning: "The segment carrying the command's first octet acknowledged less of the server's stream than the end of the previous reply: the client's TCP (and so the client) had not received that reply when it sent the command.",
  why: "The client will read the late reply as the answer to its new command and lose step with the server.",
  fix: "Read replies until the line with a space after the code before sending the next command (unless PIPELINING allows it).",
  plaintext: true,
  pairing: true,
}, {
  early(e, ctx) {
    const s = ctx.session;
    if (!generalCase(e)) return;
    ctx.report({
      frames: earlyFrames(e),
      time: e.cmd.time,
      message: e.reply ? `${cmdLabel(e.cmd)} was sent before ${replyLabel(e.reply)} to ${cmdLabel(e.prev!)} had arrived` : `${cmdLabel(e.cmd)} was sent together with ${cmdLabel(e.prev!)}, before any reply to it (none ever arrived)`,
      evidence: ackEvidence(s, e.cmd, e.reply, e.by, e.acked, e.prev),
    });
  },
});
