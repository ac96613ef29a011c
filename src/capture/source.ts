import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { Clock } from "./clock.js";
import { PcapParser } from "./pcap.js";
import { PcapngParser } from "./pcapng.js";
import type { CaptureFormat, FormatParser, FrameSink, ReadProblem, SecretsSink } from "./types.js";

export const CHUNK_SIZE = 1 << 20;

export interface ReadResult {
  format: CaptureFormat | "unknown";
  gzip: boolean;
  frames: number;
  /** bytes of capture read (after decompression) */
  bytes: number;
  problems: ReadProblem[];
}

/** Which capture format a file starts with, or null. */
export function sniffFormat(head: Buffer): CaptureFormat | "gzip" | null {
  if (head.length < 4) return null;
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  const m = head.readUInt32LE(0);
  if (m === 0x0a0d0d0a) return "pcapng";
  if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1) return "pcap";
  if (m === 0xa1b23c4d || m === 0x4d3cb2a1) return "pcap-ns";
  if (m === 0xa1b2cd34 || m === 0x34cdb2a1) return "pcap-modified";
  return null;
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && e.code === "ENOENT") return "no such file";
  if (e && e.code === "EISDIR") return "is a directory";
  if (e && e.code === "EACCES") return "permission denied";
  if (e && e.code === "Z_BUF_ERROR") return "gzip stream ends early";
  if (e && typeof e.code === "string" && e.code.startsWith("Z_")) return `gzip data is corrupt (${e.message})`;
  return e && e.message ? e.message : String(err);
}

/**
 * Streams a capture file ("-" for standard input) through the right format parser, in chunks
 * of CHUNK_SIZE, calling `sink` once per frame. Never throws for bad input: problems are returned.
 * `clock`, if given, receives the exact times of frames whose resolution is finer than 1 µs.
 */
export async function readCapture(path: string, sink: FrameSink, clock: Clock | null = null, secrets: SecretsSink | null = null): Promise<ReadResult> {
  if (path === "-") return readStream(path, sink, clock, secrets);
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (err) {
    return { format: "unknown", gzip: false, frames: 0, bytes: 0, problems: [{ level: "error", message: describe(err), offset: 0 }] };
  }
  try {
    const result = await readDirect(fh, sink, clock, secrets);
    if (result !== "gzip") return result;
  } catch (err) {
    return { format: "unknown", gzip: false, frames: 0, bytes: 0, problems: [{ level: "error", message: describe(err), offset: 0 }] };
  } finally {
    await fh.close();
  }
  return readStream(path, sink, clock, secrets);
}

/** Largest partial record the direct reader carries across reads (pcapng blocks are capped lower). */
const MAX_DIRECT_BUFFER = 64 * 1024 * 1024;
/** Room kept in front of each read for the partial record left over from the previous one. */
const HEADROOM = 256 * 1024;

const READ_SIZE = 4 * CHUNK_SIZE;
/** Read buffers kept for the next file: a batch worker reads hundreds of files, and fresh 4 MiB
 * buffers for each would count as external memory and drive the garbage collector. */
const spareBuffers: Buffer[] = [];
const takeBuffer = (): Buffer => spareBuffers.pop() ?? Buffer.allocUnsafe(HEADROOM + READ_SIZE);

/**
 * Plain files: two buffers, so the next read is in flight while this one is parsed (records are
 * parsed in place). The partial record at the end of a read is copied in front of the next read's
 * data; only a record larger than the headroom (rare: pcapng blocks) is joined by concatenation.
 */
async function readDirect(fh: FileHandle, sink: FrameSink, clock: Clock | null, secrets: SecretsSink | null): Promise<ReadResult | "gzip"> {
  const result: ReadResult = { format: "unknown", gzip: false, frames: 0, bytes: 0, problems: [] };
  const size = READ_SIZE;
  const bufs = [takeBuffer(), takeBuffer()];
  let cur = 0;
  let filePos = 0;
  let pending = fh.read(bufs[0], HEADROOM, size, 0);
  let left: Buffer = bufs[1].subarray(0, 0);
  let base = 0;
  let parser: FormatParser | null = null;
  let stopped = false;
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      filePos += bytesRead;
      result.bytes += bytesRead;
      const buf = bufs[cur];
      let view: Buffer;
      if (left.length <= HEADROOM) {
        left.copy(buf, HEADROOM - left.length);
        view = buf.subarray(HEADROOM - left.length, HEADROOM + bytesRead);
      } else {
        view = Buffer.concat([left, buf.subarray(HEADROOM, HEADROOM + bytesRead)]);
      }
      cur = 1 - cur;
      pending = fh.read(bufs[cur], HEADROOM, size, filePos);
      if (parser === null) {
        if (view.length >= 2 && view[0] === 0x1f && view[1] === 0x8b && base === 0) return "gzip";
        if (view.length < 4) { left = view; continue; }
        const kind = sniffFormat(view.subarray(0, 4));
        if (kind === null || kind === "gzip") {
          result.problems.push({ level: "error", message: `not a capture file (starts with ${view.toString("hex", 0, 4)}; expected pcap or pcapng)`, offset: 0 });
          return result;
        }
        parser = kind === "pcapng" ? new PcapngParser(sink, clock, secrets) : new PcapParser(sink, clock);
      }
      const used = parser.parseAt(view, base);
      if (used < 0) { stopped = true; break; }
      base += used;
      left = view.subarray(used);
      if (left.length >= MAX_DIRECT_BUFFER) break;
    }
  } finally {
    // never close the file under a read still in flight
    await pending.catch(() => undefined);
    if (spareBuffers.length < 4) spareBuffers.push(...bufs);
  }
  if (parser === null) {
    result.problems.push({ level: "error", message: result.bytes === 0 ? "empty file" : `file too short to be a capture (${result.bytes} bytes)`, offset: 0 });
    return result;
  }
  if (!stopped) parser.endAt(left, 0, base);
  result.format = parser.format;
  result.frames = parser.frames;
  result.problems.push(...parser.problems);
  return result;
}

/** The size of readStream's two buffers (a chunk of a pipe is 64 KiB, of gunzip 256 KiB). */
const STREAM_BUFFER = CHUNK_SIZE;

/** The gzip stream stopped without its end (a killed `tcpdump | gzip`). */
const GZIP_CUT = "the gzip stream ends early (the file was cut)";

/** Standard input and gzip files: a stream of chunks. Problems of a gzip file have offsets in
 * the decompressed stream (`offsetText`). */
async function readStream(path: string, sink: FrameSink, clock: Clock | null, secrets: SecretsSink | null): Promise<ReadResult> {
  const result: ReadResult = { format: "unknown", gzip: false, frames: 0, bytes: 0, problems: [] };
  const raw: Readable = path === "-" ? process.stdin : createReadStream(path, { highWaterMark: CHUNK_SIZE });
  let input: Readable = raw;
  let parser: FormatParser | null = null;
  let head: Buffer = Buffer.alloc(0);
  let stage = "sniff" as "sniff" | "parse" | "stopped";
  let gzipCut = false;
  let gzipError: ReadProblem | null = null;

  // each chunk is copied behind the partial record left over from the one before, into two
  // buffers used in turn (as readDirect's: a frame's bytes stay valid while the next chunk is
  // parsed), and parsed in place: no joined buffer per chunk. A new 64 KiB one per read of a pipe
  // (and the read's own) left the allocator's heap growing over a long `watch` (issue #23)
  const bufs: Buffer[] = [];
  let cur = 0;
  let left: Buffer = Buffer.alloc(0);
  let base = 0;
  const parse = (chunk: Buffer): boolean => {
    const n = left.length + chunk.length;
    let buf = bufs[cur];
    // a larger one only for a record larger than the buffer, and not kept after it
    if (buf === undefined || buf.length < n || (buf.length > STREAM_BUFFER && n <= STREAM_BUFFER)) buf = bufs[cur] = Buffer.allocUnsafeSlow(Math.max(n, STREAM_BUFFER));
    left.copy(buf, 0);
    chunk.copy(buf, left.length);
    cur = 1 - cur;
    const view = buf.subarray(0, n);
    const used = parser!.parseAt(view, base);
    if (used < 0) return false;
    base += used;
    left = view.subarray(used);
    return true;
  };

  const feed = (chunk: Buffer): void => {
    if (stage === "stopped") return;
    result.bytes += chunk.length;
    if (stage === "sniff") {
      head = head.length ? Buffer.concat([head, chunk]) : chunk;
      if (head.length < 4) return;
      const kind = sniffFormat(head);
      if (kind === null || kind === "gzip") {
        result.problems.push({ level: "error", message: `not a capture file (starts with ${head.subarray(0, 4).toString("hex")}; expected pcap or pcapng)`, offset: 0 });
        stage = "stopped";
        return;
      }
      parser = kind === "pcapng" ? new PcapngParser(sink, clock, secrets) : new PcapParser(sink, clock);
      result.format = parser.format;
      stage = "parse";
      chunk = head;
    }
    if (!parse(chunk)) stage = "stopped";
  };

  try {
    // Peek at the first bytes to decide on gzip, by magic and never by name.
    const iter = raw[Symbol.asyncIterator]();
    const first = await iter.next();
    if (first.done) {
      result.problems.push({ level: "error", message: "empty file", offset: 0 });
      return result;
    }
    const firstChunk = first.value as Buffer;
    if (firstChunk.length >= 2 && firstChunk[0] === 0x1f && firstChunk[1] === 0x8b) {
      result.gzip = true;
      // loaded here: most captures are not compressed, and node:zlib costs every run ~2 ms to load
      const { createGunzip } = await import("node:zlib");
      const gunzip = createGunzip({ chunkSize: 256 * 1024 });
      gunzip.on("error", () => {}); // surfaced by the for-await below
      gunzip.write(firstChunk);
      (async () => {
        try {
          for (;;) {
            const n = await iter.next();
            if (n.done || gunzip.destroyed) break;
            if (!gunzip.write(n.value)) await new Promise((r) => gunzip.once("drain", r));
          }
          gunzip.end();
        } catch (err) {
          gunzip.destroy(err as Error);
        }
      })();
      input = gunzip;
      for await (const chunk of input) {
        feed(chunk as Buffer);
        if (stage === "stopped") break;
      }
    } else {
      feed(firstChunk);
      if (stage !== "stopped") {
        for (;;) {
          const n = await iter.next();
          if (n.done) break;
          feed(n.value as Buffer);
          if ((stage as string) === "stopped") break;
        }
      }
    }
  } catch (err) {
    // a gzip stream that simply stops (`tcpdump | gzip` killed) is a cut file, not a damaged one:
    // what decompressed is read, as for a plain capture whose last record is cut short
    if (result.gzip && (err as NodeJS.ErrnoException).code === "Z_BUF_ERROR") gzipCut = true;
    else {
      gzipError = { level: "error", message: describe(err), offset: result.bytes };
      result.problems.push(gzipError);
    }
  } finally {
    if (path !== "-") raw.destroy();
    if (input !== raw) input.destroy();
  }
  if (stage === "sniff" && result.problems.length === 0) {
    result.problems.push({ level: "error", message: gzipCut ? `${GZIP_CUT} after ${result.bytes} decompressed bytes, too few for a capture header` : `file too short to be a capture (${result.bytes} bytes)`, offset: 0 });
  }
  const p = parser as FormatParser | null;
  if (p) {
    const before = p.problems.length;
    p.endAt(left, 0, base);
    result.format = p.format;
    result.frames = p.frames;
    if (gzipError && p.problems.length > before) {
      // damage found while a record was still partly read: one problem, where reading stopped
      const left = p.problems.splice(before)[0];
      if (left.level === "warning") {
        gzipError.offset = left.offset;
        gzipError.message += "; the records from here on were not read";
      } else p.problems.push(left);
    }
    if (gzipCut && stage !== "stopped") {
      // one problem: the record the cut fell in (or the header), else the cut between records
      const cut = p.problems[before];
      if (cut) cut.message += `; ${GZIP_CUT}`;
      else p.problems.push({ level: "warning", message: `truncated: ${GZIP_CUT} after a whole ${p.format === "pcapng" ? "block" : "record"}`, offset: result.bytes });
    }
    result.problems.push(...p.problems);
  }
  return result;
}

/** How `smtpcap watch --follow` follows a growing capture file and the files tcpdump rotates it into. */
export interface FollowOptions {
  /** how often to look for more data, in ms (default 200) */
  pollMs?: number;
  /** reading stops (at the end of what has been written) once this is aborted: SIGINT, SIGTERM */
  signal?: AbortSignal;
  /** a next file of the series is taken: its name, and the number its frame 1 gets here */
  onFile?: (path: string, firstFrame: number) => void;
}

/** Name order with digit runs compared as numbers: cap.pcap < cap.pcap1 < cap.pcap2 < cap.pcap10. */
export function naturalCompare(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i], y = rb[i];
    if (x === y) continue;
    const dx = /^\d/.test(x), dy = /^\d/.test(y);
    if (dx && dy) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return x < y ? -1 : 1;
  }
  return ra.length - rb.length;
}

/**
 * The file after `current` in its rotation series, or null: in the same directory, a name equal to
 * `current`'s once every digit is removed (tcpdump -C: cap.pcap, cap.pcap1, cap.pcap2 …; -G with
 * a strftime name: cap-20261207-0100.pcap, cap-20261207-0105.pcap …), the first after `current`
 * in name order with digit runs compared as numbers (naturalCompare).
 */
export async function nextInSeries(current: string): Promise<string | null> {
  const { readdir } = await import("node:fs/promises");
  const { basename, dirname, join } = await import("node:path");
  const dir = dirname(current);
  const name = basename(current);
  const stem = name.replace(/\d+/g, "");
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  let best: string | null = null;
  for (const n of names) {
    if (n === name || n.replace(/\d+/g, "") !== stem || naturalCompare(n, name) <= 0) continue;
    if (best === null || naturalCompare(n, best) < 0) best = n;
  }
  return best === null ? null : join(dir, best);
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(done, ms);
  function done() {
    clearTimeout(t);
    signal?.removeEventListener("abort", done);
    resolve();
  }
  signal?.addEventListener("abort", done, { once: true });
});

/**
 * `tail -f` for a capture: reads `path` as it grows; when it stops growing and the next file of
 * its rotation series (nextInSeries) exists, finishes it and goes on with that file, a new capture
 * header and all. Frame numbers continue across files (those of the files concatenated, as
 * `mergecap -a` writes them); byte offsets of problems are within the file they name. Stops when
 * `signal` is aborted. Never throws for bad input.
 */
export async function followCapture(path: string, sink: FrameSink, clock: Clock | null = null, secrets: SecretsSink | null = null, opts: FollowOptions = {}): Promise<ReadResult> {
  const result: ReadResult = { format: "unknown", gzip: false, frames: 0, bytes: 0, problems: [] };
  const poll = opts.pollMs ?? 200;
  const buf = Buffer.allocUnsafe(CHUNK_SIZE);
  let file = path;
  let first = true;
  for (;;) {
    let fh: FileHandle;
    try {
      fh = await open(file, "r");
    } catch (err) {
      result.problems.push({ level: "error", message: first ? describe(err) : `${describe(err)} (in ${file})`, offset: 0 });
      return result;
    }
    const where = (m: string) => (first ? m : `${m} (in ${file}; the byte offset is that file's)`);
    let parser: PcapParser | PcapngParser | null = null;
    let head: Buffer = Buffer.alloc(0);
    let pos = 0;
    let stopped = false;
    let next: string | null = null;
    try {
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead > 0) {
          pos += bytesRead;
          result.bytes += bytesRead;
          let chunk: Buffer = Buffer.from(buf.subarray(0, bytesRead));
          if (parser === null) {
            head = head.length ? Buffer.concat([head, chunk]) : chunk;
            if (head.length < 4) continue;
            const kind = sniffFormat(head);
            if (kind === null || kind === "gzip") {
              result.problems.push({ level: "error", message: where(kind === "gzip" ? "a gzip file cannot be followed (--follow reads what tcpdump -w writes)" : `not a capture file (starts with ${head.toString("hex", 0, 4)}; expected pcap or pcapng)`), offset: 0 });
              stopped = true;
              break;
            }
            parser = kind === "pcapng" ? new PcapngParser(sink, clock, secrets) : new PcapParser(sink, clock);
            // frame numbers go on from the files before
            parser.frames = result.frames;
            if (first) result.format = parser.format;
            chunk = head;
          }
          if (!parser.push(chunk)) { stopped = true; break; }
          continue;
        }
        // at the end of what is written: a next file of the series means this one is complete
        // (one more read first: tcpdump writes its last packets before it opens the next file)
        if (next !== null) break;
        if (opts.signal?.aborted) break;
        next = await nextInSeries(file);
        if (next !== null) continue;
        await sleep(poll, opts.signal);
      }
    } finally {
      await fh.close();
    }
    if (parser === null && !stopped) {
      result.problems.push({ level: "error", message: where(pos === 0 ? "empty file" : `file too short to be a capture (${pos} bytes)`), offset: 0 });
      return result;
    }
    if (parser !== null) {
      parser.end();
      result.frames = parser.frames;
      for (const p of parser.problems) result.problems.push({ ...p, message: where(p.message) });
    }
    if (stopped || next === null) return result;
    file = next;
    first = false;
    opts.onFile?.(file, result.frames + 1);
  }
}
