/**
 * Captures whose timestamps a float cannot hold: the packets of a Conversation written with
 * exact times given as integers (nanoseconds, or ticks of a pcapng interface's resolution), as
 * a nanosecond pcap or a pcapng with any if_tsresol and if_tsoffset.
 */
import { conv } from "./fixtures.js";
import { frameFor, pcapngBlock, type Packet } from "./writer.js";

/** 2025-11-28T03:20:00Z */
export const EPOCH_2025 = 1764300000n;

/** Exact times in ns: frame i at EPOCH_2025 + .123456789 s + i × 100.000001 ms (each fraction has 9 significant digits a float loses). */
export function exactTimes(n: number, start = EPOCH_2025 * 1_000_000_000n + 123_456_789n): bigint[] {
  return Array.from({ length: n }, (_, i) => start + BigInt(i) * 100_000_001n);
}

/** `sec.nnnnnnnnn` of an exact ns time, as tshark's frame.time_epoch prints it. */
export function epochString(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  return `${s}.${String(ns % 1_000_000_000n).padStart(9, "0")}`;
}

/** ISO 8601 UTC of an exact ns time, with 9 digits. */
export function isoOf(ns: bigint, offsetMinutes = 0): string {
  const sec = ns / 1_000_000_000n;
  const frac = String(ns % 1_000_000_000n).padStart(9, "0");
  const date = new Date((Number(sec) + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
  if (offsetMinutes === 0) return `${date}.${frac}Z`;
  const a = Math.abs(offsetMinutes);
  return `${date}.${frac}${offsetMinutes < 0 ? "-" : "+"}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

/** A nanosecond pcap (magic a1b23c4d) of `packets`, frame i at `ns[i]` (epoch nanoseconds). */
export function nanoPcap(packets: Packet[], ns: bigint[], bigEndian = false): Buffer {
  const u32 = (v: number) => { const b = Buffer.alloc(4); if (bigEndian) b.writeUInt32BE(v >>> 0); else b.writeUInt32LE(v >>> 0); return b; };
  const u16 = (v: number) => { const b = Buffer.alloc(2); if (bigEndian) b.writeUInt16BE(v); else b.writeUInt16LE(v); return b; };
  const parts = [Buffer.concat([u32(0xa1b23c4d), u16(2), u16(4), u32(0), u32(0), u32(262144), u32(1)])];
  packets.forEach((p, i) => {
    const f = frameFor(p, "ethernet");
    parts.push(Buffer.concat([u32(Number(ns[i] / 1_000_000_000n)), u32(Number(ns[i] % 1_000_000_000n)), u32(f.length), u32(f.length), f]));
  });
  return Buffer.concat(parts);
}

export interface NgInterface {
  /** the if_tsresol octet (9: ns; 0x80 | n: 2^-n s) */
  tsresol: number;
  /** if_tsoffset in seconds, if any */
  tsoffset?: bigint;
}

/** A pcapng of `packets` on one interface, frame i at `ticks[i]` units of the interface's resolution. */
export function ticksPcapng(packets: Packet[], ticks: bigint[], iface: NgInterface, bigEndian = false): Buffer {
  const u32 = (v: number) => { const b = Buffer.alloc(4); if (bigEndian) b.writeUInt32BE(v >>> 0); else b.writeUInt32LE(v >>> 0); return b; };
  const u16 = (v: number) => { const b = Buffer.alloc(2); if (bigEndian) b.writeUInt16BE(v); else b.writeUInt16LE(v); return b; };
  const block = (type: number, body: Buffer) => pcapngBlock(type, body, bigEndian);
  const parts = [block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d), u16(1), u16(0), u32(0xffffffff), u32(0xffffffff)]))];
  const opts = [u16(9), u16(1), Buffer.from([iface.tsresol, 0, 0, 0])];
  if (iface.tsoffset !== undefined) {
    const o = Buffer.alloc(8);
    if (bigEndian) o.writeBigInt64BE(iface.tsoffset);
    else o.writeBigInt64LE(iface.tsoffset);
    opts.push(u16(14), u16(8), o);
  }
  opts.push(u16(0), u16(0));
  parts.push(block(1, Buffer.concat([u16(1), u16(0), u32(0), ...opts])));
  packets.forEach((p, i) => {
    const f = frameFor(p, "ethernet");
    parts.push(block(6, Buffer.concat([u32(0), u32(Number(ticks[i] >> 32n)), u32(Number(ticks[i] & 0xffffffffn)), u32(f.length), u32(f.length), f])));
  });
  return Buffer.concat(parts);
}

/** Epoch nanoseconds of `ticks` at 2^-n s a tick, truncated as wiretap does, plus `offset` seconds. */
export function binaryTicksToNs(ticks: bigint, n: number, offset = 0n): bigint {
  const units = 1n << BigInt(n);
  return (ticks / units + offset) * 1_000_000_000n + ((ticks % units) * 1_000_000_000n) / units;
}

/** The parts of the JSON report (one file record) the time tests read. */
export interface TimedJ { frame: number; time: number; timeIso: string }
export interface ItemJ { verb?: string; code?: number; frames: number[]; time: number; timeIso: string; segments: TimedJ[] }
export interface FindingJ { rule: string; frames: number[]; timeIso: string }
export interface SessionJ {
  firstFrame: number;
  lastFrame: number;
  startTime: number;
  startTimeIso: string;
  endTime: number;
  endTimeIso: string;
  commands: ItemJ[];
  replies: ItemJ[];
  close: { client: TimedJ | null; server: TimedJ | null };
  findings: FindingJ[];
}
export interface FileJ { firstTimeIso: string | null; lastTimeIso: string | null; sessions: SessionJ[]; findings: FindingJ[] }

/** 12 frames: handshake, 220, EHLO, 250, MAIL, `250 ok` ended by a bare LF (a finding, frame 8), QUIT, 221, FINs. */
export function session(): Packet[] {
  const c = conv().handshake();
  c.server("220 mx.example.test ESMTP\r\n").client("EHLO client.example.test\r\n").server("250-mx.example.test\r\n250 PIPELINING\r\n");
  c.client("MAIL FROM:<a@example.test>\r\n").server("250 ok\n");
  c.client("QUIT\r\n").server("221 bye\r\n").fin("server").fin("client");
  return c.packets;
}
