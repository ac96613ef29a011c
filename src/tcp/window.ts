/**
 * ACK progress, advertised receive windows and handshake facts of a TCP connection: what the
 * reassembly does not keep (pure ACKs, the window field, the SYN options, the IP TTL). Kept
 * compact: a record only when a segment moves the ACK or changes the window, at most
 * `maxRecords` per direction; the TTL of data segments as a few numbers.
 *
 * Every number is checkable in Wireshark: `tcp.ack` (relative), `tcp.window_size_value` (the raw
 * field), `tcp.window_size` (scaled), `tcp.window_size_scalefactor`, `tcp.options.mss_val`,
 * `tcp.options.wscale.shift`, `ip.ttl` / `ipv6.hlim`.
 */
import type { TcpPacket } from "./decode.js";

/** Records kept per direction by default (32 bytes each). */
export const MAX_WINDOW_RECORDS = 2048;

/** The SYN or SYN/ACK of a connection, as captured (the first one of its kind). */
export interface SynFacts {
  frame: number;
  time: number;
  /** IPv4 TTL or IPv6 hop limit */
  ttl: number;
  /** IPv4 Identification (ip.id); null for IPv6 */
  ipId: number | null;
  /** the window field (never scaled in a SYN) */
  window: number;
  /** MSS option value, null when absent */
  mss: number | null;
  /** window scale option: the shift count, null when absent */
  wscale: number | null;
  sackPermitted: boolean;
  timestamps: boolean;
  /** the timestamp option's TSval (null: no timestamp option) */
  tsval: number | null;
  /** option kinds in the order they appear: "MSS", "NOP", "WS", "SACK_PERM", "SACK", "TS", "EOL", or the kind number */
  options: string[];
}

const KIND_NAMES: Record<number, string> = { 0: "EOL", 1: "NOP", 2: "MSS", 3: "WS", 4: "SACK_PERM", 5: "SACK", 8: "TS", 30: "MPTCP", 34: "TFO" };

/** Reads the handshake facts of a SYN or SYN/ACK (only called for those, so the option walk is rare). */
export function synFacts(pkt: TcpPacket, frame: number, time: number): SynFacts {
  const b = pkt.buf;
  const f: SynFacts = { frame, time, ttl: pkt.ttl, ipId: pkt.ipId < 0 ? null : pkt.ipId, window: pkt.window, mss: null, wscale: null, sackPermitted: false, timestamps: false, tsval: null, options: [] };
  let i = pkt.optStart;
  const end = pkt.optEnd;
  while (i < end && f.options.length < 40) {
    const kind = b[i];
    f.options.push(KIND_NAMES[kind] ?? String(kind));
    if (kind === 0) break;
    if (kind === 1) { i++; continue; }
    if (i + 1 >= end) break;
    const len = b[i + 1];
    if (len < 2 || i + len > end) break;
    if (kind === 2 && len === 4) f.mss = (b[i + 2] << 8) | b[i + 3];
    else if (kind === 3 && len === 3) f.wscale = b[i + 2];
    else if (kind === 4) f.sackPermitted = true;
    else if (kind === 8) {
      f.timestamps = true;
      if (len === 10) f.tsval = b.readUInt32BE(i + 2);
    }
    i += len;
  }
  return f;
}

/** The TSval of a segment's timestamp option, or -1 (no option). Walks the options: call it rarely. */
export function tsvalOf(pkt: TcpPacket): number {
  const b = pkt.buf;
  const end = pkt.optEnd;
  let i = pkt.optStart;
  while (i < end) {
    const kind = b[i];
    if (kind === 0) break;
    if (kind === 1) { i++; continue; }
    if (i + 1 >= end) break;
    const len = b[i + 1];
    if (len < 2 || i + len > end) break;
    if (kind === 8 && len === 10) return b.readUInt32BE(i + 2);
    i += len;
  }
  return -1;
}

/** A direction's first data segment: when, and its timestamp option's TSval (null: none); with
 * the IPv4 Identification of every data segment of the direction, in capture order. */
export interface FirstData {
  frame: number;
  time: number;
  tsval: number | null;
  /** IP IDs of the direction's data segments (null: IPv6) */
  ipIds: IpIdRun | null;
}

/** Largest step between the IP IDs of consecutive data segments that still counts as one counter
 * (the pure ACKs, retransmissions and TSO bursts of the same sender come in between). */
export const IP_ID_MAX_STEP = 64;

/**
 * The IPv4 Identification values of one direction's data segments (Wireshark `ip.id`): the first
 * and the last, and whether every one is ahead of the one before by 1 to IP_ID_MAX_STEP (mod
 * 2^16): one incrementing counter, as a per-connection (Linux with DF), per-destination or quiet
 * global counter gives. Random IDs (OpenBSD, some Windows settings), a constant 0 (RFC 6864
 * atomic datagrams, FreeBSD) or a repeated value break the run.
 */
export interface IpIdRun {
  first: number;
  firstFrame: number;
  last: number;
  lastFrame: number;
  segments: number;
  /** every step was 1 to IP_ID_MAX_STEP */
  counter: boolean;
}

/** A data segment of the direction with IP ID `id` (IPv4): extends the run. */
export function ipIdSeen(r: IpIdRun, id: number, frame: number): void {
  const step = (id - r.last + 65536) & 0xffff;
  if (step === 0 || step > IP_ID_MAX_STEP) r.counter = false;
  r.last = id;
  r.lastFrame = frame;
  r.segments++;
}

/** TTL (hop limit) of the data segments of one direction. */
export interface TtlStats {
  /** TTL of the first data segment, and the lowest and highest seen */
  first: number;
  min: number;
  max: number;
  firstFrame: number;
  lastFrame: number;
  /** data segments counted */
  segments: number;
  /** the first data segment whose TTL differs from the first one's (null: none did) */
  changedFrame: number | null;
}

/** One direction's ACK and window records (see WindowTrace.records). */
export interface DirectionTrace {
  /** stride 4: frame, time, ack (offset into the peer's stream: 0 is its first byte after the SYN;
   * NaN when the peer's stream start is unknown), window (the raw field, not scaled) */
  records: readonly number[];
  /** records held (records.length / 4) */
  count: number;
  /** the window scale shift that applies to this direction's window field; null when unknown
   * (the handshake was not captured, or not enough of it to know) */
  scale: number | null;
  /** the record limit was reached at this frame: later ACKs and windows were not kept (null: never) */
  truncatedAt: number | null;
  /** TTL of this direction's data segments (null: it sent no payload) */
  dataTtl: TtlStats | null;
  /** the first data segment of this direction (null: none captured) */
  firstData: FirstData | null;
}

/** What the TCP layer knows of a connection's ACKs, windows and handshake. Direction 0 is the initiator. */
export interface TcpTrace {
  /** the initiator's SYN and the responder's SYN/ACK, null when not captured */
  syn: SynFacts | null;
  synAck: SynFacts | null;
  dirs: [DirectionTrace, DirectionTrace];
}

/**
 * Whether two segments' TSvals can come from one TCP timestamp clock: the later one ahead of the
 * earlier by no more than 1 ms ticks allow (RFC 7323 §5.4: 1 ms to 1 s per tick), with 1 s of
 * slack for capture-time jitter. A different stack's clock starts at an unrelated value.
 */
export function oneClock(a: { time: number; tsval: number }, b: { time: number; tsval: number }): boolean {
  const [x, y] = a.time <= b.time ? [a, b] : [b, a];
  const ticks = (y.tsval - x.tsval + 4294967296) % 4294967296;
  return ticks <= (y.time - x.time) * 1000 + 1000;
}

/**
 * The window scale shift of each direction, as RFC 7323 §2.2 negotiates it: in effect only when
 * both SYN and SYN/ACK carried the option; a SYN/ACK with the option proves the SYN had it; a SYN
 * or SYN/ACK without it proves scaling is off. Null: unknown (handshake not captured).
 */
export function windowScales(syn: SynFacts | null, synAck: SynFacts | null): [number | null, number | null] {
  if (syn !== null && syn.wscale === null) return [0, 0];
  if (synAck !== null && synAck.wscale === null) return [0, 0];
  if (syn !== null && synAck !== null) return [Math.min(syn.wscale!, 14), Math.min(synAck.wscale!, 14)];
  // only the SYN/ACK, with the option: the responder's shift is known, the initiator's is not
  if (synAck !== null) return [null, Math.min(synAck.wscale!, 14)];
  return [null, null];
}

/** One direction's records, last recorded ACK and window, and data-segment TTLs. */
export class Direction {
  rec: number[] = [];
  lastAck = -1;
  lastWin = -1;
  truncatedAt = -1;
  ttlFirst = -1;
  ttlMin = 0;
  ttlMax = 0;
  ttlFirstFrame = 0;
  ttlLastFrame = 0;
  ttlSegments = 0;
  ttlChanged = -1;
}

/** Per connection, both directions: fed by the reassembler for every segment. */
export class WindowTrace {
  /** per direction: its records and the last ACK and window recorded (read by the reassembler's fast check) */
  readonly dirs: readonly [Direction, Direction] = [new Direction(), new Direction()];
  private readonly d = this.dirs;

  constructor(private readonly maxRecords = MAX_WINDOW_RECORDS) {}

  /**
   * One segment of direction `dir`. `ackRel`: its ACK as an offset into the peer's stream (NaN:
   * unknown; ignored without the ACK flag); `control`: a SYN or RST, whose window is not recorded
   * (a SYN's is never scaled, a RST's means nothing); `window` the raw field (-1: unknown);
   * `ttl` -1 when unknown; `payload` the bytes it carried on the wire.
   */
  segment(dir: 0 | 1, frame: number, time: number, hasAck: boolean, control: boolean, ackRel: number, window: number, ttl: number, payload: number): void {
    if (payload > 0 && ttl >= 0) this.dataTtl(dir, frame, ttl);
    // the SYN/ACK's window is never scaled: it is kept with the handshake facts, not here
    if (hasAck && !control && window >= 0) this.ack(dir, frame, time, ackRel, window);
  }

  /** A segment of direction `dir` that carried payload, with IP TTL `ttl` (known: >= 0). */
  dataTtl(dir: 0 | 1, frame: number, ttl: number): void {
    const h = this.d[dir];
    if (h.ttlFirst < 0) {
      h.ttlFirst = h.ttlMin = h.ttlMax = ttl;
      h.ttlFirstFrame = frame;
    } else {
      if (ttl < h.ttlMin) h.ttlMin = ttl;
      if (ttl > h.ttlMax) h.ttlMax = ttl;
      if (ttl !== h.ttlFirst && h.ttlChanged < 0) h.ttlChanged = frame;
    }
    h.ttlLastFrame = frame;
    h.ttlSegments++;
  }

  /** A segment of direction `dir` with the ACK flag, neither SYN nor RST, and a known window field:
   * recorded when it moves the ACK or changes the window. */
  ack(dir: 0 | 1, frame: number, time: number, ackRel: number, window: number): void {
    const h = this.d[dir];
    if (!(ackRel > h.lastAck) && window === h.lastWin) return;
    if (h.truncatedAt >= 0) return;
    if (h.rec.length >= this.maxRecords * 4) {
      h.truncatedAt = frame;
      return;
    }
    h.rec.push(frame, time, ackRel, window);
    if (ackRel > h.lastAck) h.lastAck = ackRel;
    h.lastWin = window;
  }

  /** The records and TTL of direction `dir`, with the scale that applies to its windows. */
  direction(dir: 0 | 1, scale: number | null, firstData: FirstData | null = null): DirectionTrace {
    const h = this.d[dir];
    return {
      records: h.rec,
      count: h.rec.length / 4,
      scale,
      truncatedAt: h.truncatedAt < 0 ? null : h.truncatedAt,
      dataTtl: h.ttlFirst < 0 ? null : {
        first: h.ttlFirst, min: h.ttlMin, max: h.ttlMax, firstFrame: h.ttlFirstFrame, lastFrame: h.ttlLastFrame,
        segments: h.ttlSegments, changedFrame: h.ttlChanged < 0 ? null : h.ttlChanged,
      },
      firstData,
    };
  }
}

/** Assemble a connection's trace from its handshake facts and its reassembler's window records. */
export function tcpTrace(syn: SynFacts | null, synAck: SynFacts | null, w: WindowTrace | null, firstData: [FirstData | null, FirstData | null] = [null, null]): TcpTrace {
  // indexed, not destructured (no iterator), once per session
  const scales = windowScales(syn, synAck);
  const s0 = scales[0], s1 = scales[1];
  return { syn, synAck, dirs: w === null ? [emptyDirection(s0, firstData[0]), emptyDirection(s1, firstData[1])] : [w.direction(0, s0, firstData[0]), w.direction(1, s1, firstData[1])] };
}

function emptyDirection(scale: number | null, fd: FirstData | null): DirectionTrace {
  return { records: [], count: 0, scale, truncatedAt: null, dataTtl: null, firstData: fd };
}
