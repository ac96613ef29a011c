import { defineRule } from "./define.js";
import { ackEvidence, cmdLabel, earlyFrames } from "./util.js";

export default defineRule({
  id: "pregreet-early-talker",
  title: "Client spoke before the greeting was complete",
  severity: "warning",
  side: "client",
  traits: ["acted-early", "pregreet-root", "sent-early"],
  reference: "RFC 5321 §4.3.1",
  quote: "The sender SHOULD wait for this greeting message before sending any commands.",
  meaning: "The client's first octets were sent before it had received the final line of the 220 greeting (ACK proof), or it opened with a TLS ClientHello on a plain SMTP port (variant implicit-tls-on-plain-port).",
  why: "Postfix postscreen and similar defences treat early talkers as spam bots and drop them.",
  fix: "Wait for the complete greeting; use implicit TLS only on port 465.",
  plaintext: true,
  pairing: true,
}, {
  early(e, ctx) {
    const s = ctx.session;
    if (e.prev !== null) return;
    ctx.report({ frames: earlyFrames(e), time: e.cmd.time, message: e.reply ? `${cmdLabel(e.cmd)} was sent before the greeting's final line had arrived` : `${cmdLabel(e.cmd)} was sent before any greeting had arrived`, evidence: ackEvidence(s, e.cmd, e.reply, e.by, e.acked, e.prev) });
  },
  sessionEnd(ctx) {
    const s = ctx.session;
    const f = ctx.conversation;
    if (s.tls?.mode === "implicit" && s.clientFirstBytes.startsWith("1603") && s.serverPort !== 465 && s.tls.clientHelloFrame !== null && f.greeting) {
      ctx.report({ frames: [s.tls.clientHelloFrame], time: s.tls.time, message: `the client sent a TLS ClientHello on port ${s.serverPort}, where the server speaks plain SMTP first`, evidence: `first client octets ${s.clientFirstBytes}` });
    }
  },
});
