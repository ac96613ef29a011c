/**
^ * A small capture writer for test fixtures, samples and the benchmark workload: builds TCP conversations
 * packet by packet (seq/ack kept automatically) and writes them as pcap, nanosecond pcap or
 * pcapng, in either byte order, over several link types.
 */
import { gzipSync } from "node:zlib";

/** Mulberry32: a small, fast, seeded generator for fixtures, the fuzzer and the benchmark workload. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type LinkKind = "ethernet" | "vlan" | "qinq" | "sll" | "sll2" | "null" | "loop" | "raw";

export interface Packet {
  time: number;
  /** the IP packet (link layer added at write time) */
  ip: Buffer;
  /** bytes to keep from the frame (snap length), default all */
  snap?: number;
  ipVersion: 4 | 6;
}

const TCP_FLAGS = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 } as const;

function parseEndpoint(ep: string): { addr: Buffer; port: number; v6: boolean } {
  const m6 = /^\[(.+)\]:(\d+)$/.exec(ep);
  if (m6) return { addr: v6bytes(m6[1]), port: Number(m6[2]), v6: true };
  const [a, p] = ep.split(":");
  return { addr: Buffer.from(a.split(".").map(Number)), port: Number(p), v6: false };
}

function v6bytes(s: string): Buffer {
  const [head, tail] = s.includes("::") ? s.split("::") : [s, ""];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

export interface SegmentOptions {
  /** capture time (seconds); default: last time + 1 ms */
  t?: number;
  /** override the sequence number (absolute) */
  seq?: number;
  /** override the ACK field (absolute); default: everything the peer sent so far */
  ack?: number;
  /** extra TCP flags */
  flags?: number;
  /** build the packet but do not advance the sender's sequence number (retransmission) */
  noAdvance?: boolean;
  /** do not put the packet in the capture (lost before the capture point), but advance seq */
  lose?: boolean;
  /** snap length for this frame */
  snap?: number;
  /** no ACK flag at all */
  noAck?: boolean;
  /** the TCP window field (default: the side's `window`, 65535) */
  window?: number;
  /** IPv4 TTL / IPv6 hop limit (default: the side's `ttl`, 64) */
  ttl?: number;
  /** IPv4 identification (default 0) */
  ipId?: number;
  /** TCP options, padded to 32 bits (see tcpOptions) */
  options?: Buffer;
}

/** TCP options in the given order: MSS, NOP, WS, SACK_PERM, TS (TSval, TSecr), EOL. */
export function tcpOptions(list: ({ mss: number } | { ws: number } | { ts: [number, number] } | "nop" | "sackPerm" | "eol")[]): Buffer {
  const parts: number[] = [];
  for (const o of list) {
    if (o === "nop") parts.push(1);
    else if (o === "eol") parts.push(0);
    else if (o === "sackPerm") parts.push(4, 2);
    else if ("mss" in o) parts.push(2, 4, o.mss >> 8, o.mss & 0xff);
    else if ("ws" in o) parts.push(3, 3, o.ws);
    else {
      const b = Buffer.alloc(10);
      b[0] = 8; b[1] = 10;
      b.writeUInt32BE(o.ts[0] >>> 0, 2);
      b.writeUInt32BE(o.ts[1] >>> 0, 6);
      parts.push(...b);
    }
  }
  while (parts.length % 4) parts.push(0);
  return Buffer.from(parts);
}

export class Conversation {
  readonly packets: Packet[] = [];
  private c: ReturnType<typeof parseEndpoint>;
  private s: ReturnType<typeof parseEndpoint>;
  /** next seq to send, per side */
  nxt = { client: 0, server: 0 };
  /** highest seq received (ack value) per side */
  private rcv = { client: 0, server: 0 };
  private t: number;
  ipOptions = false;
  v6ExtHeaders = false;
  /** default window field and TTL per side */
  window = { client: 65535, server: 65535 };
  ttl = { client: 64, server: 64 };
  /** IPv4 identification per side: null, 0 in every packet (unless a segment gives `ipId`); a
   * number, the next packet's ID, incremented per packet of that side (one counter) */
  ipId: { client: number | null; server: number | null } = { client: null, server: null };

  constructor(client: string, server: string, opts: { isn?: { client: number; server: number }; t0?: number } = {}) {
    this.c = parseEndpoint(client);
    this.s = parseEndpoint(server);
    this.nxt.client = opts.isn?.client ?? 1000;
    this.nxt.server = opts.isn?.server ?? 5000;
    this.t = opts.t0 ?? 1700000000;
  }

  /** SYN, SYN/ACK, ACK (`o`: options of the SYN and of the SYN/ACK). */
  handshake(t?: number, o: { syn?: SegmentOptions; synAck?: SegmentOptions } = {}): this {
    if (t !== undefined) this.t = t;
    this.raw("client", Buffer.alloc(0), TCP_FLAGS.SYN, { ...o.syn, noAck: true });
    this.nxt.client = (this.nxt.client + 1) >>> 0;
    this.rcv.server = this.nxt.client;
    this.raw("server", Buffer.alloc(0), TCP_FLAGS.SYN | TCP_FLAGS.ACK, { ...o.synAck });
    this.nxt.server = (this.nxt.server + 1) >>> 0;
    this.rcv.client = this.nxt.server;
    this.raw("client", Buffer.alloc(0), TCP_FLAGS.ACK, {});
    return this;
  }

  /** Without a handshake (a capture that starts mid-connection), ack values start at the peer's ISN. */
  midstream(): this {
    this.rcv.client = this.nxt.server;
    this.rcv.server = this.nxt.client;
    return this;
  }

  client(data: string | Buffer, o: SegmentOptions = {}): this {
    return this.send("client", data, o);
  }

  server(data: string | Buffer, o: SegmentOptions = {}): this {
    return this.send("server", data, o);
  }

  /** A pure ACK from `side`, acknowledging everything received so far (or `o.ack`). */
  ack(side: "client" | "server", o: SegmentOptions = {}): this {
    return this.raw(side, Buffer.alloc(0), TCP_FLAGS.ACK, o);
  }

  fin(side: "client" | "server", o: SegmentOptions = {}): this {
    this.raw(side, Buffer.alloc(0), TCP_FLAGS.FIN | TCP_FLAGS.ACK, o);
    this.nxt[side] = (this.nxt[side] + 1) >>> 0;
    this.rcv[side === "client" ? "server" : "client"] = this.nxt[side];
    return this;
  }

  rst(side: "client" | "server", o: SegmentOptions = {}): this {
    return this.raw(side, Buffer.alloc(0), TCP_FLAGS.RST | TCP_FLAGS.ACK, o);
  }

  /** Current time of the conversation. */
  get now(): number {
    return this.t;
  }

  private send(side: "client" | "server", data: string | Buffer, o: SegmentOptions): this {
    const payload = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    this.raw(side, payload, TCP_FLAGS.PSH | TCP_FLAGS.ACK, o);
    if (!o.noAdvance && o.seq === undefined) {
      this.nxt[side] = (this.nxt[side] + payload.length) >>> 0;
    }
    if (!o.noAdvance) {
      const peer = side === "client" ? "server" : "client";
      const end = ((o.seq ?? this.nxt[side] - payload.length) + payload.length) >>> 0;
      if (((end - this.rcv[peer]) | 0) > 0) this.rcv[peer] = end;
    }
    return this;
  }

  private raw(side: "client" | "server", payload: Buffer, flags: number, o: SegmentOptions): this {
    this.t = o.t ?? this.t + 0.001;
    const from = side === "client" ? this.c : this.s;
    const to = side === "client" ? this.s : this.c;
    const seq = o.seq ?? this.nxt[side];
    const ack = o.ack ?? this.rcv[side];
    let f = flags | (o.flags ?? 0);
    if (o.noAck) f &= ~TCP_FLAGS.ACK;
    const opts = o.options ?? Buffer.alloc(0);
    const hdr = 20 + opts.length;
    const tcp = Buffer.alloc(hdr + payload.length);
    tcp.writeUInt16BE(from.port, 0);
    tcp.writeUInt16BE(to.port, 2);
    tcp.writeUInt32BE(seq >>> 0, 4);
    tcp.writeUInt32BE(f & TCP_FLAGS.ACK ? ack >>> 0 : 0, 8);
    tcp[12] = (hdr / 4) << 4;
    tcp[13] = f;
    tcp.writeUInt16BE(o.window ?? this.window[side], 14);
    opts.copy(tcp, 20);
    payload.copy(tcp, hdr);
    const ttl = o.ttl ?? this.ttl[side];
    const next = this.ipId[side];
    if (next !== null && o.ipId === undefined) this.ipId[side] = (next + 1) & 0xffff;
    const ip = from.v6 ? this.ipv6(from.addr, to.addr, tcp, ttl) : this.ipv4(from.addr, to.addr, tcp, ttl, o.ipId ?? next ?? 0);
    if (!o.lose) this.packets.push({ time: this.t, ip, snap: o.snap, ipVersion: from.v6 ? 6 : 4 });
    return this;
  }

  private ipv4(src: Buffer, dst: Buffer, tcp: Buffer, ttl = 64, id = 0): Buffer {
    const optLen = this.ipOptions ? 4 : 0;
    const h = Buffer.alloc(20 + optLen);
    h[0] = 0x40 | ((20 + optLen) / 4);
    h.writeUInt16BE(h.length + tcp.length, 2);
    h.writeUInt16BE(id & 0xffff, 4);
    h[8] = ttl;
    h[9] = 6;
    src.copy(h, 12);
    dst.copy(h, 16);
    if (optLen) { h[20] = 1; h[21] = 1; h[22] = 1; h[23] = 0; } // NOPs and end of options
    return Buffer.concat([h, tcp]);
  }

  private ipv6(src: Buffer, dst: Buffer, tcp: Buffer, hlim = 64): Buffer {
    const ext = this.v6ExtHeaders ? Buffer.from([6, 0, 1, 4, 0, 0, 0, 0]) : Buffer.alloc(0); // hop-by-hop, PadN
    const h = Buffer.alloc(40);
    h[0] = 0x60;
    h.writeUInt16BE(ext.length + tcp.length, 4);
    h[6] = this.v6ExtHeaders ? 0 : 6;
    h[7] = hlim;
    src.copy(h, 8);
    dst.copy(h, 24);
    return Buffer.concat([h, ext, tcp]);
  }
}

const LINKTYPE: Record<LinkKind, number> = { ethernet: 1, vlan: 1, qinq: 1, sll: 113, sll2: 276, null: 0, loop: 108, raw: 101 };

/** Wrap an IP packet in a link-layer header. */
export function frameFor(p: Packet, link: LinkKind): Buffer {
  const etype = p.ipVersion === 6 ? 0x86dd : 0x0800;
  switch (link) {
    case "ethernet":
    case "vlan":
    case "qinq": {
      const tags = link === "ethernet" ? [] : link === "vlan" ? [0x8100] : [0x88a8, 0x8100];
      const h = Buffer.alloc(14 + tags.length * 4);
      Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]).copy(h, 0);
      let pos = 12;
      for (const t of tags) { h.writeUInt16BE(t, pos); h.writeUInt16BE(100, pos + 2); pos += 4; }
      h.writeUInt16BE(etype, pos);
      const f = Buffer.concat([h, p.ip]);
      return f.length < 60 ? Buffer.concat([f, Buffer.alloc(60 - f.length)]) : f; // Ethernet padding
    }
    case "sll": {
      const h = Buffer.alloc(16);
      h.writeUInt16BE(0, 0); h.writeUInt16BE(1, 2); h.writeUInt16BE(6, 4);
      h.writeUInt16BE(etype, 14);
      return Buffer.concat([h, p.ip]);
    }
    case "sll2": {
      const h = Buffer.alloc(20);
      h.writeUInt16BE(etype, 0); h.writeUInt32BE(2, 4); h.writeUInt16BE(1, 8); h[11] = 6;
      return Buffer.concat([h, p.ip]);
    }
    case "null": {
      const h = Buffer.alloc(4);
      h.writeUInt32LE(p.ipVersion === 6 ? 30 : 2, 0);
      return Buffer.concat([h, p.ip]);
    }
    case "loop": {
      const h = Buffer.alloc(4);
      h.writeUInt32BE(p.ipVersion === 6 ? 24 : 2, 0);
      return Buffer.concat([h, p.ip]);
    }
    case "raw":
      return p.ip;
  }
}

export interface WriteOptions {
  /** "pcap-modified": the patched libpcap format (magic a1b2cd34, 24-byte record headers) */
  format?: "pcap" | "pcap-ns" | "pcap-modified" | "pcapng";
  /** write this link-type number in the header instead of the one of `link` (frames unchanged) */
  linkType?: number;
  link?: LinkKind;
  bigEndian?: boolean;
  gzip?: boolean;
  /** pcapng: write each packet's timestamp with this if_tsresol (default 6: microseconds) */
  tsresol?: number;
}

/** Serialise packets (in the order given) as a capture file. */
/** One pcapng block: type, total length, the body padded to 32 bits, the length again. */
export function pcapngBlock(type: number, body: Buffer, bigEndian = false): Buffer {
  const pad = (4 - (body.length % 4)) % 4;
  const len = 12 + body.length + pad;
  const b = Buffer.alloc(len);
  if (bigEndian) {
    b.writeUInt32BE(type >>> 0, 0);
    b.writeUInt32BE(len, 4);
    b.writeUInt32BE(len, len - 4);
  } else {
    b.writeUInt32LE(type >>> 0, 0);
    b.writeUInt32LE(len, 4);
    b.writeUInt32LE(len, len - 4);
  }
  body.copy(b, 8);
  return b;
}

export function writeCapture(packets: Packet[], o: WriteOptions = {}): Buffer {
  const link = o.link ?? "ethernet";
  const be = !!o.bigEndian;
  const fmt = o.format ?? "pcap";
  const u32 = (v: number) => { const b = Buffer.alloc(4); if (be) b.writeUInt32BE(v >>> 0); else b.writeUInt32LE(v >>> 0); return b; };
  const u16 = (v: number) => { const b = Buffer.alloc(2); if (be) b.writeUInt16BE(v); else b.writeUInt16LE(v); return b; };
  const parts: Buffer[] = [];
  if (fmt === "pcapng") {
    const block = (type: number, body: Buffer) => pcapngBlock(type, body, be);
    parts.push(block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d), u16(1), u16(0), u32(0xffffffff), u32(0xffffffff)])));
    const res = o.tsresol ?? 6;
    const opt = Buffer.concat([u16(9), u16(1), Buffer.from([res, 0, 0, 0]), u16(0), u16(0)]);
    parts.push(block(1, Buffer.concat([u16(o.linkType ?? LINKTYPE[link]), u16(0), u32(0), opt])));
    const units = res & 0x80 ? 2 ** (res & 0x7f) : 10 ** res;
    for (const p of packets) {
      const f = frameFor(p, link);
      const cap = Math.min(f.length, p.snap ?? f.length);
      const ts = BigInt(Math.round(p.time * units));
      const body = Buffer.concat([u32(0), u32(Number(ts >> 32n)), u32(Number(ts & 0xffffffffn)), u32(cap), u32(f.length), f.subarray(0, cap)]);
      parts.push(block(6, body));
    }
  } else {
    const ns = fmt === "pcap-ns";
    const modified = fmt === "pcap-modified";
    const magic = ns ? 0xa1b23c4d : modified ? 0xa1b2cd34 : 0xa1b2c3d4;
    parts.push(Buffer.concat([u32(magic), u16(2), u16(4), u32(0), u32(0), u32(262144), u32(o.linkType ?? LINKTYPE[link])]));
    for (const p of packets) {
      const f = frameFor(p, link);
      const cap = Math.min(f.length, p.snap ?? f.length);
      const sec = Math.floor(p.time);
      const frac = Math.round((p.time - sec) * (ns ? 1e9 : 1e6));
      // the modified format adds ifindex (4), protocol (2), packet type (1) and a pad octet
      const extra = modified ? Buffer.concat([u32(1), u16(0x0800), Buffer.from([0, 0])]) : Buffer.alloc(0);
      parts.push(Buffer.concat([u32(sec), u32(frac), u32(cap), u32(f.length), extra, f.subarray(0, cap)]));
    }
  }
  const out = Buffer.concat(parts);
  return o.gzip ? gzipSync(out) : out;
}
