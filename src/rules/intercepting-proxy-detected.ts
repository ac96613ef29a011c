import { oneClock } from "../tcp/window.js";
import { defineRule } from "./define.js";

export default defineRule({
  id: "intercepting-proxy-detected",
  title: "A proxy or other box answered for the server",
  severity: "info",
  side: "middlebox",
  reference: "RFC 5321 §2.3.10",
  quote: "For the purposes of this specification, firewalls that rewrite addresses should be considered as gateways, even if SMTP is used on both sides of them (see RFC 2979 [27]).",
  meaning: "In one capture: the server's SYN/ACK arrived with a different IP TTL (IPv6 hop limit) from every data segment the server sent, so the handshake was answered by a different device from the one that sent the data, or came by another path (a TCP-terminating proxy or a SYN proxy in front of the server does this). When both carry TCP timestamps from one clock, one TCP stack sent both and nothing is reported. A fingerprint, not proof. `smtpcap compare` with a capture from the other side of the box proves it.",
  why: "Segmentation, timing and rewriting seen by the client may then be the box's doing, not the MTA's: the support case must go to whoever runs the box.",
  fix: "Middlebox: find the box (firewall, load balancer, SMTP proxy) on the path and check its SMTP or TCP proxying; capture on both sides of it and run `smtpcap compare`.",
  plaintext: false,
}, (ctx) => {
  const tcp = ctx.conversation.tcp;
  const hs = tcp.handshake.server;
  const ttl = tcp.dataTtl.server;
  // a TTL that changes among the data segments is a path that changes: no claim then
  if (hs === null || ttl === null || ttl.changedFrame !== null || hs.ttl === ttl.first) return;
  // TCP timestamps from one clock in the SYN/ACK and the server's first data segment: one TCP
  // stack sent both, and the TTL differs only by the path
  const fd = tcp.firstData.server;
  if (hs.tsval !== null && fd !== null && fd.tsval !== null && oneClock({ time: hs.time, tsval: hs.tsval }, { time: fd.time, tsval: fd.tsval })) return;
  const what = ctx.session.server.startsWith("[") ? "hop limit" : "TTL";
  const frames = ttl.firstFrame === ttl.lastFrame ? `frame ${ttl.firstFrame}` : `frames ${ttl.firstFrame}–${ttl.lastFrame}`;
  const opts = [
    hs.mss !== null ? `MSS ${hs.mss}` : "no MSS",
    `window ${hs.window}`,
    hs.wscale !== null ? `window scale ${hs.wscale}` : "no window scale",
    hs.sackPermitted ? "SACK permitted" : "no SACK",
    hs.timestamps ? "timestamps" : "no timestamps",
  ].join(", ");
  ctx.report({
    frames: [hs.frame, ttl.firstFrame, ttl.lastFrame],
    time: hs.time,
    message: `SYN/ACK frame ${hs.frame} ${what} ${hs.ttl}, server data segments ${what} ${ttl.first} (${frames}): the handshake was answered by a different device from the one that sent the server's data, or came by another path; a TCP-terminating proxy or a SYN proxy in front of the server does this, but it is not proof`,
    evidence: `SYN/ACK frame ${hs.frame}: ${what} ${hs.ttl}, ${opts}, options ${hs.options.join(",") || "none"}; ${ttl.segments} server data segments, all with ${what} ${ttl.first} (Wireshark: ${what === "TTL" ? "ip.ttl" : "ipv6.hlim"}); `
      + (hs.tsval !== null && fd !== null && fd.tsval !== null
        ? `TSval ${hs.tsval} in the SYN/ACK and ${fd.tsval} in the first data segment (frame ${fd.frame}) do not come from one timestamp clock`
        : "the SYN/ACK and the data do not both carry TCP timestamps, which could show whether one TCP stack sent them"),
  });
}, (_s, conv) => {
  const tcp = conv.tcp;
  if (!tcp.traced) return "the capture gives no TCP trace for this session";
  if (tcp.handshake.server === null) return "the server's SYN/ACK is not in the capture";
  if (tcp.dataTtl.server === null) return "the capture holds no data segment from the server";
  return null;
});
