import { defineRule } from "./define.js";
import { cmdLabel } from "./util.js";

export default defineRule({
  id: "pipelined-group-exceeds-window",
  title: "Pipelined group larger than the server's receive window",
  severity: "info",
  side: "client",
  reference: "RFC 2920 §3.1",
  quote: "If nonblocking operation is not supported, however, client SMTP implementations MUST also check the TCP window size and make sure that each group of commands fits entirely within the window.",
  meaning: "Counted from the server's last ACK before a group of pipelined commands, the group's last octet lies beyond the receive window the server advertised in that segment (scaled with the window scale from the handshake). Needs the handshake: without it the scale is unknown and the rule is not evaluable.",
  why: "A client that blocks on writes can deadlock: it cannot finish writing the group while the server, whose window is full, waits for the client to read replies. A non-blocking client may do this, so it is info.",
  fix: "Client: write pipelined groups without blocking, or keep each group within the server's advertised window.",
  plaintext: true,
  pairing: true,
}, (ctx) => {
  const tcp = ctx.conversation.tcp;
  const server = tcp.server;
  if (server.scale === null) return;
  const hs = tcp.handshake.server ?? tcp.handshake.client;
  for (const g of tcp.groups) {
    const i = server.lastBefore(g.firstFrame);
    if (i < 0) continue;
    const p = server.at(i);
    if (p.ack === null) continue;
    const ahead = g.end - p.ack;
    if (ahead <= p.window) continue;
    const first = g.commands[0], last = g.commands[g.commands.length - 1];
    ctx.report({
      frames: [p.frame, g.firstFrame, g.lastFrame],
      time: last.time,
      message: `the pipelined group of ${g.commands.length} commands (${cmdLabel(first)} to ${cmdLabel(last)}, ${g.end - g.start} octets, ${g.firstFrame === g.lastFrame ? `frame ${g.firstFrame}` : `frames ${g.firstFrame}–${g.lastFrame}`}) ended ${ahead} octets past the server's last ACK before it (frame ${p.frame}), beyond the ${p.window}-byte receive window the server advertised there`,
      evidence: `server frame ${p.frame}: ack ${p.ack + tcp.relBase}, window field ${p.raw} × 2^${server.scale} = ${p.window} bytes (window scale from the ${hs ? `handshake, frame ${hs.frame}` : "handshake"}); `
        + `the group's last octet ends at seq ${g.end + tcp.relBase} (frame ${g.lastFrame}); a client that does not block on writes may do this`,
    });
  }
}, (_s, conv) => {
  const tcp = conv.tcp;
  if (tcp.groups.length === 0) return null;
  if (!tcp.traced) return "the capture gives no TCP trace for this session";
  if (tcp.server.scale === null) {
    return tcp.handshake.client !== null
      ? "the server's window scale is unknown: the handshake's SYN/ACK was not captured"
      : "the server's window scale is unknown: the handshake was not captured";
  }
  if (tcp.groups.every((g) => tcp.server.lastBefore(g.firstFrame) < 0)) return "the capture holds no ACK from the server before the pipelined commands";
  return null;
});
