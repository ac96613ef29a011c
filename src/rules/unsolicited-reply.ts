import { defineRule } from "./define.js";
import { q, replyLabel, streamSpan } from "./util.js";

export default defineRule({
  id: "unsolicited-reply",
  title: "Reply with no command outstanding",
  severity: "error",
  side: "server",
  traits: ["pairing-judge"],
  reference: "RFC 5321 §4.3.1",
  quote: "The communication between the sender and receiver is an alternating dialogue, controlled by the sender.",
  meaning: "A complete reply (not the greeting, not 421) arrived when every command had already been answered.",
  why: "The client will take it as the answer to its next command: every later reply is then paired with the wrong command.",
  fix: "Find what emitted the extra reply: a proxy answering for the backend, a server answering one command twice, or injected text around STARTTLS.",
  plaintext: true,
  pairing: true,
}, {
  reply(r, ctx) {
    if (!r.complete || r.greeting || r.command !== null) return;
    const s = ctx.session;
    if (s.gaps.some((g) => g.side === "client")) return "stop"; // commands may be missing
    if (s.tls?.mode === "implicit" && s.tls.clientHelloFrame !== null) return "stop"; // replies to TLS bytes the client sent to a plaintext server (implicit-tls-port-mismatch, pregreet-early-talker)
    // replies to commands smuggled after a fake end-of-data: server-accepts-nonstandard-eod explains them
    if (!ctx.conversation.trustedFrames([r.frames[0]]) || [...ctx.conversation.smuggledReplies.values()].some((l) => l.includes(r.index))) return;
    if (!s.sawSyn && !ctx.conversation.replies.some((x) => x.index < r.index && x.command !== null)) return; // may answer a command sent before the capture began
    const info = r.code === 421;
    const why = r.afterStartTls ? " (sent after the STARTTLS 220, before TLS)" : "";
    ctx.report({ severity: info ? "info" : undefined, frames: r.frames, time: r.firstTime, message: `${replyLabel(r)}${why} arrived when no command was waiting for a reply${info ? " (421 may be sent at any time)" : ""}`, evidence: `first line ${q(r.lines[0] ?? "")}, ${streamSpan(ctx.session, "server", r.start, r.end, r.inTls)}` });
    return;
  },
});
