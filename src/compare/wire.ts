/**
 * A second, light pass over a capture for what the session model does not keep: each packet's
 * flags, relative ACK and window, and the handshake's ISNs, TTL and options. Only the packets of
 * the given sessions are kept (matched by endpoints and frame range); src/tcp is not changed.
 */
import { readCapture } from "../capture/source.js";
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, TcpPacket, endpoint } from "../tcp/decode.js";
import type { Session } from "../smtp/model.js";

/** Packets kept per session, at most. */
export const MAX_WIRE_PACKETS = 200000;

export interface WirePacket {
  frame: number;
  time: number;
  fromClient: boolean;
  flags: number;
  /** payload bytes on the wire */
  len: number;
  /** stream offset (of the sender's stream) of the first payload byte */
  seqOff: number;
  /** stream offset of the peer's stream acknowledged (NaN: no ACK) */
  ackOff: number;
}

export interface HandshakeSide {
  frame: number;
  time: number;
  isn: number;
  window: number;
  ttl: number;
  /** MSS option, null when absent */
  mss: number | null;
  /** option kinds in order ("mss,sack-perm,ts,nop,wscale") */
  options: string;
}

export interface WireSession {
  syn: HandshakeSide | null;
  synAck: HandshakeSide | null;
  packets: WirePacket[];
  truncated: boolean;
}

const OPTION_NAMES: Record<number, string> = { 1: "nop", 2: "mss", 3: "wscale", 4: "sack-perm", 5: "sack", 8: "ts" };

/** TCP options of an IPv4 or plain IPv6 packet (null: the header could not be found). */
function handshake(pkt: TcpPacket, frame: number, time: number): HandshakeSide {
  const b = pkt.buf;
  let tcp = -1;
  let ttl = 0;
  if (pkt.ipVersion === 4) {
    const ip = pkt.srcAddrStart - 12;
    ttl = b[ip + 8];
    tcp = ip + (b[ip] & 0x0f) * 4;
  } else {
    const ip = pkt.srcAddrStart - 8;
    ttl = b[ip + 7];
    if (b[ip + 6] === 6) tcp = ip + 40;
  }
  let mss: number | null = null;
  const names: string[] = [];
  if (tcp >= 0 && tcp + 20 <= pkt.payloadStart) {
    let p = tcp + 20;
    const end = Math.min(pkt.payloadStart, b.length);
    while (p < end) {
      const kind = b[p];
      if (kind === 0) break;
      if (kind === 1) { names.push("nop"); p++; continue; }
      const len = b[p + 1];
      if (!len || len < 2 || p + len > end) break;
      if (kind === 2 && len === 4) mss = b.readUInt16BE(p + 2);
      names.push(OPTION_NAMES[kind] ?? `opt${kind}`);
      p += len;
    }
  }
  return { frame, time, isn: pkt.seq, window: pkt.window, ttl, mss, options: names.join(",") };
}

/**
 * Read `path` again and collect, per session (by tcpStream), its packets. `sessions` gives the
 * endpoints and frame ranges as the analysis found them.
 */
export async function readWire(path: string, sessions: Session[]): Promise<Map<number, WireSession>> {
  const out = new Map<number, WireSession>();
  const byTuple = new Map<string, Session[]>();
  const ports = new Set<number>();
  for (const s of sessions) {
    const k = `${s.client}|${s.server}`;
    (byTuple.get(k) ?? byTuple.set(k, []).get(k)!).push(s);
    ports.add(s.clientPort);
    ports.add(s.serverPort);
    out.set(s.tcpStream, { syn: null, synAck: null, packets: [], truncated: false });
  }
  // stream offsets: base sequence number per session and side (SYN + 1, else the first seen)
  const base = new Map<number, { client: number; server: number }>();
  const pkt = new TcpPacket();
  let lastTimed = 0;
  await readCapture(path, (frame, time, linkType, data, start, capLen) => {
    // a frame without a time (pcapng simple packet block) takes the previous frame's, as analyze does
    if (time !== time) time = lastTimed;
    else lastTimed = time;
    if (pkt.decode(linkType, data, start, capLen) !== "tcp") return;
    if (!ports.has(pkt.srcPort) || !ports.has(pkt.dstPort)) return;
    const src = endpoint(pkt.addr(pkt.srcAddrStart), pkt.srcPort);
    const dst = endpoint(pkt.addr(pkt.dstAddrStart), pkt.dstPort);
    let fromClient = true;
    let list = byTuple.get(`${src}|${dst}`);
    if (!list) {
      list = byTuple.get(`${dst}|${src}`);
      fromClient = false;
    }
    if (!list) return;
    const s = list.find((x) => frame >= x.firstFrame && frame <= x.lastFrame);
    if (!s) return;
    const w = out.get(s.tcpStream)!;
    const flags = pkt.flags;
    const b = base.get(s.tcpStream) ?? { client: -1, server: -1 };
    base.set(s.tcpStream, b);
    const mine = fromClient ? "client" : "server";
    const peer = fromClient ? "server" : "client";
    if (flags & TCP_SYN) {
      const h = handshake(pkt, frame, time);
      if (fromClient && !(flags & TCP_ACK) && w.syn === null) w.syn = h;
      if (!fromClient && flags & TCP_ACK && w.synAck === null) w.synAck = h;
      if (b[mine] < 0 || (fromClient ? w.syn?.frame === frame : w.synAck?.frame === frame)) b[mine] = (pkt.seq + 1) >>> 0;
    } else if (b[mine] < 0) b[mine] = pkt.seq;
    if (w.packets.length >= MAX_WIRE_PACKETS) {
      w.truncated = true;
      return;
    }
    const seqOff = (pkt.seq - b[mine] + 4294967296) % 4294967296;
    const ackOff = flags & TCP_ACK && b[peer] >= 0 ? (pkt.ack - b[peer] + 4294967296) % 4294967296 : NaN;
    w.packets.push({ frame, time, fromClient, flags: flags & (TCP_SYN | TCP_ACK | TCP_FIN | TCP_RST | 0x08), len: pkt.payloadLen, seqOff: flags & TCP_SYN ? 0 : seqOff, ackOff });
  });
  return out;
}
