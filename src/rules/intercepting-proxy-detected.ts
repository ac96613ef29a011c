import { oneClock, type FirstData, type SynFacts } from "../tcp/window.js";
import { defineRule } from "./define.js";

export default defineRule({
  id: "intercepting-proxy-detected",
  title: "A proxy or other box answered for the server",
  severity: "info",
  side: "middlebox",
  reference: "RFC 5321 §2.3.10",
  quote: "For the purposes of this specification, firewalls that rewrite addresses should be considered as gateways, even if SMTP is used on both sides of them (see RFC 2979 [27]).",
  meaning: "In one capture: the server's SYN/ACK differs from the data segments the server sent in a way one TCP stack does not produce — it carries the TCP timestamp option and the data does not, or the reverse (RFC 7323 §3.2); its TSval and the data's come from two clocks; or it arrived with a different IP TTL (IPv6 hop limit) from every data segment — so the handshake was answered by a different device from the one that sent the data, or came by another path (a TCP-terminating proxy or a SYN proxy in front of the server does this). A TTL difference with TCP timestamps from one clock, or with the SYN/ACK's IPv4 ID just behind the incrementing counter of the server's data segments (one IP ID counter: one sender), is a path difference and is not reported. An IP ID alone never makes the claim: Linux before 2022 took a SYN/ACK's ID from its shared generator and the data's from the connection's own counter, and since then sends ID 0 in SYN/ACKs. A fingerprint, not proof. `smtpcap compare` with a capture from the other side of the box proves it.",
  why: "Segmentation, timing and rewriting seen by the client may then be the box's doing, not the MTA's: the support case must go to whoever runs the box.",
  fix: "Middlebox: find the box (firewall, load balancer, SMTP proxy) on the path and check its SMTP or TCP proxying; capture on both sides of it and run `smtpcap compare`.",
  plaintext: false,
}, (ctx) => {
  const tcp = ctx.conversation.tcp;
  const hs = tcp.handshake.server;
  const ttl = tcp.dataTtl.server;
  if (hs === null || ttl === null) return;
  const fd = tcp.firstData.server;
  const what = ctx.session.server.startsWith("[") ? "hop limit" : "TTL";
  const field = what === "TTL" ? "ip.ttl" : "ipv6.hlim";
  // 1. the TCP timestamp option in the SYN/ACK and not in the data, or the reverse: once SYN and
  // SYN/ACK both carry it, every segment must (RFC 7323 §3.2), and never when they did not
  if (fd !== null && ttl.changedFrame === null) {
    const syn = tcp.handshake.client;
    const negotiated = hs.timestamps && (syn === null || syn.timestamps);
    if ((negotiated && fd.tsval === null) || (!hs.timestamps && fd.tsval !== null)) {
      const has = fd.tsval !== null;
      ctx.report({
        frames: [hs.frame, fd.frame],
        time: hs.time,
        message: has
          ? `SYN/ACK frame ${hs.frame} carries no TCP timestamp option, yet the server's data segments do (first: frame ${fd.frame}): RFC 7323 §3.2 allows them only when SYN and SYN/ACK both carried it, so the handshake and the data most likely came from different TCP stacks; a TCP-terminating proxy or a SYN proxy in front of the server does this, but it is not proof`
          : `SYN/ACK frame ${hs.frame} carries the TCP timestamp option${syn !== null ? " (as the SYN did)" : ""}, yet the server's data segments do not (first: frame ${fd.frame}): RFC 7323 §3.2 then has every segment carry it, so the handshake and the data most likely came from different TCP stacks (or a box on the path removed the option); a TCP-terminating proxy or a SYN proxy in front of the server does this, but it is not proof`,
        evidence: `SYN/ACK frame ${hs.frame}: ${what} ${hs.ttl}, ${synAckOptions(hs)}; first server data segment frame ${fd.frame}: ${has ? `TSval ${fd.tsval}` : "no timestamp option"}, ${what} ${ttl.first} (Wireshark: tcp.options.timestamp.tsval, ${field})${ipIdText(hs, fd)}`,
      });
      return;
    }
  }
  // 2. the same TTL, but timestamps from two clocks no TCP stack could run as one
  if (ttl.changedFrame === null && hs.ttl === ttl.first) {
    if (hs.tsval === null || fd === null || fd.tsval === null || !twoClocks({ time: hs.time, tsval: hs.tsval }, { time: fd.time, tsval: fd.tsval })) return;
    const ms = Math.round((fd.time - hs.time) * 1000);
    ctx.report({
      frames: [hs.frame, fd.frame],
      time: hs.time,
      message: `SYN/ACK frame ${hs.frame} has TSval ${hs.tsval}; the server's first data segment (frame ${fd.frame}), ${ms} ms later, has TSval ${fd.tsval}, behind it: one timestamp clock does not run backwards, so the handshake was answered by a different TCP stack from the one that sent the server's data; a TCP-terminating proxy or a SYN proxy in front of the server does this, but it is not proof`,
      evidence: `SYN/ACK frame ${hs.frame}: ${what} ${hs.ttl}, ${synAckOptions(hs)}; server data segments ${what} ${ttl.first} as well (Wireshark: tcp.options.timestamp.tsval, ${field}); the later TSval is ${(hs.tsval - fd.tsval + 4294967296) % 4294967296} ticks behind the earlier one, and a timestamp clock never runs backwards${ipIdText(hs, fd)}`,
    });
    return;
  }
  // 3. another TTL than every data segment (a TTL that changes among the data segments is a path
  // that changes: no claim then)
  if (ttl.changedFrame !== null || hs.ttl === ttl.first) return;
  // TCP timestamps from one clock in the SYN/ACK and the server's first data segment, or the
  // SYN/ACK's IP ID on the data segments' counter: one TCP stack sent both, and the TTL differs
  // only by the path
  if (hs.tsval !== null && fd !== null && fd.tsval !== null && oneClock({ time: hs.time, tsval: hs.tsval }, { time: fd.time, tsval: fd.tsval })) return;
  if (oneIpIdCounter(hs, fd)) return;
  const frames = ttl.firstFrame === ttl.lastFrame ? `frame ${ttl.firstFrame}` : `frames ${ttl.firstFrame}–${ttl.lastFrame}`;
  ctx.report({
    frames: [hs.frame, ttl.firstFrame, ttl.lastFrame],
    time: hs.time,
    message: `SYN/ACK frame ${hs.frame} ${what} ${hs.ttl}, server data segments ${what} ${ttl.first} (${frames}): the handshake was answered by a different device from the one that sent the server's data, or came by another path; a TCP-terminating proxy or a SYN proxy in front of the server does this, but it is not proof`,
    evidence: `SYN/ACK frame ${hs.frame}: ${what} ${hs.ttl}, ${synAckOptions(hs)}; ${ttl.segments} server data segments, all with ${what} ${ttl.first} (Wireshark: ${field}); `
      + (hs.tsval !== null && fd !== null && fd.tsval !== null
        ? `TSval ${hs.tsval} in the SYN/ACK and ${fd.tsval} in the first data segment (frame ${fd.frame}) do not come from one timestamp clock`
        : "the SYN/ACK and the data do not both carry TCP timestamps, which could show whether one TCP stack sent them")
      + ipIdText(hs, fd),
  });
}, (_s, conv) => {
  const tcp = conv.tcp;
  if (!tcp.traced) return "the capture gives no TCP trace for this session";
  if (tcp.handshake.server === null) return "the server's SYN/ACK is not in the capture";
  if (tcp.dataTtl.server === null) return "the capture holds no data segment from the server";
  return null;
});

function synAckOptions(hs: SynFacts): string {
  return [
    hs.mss !== null ? `MSS ${hs.mss}` : "no MSS",
    `window ${hs.window}`,
    hs.wscale !== null ? `window scale ${hs.wscale}` : "no window scale",
    hs.sackPermitted ? "SACK permitted" : "no SACK",
    hs.timestamps ? "timestamps" : "no timestamps",
  ].join(", ") + `, options ${hs.options.join(",") || "none"}`;
}

/**
 * Two TSvals that no one timestamp clock gives: the later segment's TSval is behind the earlier
 * one's by more than 1000 ticks (a timestamp clock never runs backwards; Linux SYN cookies round
 * the SYN/ACK's TSval down by at most 63 ticks). A jump forward proves nothing: clock rates differ
 * (1 ms to 1 s per tick in RFC 7323 §5.4, microseconds or faster in some stacks and test traces).
 * Within 60 s even an 8 MHz clock stays below half the 32-bit space, so "behind" is not a wrap.
 */
function twoClocks(a: { time: number; tsval: number }, b: { time: number; tsval: number }): boolean {
  const [x, y] = a.time <= b.time ? [a, b] : [b, a];
  if (y.time - x.time > 60) return false;
  const back = (x.tsval - y.tsval + 4294967296) % 4294967296;
  return back > 1000 && back < 2147483648;
}

/** A SYN/ACK IP ID this far behind the first data segment's still belongs to its counter. */
const IP_ID_GAP = 128;

/**
 * The SYN/ACK's IPv4 ID sits on the incrementing counter of the server's data segments: not 0
 * (RFC 6864 §4.1 lets atomic datagrams carry any ID; Linux sends 0 in SYN/ACKs with DF since
 * 2022), at least three data segments in one run of small steps, and the SYN/ACK's ID 1 to
 * IP_ID_GAP behind the first one's. Two unrelated counters meet so by chance once in 500: one
 * sender sent both.
 */
function oneIpIdCounter(hs: SynFacts, fd: FirstData | null): boolean {
  const r = fd?.ipIds ?? null;
  if (hs.ipId === null || hs.ipId === 0 || r === null || !r.counter || r.segments < 3) return false;
  const gap = (r.first - hs.ipId + 65536) & 0xffff;
  return gap >= 1 && gap <= IP_ID_GAP;
}

function hex(id: number): string {
  return `0x${id.toString(16).padStart(4, "0")}`;
}

/** What the IPv4 IDs show, for the evidence (empty for IPv6). Says nothing it cannot show. */
function ipIdText(hs: SynFacts, fd: FirstData | null): string {
  const r = fd?.ipIds ?? null;
  // data IDs that form no counter (random, constant, a single segment) tell nothing: not shown
  if (hs.ipId === null || r === null || !r.counter || r.segments < 3) return "";
  const note = hs.ipId === 0 ? "an ID of 0 in a SYN/ACK shows nothing: Linux sends it"
    : oneIpIdCounter(hs, fd) ? `the SYN/ACK's ID is ${(r.first - hs.ipId + 65536) & 0xffff} behind the first data segment's: one IP ID counter`
    : "an ID off the data's counter shows nothing alone: Linux before 2022 took SYN/ACK IDs from another generator";
  return `; IP ID (ip.id): SYN/ACK ${hex(hs.ipId)}, the ${r.segments} server data segments ${hex(r.first)} (frame ${r.firstFrame}) to ${hex(r.last)} (frame ${r.lastFrame}), one incrementing counter (${note})`;
}
