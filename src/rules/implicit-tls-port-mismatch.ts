import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "implicit-tls-port-mismatch",
  title: "Plaintext SMTP on the implicit-TLS port 465",
  severity: "warning",
  side: "server",
  traits: ["not-caused"],
  reference: "RFC 8314 §3.3",
  quote: "When a TCP connection is established for the \"submissions\" service (default port 465), a TLS handshake begins immediately.",
  meaning: "On port 465 the first payload was not a TLS record: the server greeted in plaintext (server at fault) or the client spoke plaintext SMTP (client at fault).",
  why: "One side expects TLS and the other plaintext: the client's TLS handshake reaches the server as garbage commands, or its plaintext reaches a TLS server; the connection fails.",
  fix: "Use STARTTLS on 25/587 and implicit TLS on 465, on both sides.",
  plaintext: false,
}, (ctx) => {
  const s = ctx.session;
  if (s.serverPort !== 465) return;
  const g = ctx.conversation.greeting ?? ctx.conversation.replies[0];
  // SMTP read from inside TLS (decrypted) is what port 465 should carry
  if (g && g.code !== null && !g.inTls) {
    ctx.report({ frames: g.frames.slice(0, 1), time: g.firstTime, message: `the server on port 465 spoke plaintext SMTP (${q(g.lines[0] ?? "", 50)}) instead of starting TLS`, evidence: `first server octets ${s.serverFirstBytes}` });
    return;
  }
  const c = ctx.conversation.exchanges[0]?.command;
  if (c && c.kind === "command" && !c.inTls) ctx.report({ side: "client", frames: c.frames.slice(0, 1), time: c.time, message: `the client on port 465 sent plaintext ${q(c.line, 40)} instead of a TLS ClientHello`, evidence: `first client octets ${s.clientFirstBytes}` });
});
