import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from "./decode.js";
import { MAX_WINDOW_RECORDS, WindowTrace } from "./window.js";

/** Where a byte range came from: the segment that first carried it. */
export interface SegmentMeta {
  frame: number;
  time: number;
  /** absolute TCP sequence number of the segment's first payload byte */
  seq: number;
  /** the ACK field of that segment, as an offset into the peer's stream (NaN if unknown) */
  ackRel: number;
}

/** The per-connection interface the assembler calls (gopacket's ReassembledSG / ReassemblyComplete). */
export interface StreamHandler {
  /** In-order bytes of direction `dir` (0 = initiator), buf[start, end) at stream offset `rel`. The buffer is only valid during the call. */
  data(dir: 0 | 1, buf: Buffer, start: number, end: number, rel: number, meta: SegmentMeta): void;
  /** Bytes [rel, rel+len) of direction `dir` were never seen in the capture. */
  gap(dir: 0 | 1, rel: number, len: number, frame: number, time: number, reason: string): void;
  /** A segment of direction `dir` acknowledged the peer's stream up to `ackRel`. `pure` when it carried no payload. */
  ack(dir: 0 | 1, ackRel: number, frame: number, time: number, pure: boolean): void;
  /** FIN or RST from `dir`. */
  close(dir: 0 | 1, kind: "fin" | "rst", frame: number, time: number): void;
}

export interface ReassemblyOptions {
  /** Out-of-order bytes buffered per direction before the hole is declared a gap. */
  maxOutOfOrderBytes: number;
  /** Out-of-order segments buffered per direction (segments cut to no payload count too). */
  maxOutOfOrderSegments: number;
  /** ACK/window records kept per direction (see window.ts); default MAX_WINDOW_RECORDS */
  maxWindowRecords?: number;
}

export const DEFAULT_REASSEMBLY: ReassemblyOptions = { maxOutOfOrderBytes: 4 * 1024 * 1024, maxOutOfOrderSegments: 4096 };

const TWO32 = 4294967296;
const TWO31 = 2147483648;

interface Pending {
  rel: number;
  data: Buffer;
  meta: SegmentMeta;
}

/** One direction of a TCP connection: sequence unwrapping, ordering, retransmission and gap handling. */
export class HalfStream {
  /** absolute seq of stream offset 0; -1 until known */
  base = -1;
  sawSyn = false;
  next = 0;
  /** offset the peer has acknowledged beyond what we saw */
  ackedUnseen = 0;
  /** stream offset of the FIN (its sequence number), and its frame; -1: no FIN */
  finRel = -1;
  finFrame = 0;
  /** offset of the sequence number of this direction's first RST, and the next offset the capture
   * expected then (NaN: no RST): equal when no byte of this direction is missing before the RST */
  rstRel = NaN;
  rstNext = NaN;
  finTime = 0;
  pending: Pending[] = [];
  pendingBytes = 0;
  retransmitted = 0;
  closed = false;
  /** packets seen in this direction (payload or not) */
  packets = 0;
  /** the peer's highest ACK of this stream: offset from `base` (or from `ackBase` while this side
   * sent nothing), the frame and time that carried it, and how far that ACK advanced the previous one */
  ackMax = -1;
  ackFrame = 0;
  ackTime = 0;
  ackStep = 0;
  /** the highest ACK was carried by (or came after) the peer's own FIN */
  ackAtPeerFin = false;
  /** absolute sequence number of the first ACK of this stream, while `base` is unknown */
  ackBase = -1;

  /** Offset in this stream of absolute sequence number `seq`, unwrapped near `next`. */
  rel(seq: number): number {
    const r32 = (seq - this.base + TWO32) % TWO32;
    const n32 = this.next % TWO32;
    let d = (r32 - n32 + TWO32) % TWO32;
    if (d >= TWO31) d -= TWO32;
    return this.next + d;
  }
}

/** The TCP layer's account of one direction for the application (smtp asks this, not the fields). */
export interface StreamSummary {
  retransmitted: number;
}

export class Reassembler {
  readonly dirs: [HalfStream, HalfStream] = [new HalfStream(), new HalfStream()];
  private readonly scratch: SegmentMeta = { frame: 0, time: 0, seq: 0, ackRel: 0 };
  /** ACK progress, windows and data-segment TTLs of both directions (read through `window`) */
  private readonly trace: WindowTrace;

  constructor(private readonly handler: StreamHandler, private readonly opts: ReassemblyOptions = DEFAULT_REASSEMBLY) {
    this.trace = new WindowTrace(opts.maxWindowRecords ?? MAX_WINDOW_RECORDS);
  }

  /** The ACK/window records and data TTLs (see window.ts). */
  get window(): WindowTrace {
    return this.trace;
  }

  /**
   * Feed one segment of direction `dir`. `payload` is buf[start, start+captured); `wireLen` is what
   * the segment carried; `window` the raw window field and `ttl` the IP TTL (-1: unknown).
   */
  segment(dir: 0 | 1, frame: number, time: number, seq: number, ack: number, flags: number,
    buf: Buffer, start: number, captured: number, wireLen: number, window = -1, ttl = -1): void {
    const h = this.dirs[dir];
    const peer = this.dirs[dir ^ 1];
    h.packets++;
    if (flags & TCP_SYN) {
      if (h.base < 0 || !h.sawSyn) {
        h.base = (seq + 1) % TWO32;
        h.ackMax = -1;
        h.sawSyn = true;
        h.next = 0;
      }
      seq = (seq + 1) % TWO32;
    }
    if (h.base < 0) {
      h.base = seq;
      h.ackMax = -1; // ACKs counted from the first ACK until now are recounted from the data
    }
    const ackRel = flags & TCP_ACK && peer.base >= 0 ? peer.rel(ack) : NaN;
    // one scratch object for in-order delivery; store() copies it for out-of-order segments
    const meta = this.scratch;
    meta.frame = frame;
    meta.time = time;
    meta.seq = seq;
    meta.ackRel = ackRel;
    // ACK/window records and data TTLs (WindowTrace.segment, its two halves called only when they apply)
    if (wireLen > 0 && ttl >= 0) this.trace.dataTtl(dir, frame, ttl);
    if ((flags & (TCP_ACK | TCP_SYN | TCP_RST)) === TCP_ACK && window >= 0) {
      // most segments neither move the ACK nor change the window: no call for them
      const w = this.trace.dirs[dir];
      if (ackRel > w.lastAck || window !== w.lastWin) this.trace.ack(dir, frame, time, ackRel, window);
    }
    if (wireLen > 0) this.payload(dir, h, buf, start, captured, wireLen, meta);
    if (flags & TCP_ACK) this.trackAck(peer, ack, ackRel, frame, time, (flags & TCP_FIN) !== 0 || h.closed);
    if (flags & TCP_ACK && peer.base >= 0) {
      this.handler.ack(dir, ackRel, frame, time, wireLen === 0);
      if (ackRel > peer.next) this.peerAcked((dir ^ 1) as 0 | 1, ackRel, frame, time);
    }
    if (flags & TCP_FIN && !h.closed) {
      h.closed = true;
      h.finRel = h.rel((seq + wireLen) % TWO32);
      h.finFrame = frame;
      h.finTime = time;
      this.flush(dir, frame, time, "FIN");
      this.handler.close(dir, "fin", frame, time);
    }
    if (flags & TCP_RST) {
      this.flush(dir, frame, time, "RST");
      if (h.rstRel !== h.rstRel && h.base >= 0) {
        h.rstRel = h.rel((seq + wireLen) % TWO32);
        // after a captured FIN the RST's sequence number is the one after the FIN's
        h.rstNext = h.closed && h.finRel >= 0 && h.next === h.finRel ? h.finRel + 1 : h.next;
      }
      this.handler.close(dir, "rst", frame, time);
    }
  }

  private payload(dir: 0 | 1, h: HalfStream, buf: Buffer, start: number, captured: number, wireLen: number, meta: SegmentMeta): void {
    const rel = h.rel(meta.seq);
    const end = rel + wireLen;
    if (end <= h.next) {
      h.retransmitted += wireLen;
      return;
    }
    if (rel > h.next) {
      if (h.ackedUnseen >= rel || h.pendingBytes + captured > this.opts.maxOutOfOrderBytes || h.pending.length >= this.opts.maxOutOfOrderSegments) {
        // the hole is known lost (the peer acknowledged past it) or the buffer is full
        this.drainWithGaps(dir, rel, meta.frame, meta.time, h.ackedUnseen >= rel ? "peer acknowledged bytes never seen in the capture" : "out-of-order buffer limit reached");
      } else {
        this.store(h, rel, buf, start, captured, wireLen, meta);
        return;
      }
    }
    this.deliver(dir, h, buf, start, captured, rel, wireLen, meta);
    this.drain(dir, h);
  }

  private store(h: HalfStream, rel: number, buf: Buffer, start: number, captured: number, wireLen: number, meta: SegmentMeta): void {
    const data = Buffer.from(buf.subarray(start, start + captured));
    // a segment cut by the snap length keeps its wire length through a zero-filled marker
    const p: Pending = { rel, data, meta: { ...meta } };
    if (captured < wireLen) (p as Pending & { wire: number }).wire = wireLen;
    let i = h.pending.length;
    while (i > 0 && h.pending[i - 1].rel > rel) i--;
    h.pending.splice(i, 0, p);
    h.pendingBytes += captured;
  }

  /** Deliver bytes [rel, rel+wireLen), of which `captured` are present; trims what was already delivered. */
  private deliver(dir: 0 | 1, h: HalfStream, buf: Buffer, start: number, captured: number, rel: number, wireLen: number, meta: SegmentMeta): void {
    let skip = h.next - rel;
    if (skip > 0) h.retransmitted += Math.min(skip, wireLen);
    else skip = 0;
    if (skip < captured) {
      this.handler.data(dir, buf, start + skip, start + captured, rel + skip, meta);
    }
    const end = rel + wireLen;
    const capEnd = rel + captured;
    if (capEnd < end) {
      const from = Math.max(capEnd, h.next);
      if (end > from) {
        this.handler.gap(dir, from, end - from, meta.frame, meta.time, "segment cut short by the capture's snap length");
      }
    }
    if (end > h.next) h.next = end;
  }

  private drain(dir: 0 | 1, h: HalfStream): void {
    while (h.pending.length > 0 && h.pending[0].rel <= h.next) {
      const p = h.pending.shift()!;
      h.pendingBytes -= p.data.length;
      const wire = (p as Pending & { wire?: number }).wire ?? p.data.length;
      if (p.rel + wire <= h.next) { h.retransmitted += wire; continue; }
      this.deliver(dir, h, p.data, 0, p.data.length, p.rel, wire, p.meta);
    }
  }

  /** Declare the hole before the first buffered segment (or before `upTo`) lost, and deliver what follows it. */
  private drainWithGaps(dir: 0 | 1, upTo: number, frame: number, time: number, reason: string): void {
    const h = this.dirs[dir];
    while (h.next < upTo) {
      const first = h.pending.length > 0 ? h.pending[0].rel : Infinity;
      const target = Math.min(first, upTo);
      if (target > h.next) {
        // name the first segment after the hole, as Wireshark's "previous segment not captured" does
        const after = first === target ? h.pending[0].meta : null;
        this.handler.gap(dir, h.next, target - h.next, after ? after.frame : frame, after ? after.time : time, reason);
        h.next = target;
      }
      this.drain(dir, h);
    }
    this.drain(dir, h);
  }

  /** Remember the peer's highest ACK of stream `h` (relative to the first ACK while `h` sent nothing). */
  private trackAck(h: HalfStream, ack: number, ackRel: number, frame: number, time: number, ackerFin: boolean): void {
    let off = ackRel;
    if (h.base < 0) {
      if (h.ackBase < 0) h.ackBase = ack;
      off = (ack - h.ackBase + TWO32) % TWO32;
      if (off >= TWO31) return;
    } else if (!(off >= 0)) return;
    if (off > h.ackMax) {
      h.ackStep = h.ackMax < 0 ? off : off - h.ackMax;
      h.ackMax = off;
      h.ackFrame = frame;
      h.ackTime = time;
      h.ackAtPeerFin = ackerFin;
    }
  }

  /**
   * Bytes of direction `dir` the peer acknowledged that the capture does not hold, after the last
   * byte seen (or, when this direction sent nothing, from the first ACK on). A FIN the capture
   * lacks takes one sequence number: the highest ACK is taken to cover it when its last advance
   * was a single sequence number, or when the acknowledging side had closed by then (a session
   * ends with the server's 221 and FIN before the client closes). `bytes` 0 with `fin`: only that
   * uncaptured FIN (which may also be one byte: the ACK cannot tell them apart).
   */
  unseenAcked(dir: 0 | 1): { bytes: number; fin: boolean; frame: number; time: number } | null {
    const h = this.dirs[dir];
    const seen = h.base < 0 ? 0 : h.next;
    let unseen: { bytes: number; fin: boolean; frame: number; time: number } | null = null;
    let beyond = h.ackMax < 0 ? 0 : h.ackMax - seen;
    if (beyond > 0) {
      // a FIN captured at the end of the stream, or (not captured) when the last ACK advanced by one
      const fin = h.closed ? beyond >= 1 : h.ackStep === 1 || h.ackAtPeerFin;
      if (fin) beyond--;
      if (beyond > 0) unseen = { bytes: beyond, fin: fin && !h.closed, frame: h.ackFrame, time: h.ackTime };
      // the ACK covers exactly one sequence number the capture lacks: the side's FIN (or one byte)
      else if (fin && !h.closed) unseen = { bytes: 0, fin: true, frame: h.ackFrame, time: h.ackTime };
    }
    // a FIN whose sequence number lies beyond the data: the bytes before it were sent, not captured
    if (h.finRel > seen && (unseen === null || h.finRel - seen > unseen.bytes)) return { bytes: h.finRel - seen, fin: false, frame: h.finFrame, time: h.finTime };
    return unseen;
  }

  /** Direction `dir`'s first RST: the stream offset its sequence number names (its payload
   * included) and the offset the capture had reached then; null without an RST. */
  rstSeq(dir: 0 | 1): { rel: number; next: number } | null {
    const h = this.dirs[dir];
    return h.rstRel === h.rstRel ? { rel: h.rstRel, next: h.rstNext } : null;
  }

  packets(dir: 0 | 1): number {
    return this.dirs[dir].packets;
  }

  private peerAcked(dir: 0 | 1, ackRel: number, frame: number, time: number): void {
    const h = this.dirs[dir];
    if (ackRel > h.ackedUnseen) h.ackedUnseen = ackRel;
    while (h.pending.length > 0 && h.pending[0].rel <= ackRel) {
      this.drainWithGaps(dir, h.pending[0].rel, frame, time, "peer acknowledged bytes never seen in the capture");
    }
  }

  /** What the application may ask of direction `dir` once the connection is done. */
  summary(dir: 0 | 1): StreamSummary {
    return { retransmitted: this.dirs[dir].retransmitted };
  }

  /** Deliver everything still buffered in direction `dir`, declaring holes as gaps. */
  flush(dir: 0 | 1, frame: number, time: number, why: string): void {
    const h = this.dirs[dir];
    while (h.pending.length > 0) {
      this.drainWithGaps(dir, h.pending[0].rel, frame, time, `bytes missing from the capture before ${why}`);
    }
  }
}
