import { pcapngBlock } from "./writer.js";
/**
 * Capture surgery for the metamorphic test: read every frame of a capture, find the TCP data
 * segments that were sent once (no retransmission carries the same bytes), and write the capture
 * again — whole, or without one frame — as pcapng with nanosecond timestamps, so that the intact
 * and the damaged copy differ only by that frame.
 */
import { readCapture } from "../../src/capture/source.js";
import { TcpPacket } from "../../src/tcp/decode.js";

export interface RawFrame {
  linkType: number;
  time: number;
  data: Buffer;
  origLen: number;
}

export interface DataSegment {
  /** index into the frame list (frame number - 1) */
  index: number;
  /** "addr:port>addr:port" of the sender */
  flow: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  len: number;
}

export async function readFrames(path: string): Promise<RawFrame[]> {
  const frames: RawFrame[] = [];
  await readCapture(path, (_frame, time, linkType, data, start, capLen, origLen) => {
    frames.push({ linkType, time, data: Buffer.from(data.subarray(start, start + capLen)), origLen });
  });
  return frames;
}

interface Tcp { index: number; flow: string; reverse: string; seq: number; ack: number | null; len: number; fin: boolean; rst: boolean }

function decodeAll(frames: RawFrame[]): Tcp[] {
  const p = new TcpPacket();
  const out: Tcp[] = [];
  frames.forEach((f, index) => {
    if (p.decode(f.linkType, f.data, 0, f.data.length) !== "tcp") return;
    const n = p.ipVersion === 4 ? 4 : 16;
    const src = f.data.toString("hex", p.srcAddrStart, p.srcAddrStart + n);
    const dst = f.data.toString("hex", p.dstAddrStart, p.dstAddrStart + n);
    out.push({
      index, flow: `${src}:${p.srcPort}>${dst}:${p.dstPort}`, reverse: `${dst}:${p.dstPort}>${src}:${p.srcPort}`,
      seq: p.seq >>> 0, ack: p.flags & 0x10 ? p.ack >>> 0 : null, len: p.payloadLen, fin: (p.flags & 0x01) !== 0, rst: (p.flags & 0x04) !== 0,
    });
  });
  return out;
}

/** a - b in sequence space (wrapping) */
const diff = (a: number, b: number): number => ((a - b + 2 ** 31) >>> 0) - 2 ** 31;

/**
 * TCP segments with payload whose bytes no other segment of the same direction carried. `traced`:
 * another packet before the connection's first RST shows the bytes were sent — the peer acknowledged
 * them, or the sender's later data or FIN lies beyond them — so an analysis can tell they are missing.
 */
export function dataSegmentsSentOnce(frames: RawFrame[]): (DataSegment & { traced: boolean })[] {
  const all = decodeAll(frames);
  const segs = all.filter((s) => s.len > 0);
  const byFlow = new Map<string, Tcp[]>();
  for (const s of segs) byFlow.set(s.flow, [...(byFlow.get(s.flow) ?? []), s]);
  return segs
    // sent once: no other segment of the direction overlaps its bytes
    .filter((s) => byFlow.get(s.flow)!.filter((o) => diff(o.seq, s.seq + s.len) < 0 && diff(s.seq, o.seq + o.len) < 0).length === 1)
    .map((s) => {
      const end = s.seq + s.len;
      const reset = all.find((o) => o.rst && (o.flow === s.flow || o.flow === s.reverse))?.index ?? Infinity;
      const traced = all.some((o) => o.index !== s.index && o.index < reset && (
        (o.flow === s.reverse && o.ack !== null && diff(o.ack, end) >= 0) ||
        (o.flow === s.flow && o.index > s.index && (o.len > 0 || o.fin) && diff(o.seq, end) >= 0)));
      const srcPort = Number(s.flow.split(">")[0].split(":")[1]);
      const dstPort = Number(s.flow.split(">")[1].split(":")[1]);
      return { index: s.index, flow: s.flow, srcPort, dstPort, seq: s.seq, len: s.len, traced };
    });
}

/**
 * The FIN segments without payload that were sent once (no other FIN of their direction), and
 * whether the peer acknowledged the FIN's sequence number before any reset (`traced`).
 */
export function finSegmentsSentOnce(frames: RawFrame[]): (DataSegment & { traced: boolean })[] {
  const all = decodeAll(frames);
  const fins = all.filter((s) => s.fin && s.len === 0);
  return fins
    .filter((s) => fins.filter((o) => o.flow === s.flow).length === 1)
    .map((s) => {
      const reset = all.find((o) => o.rst && (o.flow === s.flow || o.flow === s.reverse))?.index ?? Infinity;
      const traced = all.some((o) => o.index < reset && o.flow === s.reverse && o.ack !== null && diff(o.ack, s.seq + 1) >= 0);
      const srcPort = Number(s.flow.split(">")[0].split(":")[1]);
      const dstPort = Number(s.flow.split(">")[1].split(":")[1]);
      return { index: s.index, flow: s.flow, srcPort, dstPort, seq: s.seq, len: 0, traced };
    });
}

/** The frames as a pcapng file (one interface per link type, nanosecond timestamps), without frame `skip`. */
export function writeFrames(frames: RawFrame[], skip = -1): Buffer {
  const blocks: Buffer[] = [];
  const block = (type: number, body: Buffer) => blocks.push(pcapngBlock(type, body));
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeInt32LE(-1, 8);
  shb.writeInt32LE(-1, 12);
  block(0x0a0d0d0a, shb);
  const ifaces = new Map<number, number>();
  for (const f of frames) {
    if (ifaces.has(f.linkType)) continue;
    ifaces.set(f.linkType, ifaces.size);
    const idb = Buffer.alloc(8 + 8 + 4);
    idb.writeUInt16LE(f.linkType, 0);
    idb.writeUInt32LE(0, 4);
    // option if_tsresol (9) = 9: nanoseconds; then opt_endofopt
    idb.writeUInt16LE(9, 8);
    idb.writeUInt16LE(1, 10);
    idb.writeUInt8(9, 12);
    block(1, idb);
  }
  frames.forEach((f, i) => {
    if (i === skip) return;
    const body = Buffer.alloc(20 + f.data.length);
    const ns = BigInt(Math.round(f.time * 1e6)) * 1000n;
    body.writeUInt32LE(ifaces.get(f.linkType)!, 0);
    body.writeUInt32LE(Number(ns >> 32n), 4);
    body.writeUInt32LE(Number(ns & 0xffffffffn), 8);
    body.writeUInt32LE(f.data.length, 12);
    body.writeUInt32LE(f.origLen, 16);
    f.data.copy(body, 20);
    block(6, body);
  });
  return Buffer.concat(blocks);
}
