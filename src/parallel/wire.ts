/**
 * The records the main thread sends each analysis worker (src/parallel/router.ts →
 * src/parallel/worker.ts), packed into batches: one ArrayBuffer per batch, transferred (not
 * copied) to the worker. A segment's payload is copied once, from the read buffer into its batch.
 * Little-endian, every record starts on a multiple of 8 bytes. Also the types both sides share.
 */

import type { AnalyzeOptions } from "../analyze.js";
import type { Finding } from "../rules/types.js";
import type { ReportContext } from "../report/reporter.js";

/** A session's output as the worker prepared it (what src/cli/report-file.ts holds). */
export interface Held<P = unknown> {
  tcpStream: number;
  severities: Finding["severity"][];
  body: P | null;
}

/** What a worker needs to prepare sessions as the file's reporter would. */
export interface WorkerSetup {
  opts: AnalyzeOptions;
  /** format name for loadFormat() */
  format: string;
  ctx: ReportContext;
  /** the file as the report names it, and its position among the files */
  file: string;
  n: number;
  /** the selection: which sessions are prepared at all (src/cli/report-file.ts) */
  select: { active: boolean; streams: number[]; sessions: boolean; onlyFindings: boolean } | null;

}

/** Messages from a worker. */
export type WorkerMessage =
  | { k: "end"; stream: number; session: boolean; server: string; offers: boolean; ask: boolean }
  | { k: "held"; stream: number; held: Held }
  | { k: "stats"; connectionsWithoutPayload: number; notSmtp: number }
  | { k: "error"; message: string };

/** What a worker is given when it starts. */
export interface WorkerRing {
  ring: SharedArrayBuffer;
  state: SharedArrayBuffer;
  slotBytes: number;
}

/** a followed connection starts: its Flow as the main thread knows it (JSON) */
export const OP_OPEN = 1;
/** a segment of a followed connection (numbers, then the captured payload) */
export const OP_SEG = 2;
/** the connection's handshake facts or first-data facts changed (JSON) */
export const OP_FACTS = 3;
/** Reassembler.flush(dir, frame, time, reason) */
export const OP_FLUSH = 4;
/** the connection ended: FlowApp.finish() */
export const OP_FINISH = 5;
/** a pcapng Decryption Secrets Block (type, text) */
export const OP_SECRETS = 6;
/** the file is damaged or cut: sessions that end from now on say so (text) */
export const OP_DAMAGE = 7;

/** the flow's state bits carried by OP_SEG and OP_FINISH */
export const B_SAW_SYN = 1;
export const B_FIN0 = 2;
export const B_FIN1 = 4;
export const B_RESET = 8;
/** OP_FINISH: the capture's clock, when the connection ended: known to have no fine times / has fine times */
export const B_COARSE = 16;
export const B_FINE = 32;

/** bytes of an OP_SEG record before its payload */
export const SEG_HEAD = 64;

/**
 * The batch being filled for one worker: a slot of the worker's ring (a SharedArrayBuffer the
 * worker reads in place: nothing is allocated or transferred per batch), or a buffer of its own
 * for a record larger than a slot.
 */
export class BatchWriter {
  view: DataView;
  bytes: Uint8Array;
  pos = 0;
  /** the batch holds an OP_FINISH: the main thread waits for its answer, so it is sent soon */
  hasFinish = false;

  constructor(buf: ArrayBufferLike, readonly offset: number, readonly size: number) {
    this.view = new DataView(buf, offset, size);
    this.bytes = new Uint8Array(buf, offset, size);
  }

  /** Room for `n` more bytes: false when the batch must be sent first. */
  fits(n: number): boolean {
    return this.pos + n <= this.size;
  }
}

/** Slot states in a worker's ring (Int32Array over a SharedArrayBuffer; the entry after the slots: the worker stopped). */
export const SLOT_FREE = 0;
export const SLOT_FULL = 1;

export function align(n: number): number {
  return (n + 7) & ~7;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A record of `op` with a 32-bit number and a text (JSON or plain): op u8, pad ×3, n u32, length u32, pad u32, text. */
export function textRecord(w: BatchWriter, op: number, n: number, text: string): void {
  const body = enc.encode(text);
  const len = align(16 + body.length);
  if (!w.fits(len)) throw new Error("batch full");
  const v = w.view, p = w.pos;
  v.setUint8(p, op);
  v.setUint32(p + 4, n, true);
  v.setUint32(p + 8, body.length, true);
  w.bytes.set(body, p + 16);
  w.pos = p + len;
}

/** Bytes a text record of `text` takes at most (UTF-8: 3 bytes a UTF-16 unit). */
export function textRecordSize(text: string): number {
  return align(16 + text.length * 3);
}

/** The text of a text record at `p`, and the position of the next record. */
export function readText(view: DataView, bytes: Uint8Array, p: number): { n: number; text: string; next: number } {
  const n = view.getUint32(p + 4, true);
  const len = view.getUint32(p + 8, true);
  return { n, text: dec.decode(bytes.subarray(p + 16, p + 16 + len)), next: p + align(16 + len) };
}
