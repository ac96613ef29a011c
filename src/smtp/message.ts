import type { SegmentMeta } from "../tcp/reassembly.js";
import type { NewCommand } from "./auth-exchange.js";
import { DataScanner } from "./data.js";
import { addPiece, uniqueFrames } from "./lines.js";
import type { Command, Mailer, MessageStats } from "./model.js";

/** octets of message content kept with --show-data */
export const MAX_DATA_KEPT = 64 * 1024;
/** octets after a non-standard end of data, in its segment, kept to be read as commands if the server ends the message there */
const MAX_TAIL_KEPT = 1024;

/** octets of a message header read for its X-Mailer / User-Agent and Received fields */
const MAX_HEADER_SCANNED = 8 * 1024;

/**
 * Reads the start of a message's header for the X-Mailer or User-Agent field (the software that
 * wrote the message) and for a Received field (RFC 5321 §4.4: a relay adds one), up to the empty
 * line that ends the header or MAX_HEADER_SCANNED octets. Keeps only the product token: header
 * values can hold user addresses, and no word with `@` or `<` is kept.
 */
class HeaderScan {
  private text = "";
  /** [offset into text, frame] of each piece appended */
  private pieces: number[] = [];

  /** buf[pos, end) from segment `frame`; returns the finding once the header is complete, else undefined */
  feed(buf: Buffer, pos: number, end: number, frame: number): Mailer | null | undefined {
    const room = MAX_HEADER_SCANNED - this.text.length;
    const n = Math.min(end - pos, room);
    if (n > 0) {
      this.pieces.push(this.text.length, frame);
      this.text += buf.toString("latin1", pos, pos + n);
    }
    const t = this.text;
    let stop = t.startsWith("\r\n") || t.startsWith("\n") ? 0 : t.indexOf("\n\r\n");
    if (stop < 0) stop = t.indexOf("\n\n");
    if (stop < 0 && t.length < MAX_HEADER_SCANNED) return undefined;
    return this.result(stop < 0 ? t.length : stop);
  }

  /** The message ended (or was cut) before the header did. */
  finish(): Mailer | null {
    return this.text.length ? this.result(this.text.length) : null;
  }

  private result(stop: number): Mailer | null {
    const t = this.text;
    let mailer: { field: "X-Mailer" | "User-Agent"; value: string; at: number } | null = null;
    let received = false;
    let at = 0;
    while (at < stop) {
      let nl = t.indexOf("\n", at);
      if (nl < 0 || nl > stop) nl = stop;
      const line = t.slice(at, nl).replace(/\r$/, "");
      if (/^Received:/i.test(line)) received = true;
      else if (mailer === null) {
        const m = /^(X-Mailer|User-Agent):[ \t]*(.*)$/i.exec(line);
        if (m) {
          const value = productToken(m[2]);
          if (value !== "") mailer = { field: m[1].toLowerCase() === "x-mailer" ? "X-Mailer" : "User-Agent", value, at };
        }
      }
      at = nl + 1;
    }
    if (mailer === null) return null;
    let frame = this.pieces[1];
    for (let i = 0; i < this.pieces.length; i += 2) if (this.pieces[i] <= mailer.at) frame = this.pieces[i + 1];
    return { field: mailer.field, value: mailer.value, frame, received };
  }
}

/** A header value cut to its product token: printable ASCII words up to the first with `@` or `<`, 80 characters at most. */
function productToken(v: string): string {
  const out: string[] = [];
  for (const w of v.trim().split(/[ \t]+/)) {
    if (w === "" ) continue;
    if (/[@<>]/.test(w) || !/^[\x21-\x7e]+$/.test(w)) break;
    out.push(w);
  }
  const s = out.join(" ");
  return s.length <= 80 ? s : s.slice(0, 80);
}

/** Client bytes to read again as commands: buf at client offset `rel`, from segment `meta`. */
export interface Tail {
  buf: Buffer;
  rel: number;
  meta: SegmentMeta;
}

/**
 * Message content after DATA's 354 (RFC 5321 §4.1.1.4): one "message" slot per message, its
 * segments, the scanner's statistics, and where it ends (CRLF.CRLF, or where the server took a
 * non-standard end as the end).
 */
export class MessageReader {
  private scanner: DataScanner | null = null;
  /** the message being received (null until its first octet arrives) */
  message: Command | null = null;
  /** the octets after a non-standard end of data in the segment that carried it (the last segment so far) */
  private tail: Tail | null = null;
  /** the header being read for its X-Mailer / User-Agent (null once done) */
  private head: HeaderScan | null = null;

  constructor(private readonly showData: boolean, private readonly maxSegments: number, private readonly newCommand: NewCommand) {}

  /** DATA's line ended at client offset `start`: content may follow (the 354 decides). */
  begin(start: number): void {
    this.scanner = new DataScanner(start);
    this.message = null;
  }

  /** DATA was refused before any content came: no message. */
  cancel(): void {
    this.scanner = null;
  }

  /** Content octets buf[pos, end) at client offset base + pos. Returns the position after the end of data, or -1. */
  feed(buf: Buffer, pos: number, end: number, base: number, meta: SegmentMeta, relBase: number): number {
    if (this.message === null) {
      const cmd = this.newCommand("message", "", "", base + pos, meta.time);
      cmd.message = this.scanner!.stats;
      this.message = cmd;
      this.head = new HeaderScan();
    }
    const msg = this.message;
    const stop = this.scanner!.scan(buf, pos, end, base + pos, meta.frame);
    const until = stop < 0 ? end : stop;
    const st = msg.message!;
    if (this.head !== null) {
      const m = this.head.feed(buf, pos, until, meta.frame);
      if (m !== undefined) this.header(st, m);
    }
    if (this.showData) {
      const kept = st.content ?? "";
      if (kept.length < MAX_DATA_KEPT) st.content = kept + buf.toString("latin1", pos, Math.min(until, pos + MAX_DATA_KEPT - kept.length));
    }
    st.segments++;
    const segs = msg.segments;
    const last = segs.length > 0 ? segs[segs.length - 1] : null;
    if (segs.length < this.maxSegments || (last !== null && last.frame === meta.frame && last.end === base + pos)) {
      addPiece(segs, meta.frame, meta.time, base + pos, base + until, meta.ackRel, relBase, 0, stop >= 0, this.maxSegments);
    }
    msg.end = base + until;
    if (stop >= 0) this.end();
    else {
      // the segment ends the message so far right after a non-standard end of data and a few octets
      const fake = this.scanner!.atFakeEnd;
      this.tail = fake !== null && fake.end > base + pos && fake.end < base + end && base + end - fake.end <= MAX_TAIL_KEPT
        ? { buf: Buffer.from(buf.subarray(fake.end - base, end)), rel: fake.end, meta: { ...meta } } : null;
    }
    return stop;
  }

  /** `len` octets of content were lost: end-of-data detection is uncertain. */
  gap(len: number): void {
    if (this.scanner) this.scanner.markGap(len);
    if (this.message?.message) this.message.message.gap = true;
  }

  /**
   * The server answered the message while the client had not sent CRLF.CRLF. If the message so far
   * ends exactly with a non-standard end-of-data (a bare-LF ".", say), the server took that as the
   * end (server-accepts-nonstandard-eod reports it): the message ends there. So it does when the
   * octets after that sequence came in its segment (`\r\n.\n\n`): the server read them as
   * commands, and they are returned (`tail`) to be read so. Returns that sequence's frame and text,
   * or null when the message goes on.
   */
  serverEnded(): { frame: number; sequence: string; tail: Tail | null } | null {
    const msg = this.message!;
    const st = msg.message!;
    const fake = st.nonstandardEnds[st.nonstandardEnds.length - 1];
    if (!fake || st.endOfData !== null) return null;
    let tail: Tail | null = null;
    if (fake.end !== msg.end) {
      tail = this.tail;
      const at = this.scanner?.atFakeEnd;
      if (tail === null || !at || at.end !== fake.end || tail.rel !== fake.end || fake.end + tail.buf.length !== msg.end) return null;
      this.cutAt(msg, at.stats, tail);
    }
    st.endOfData = fake.sequence;
    st.endFrame = fake.frame;
    st.endOffset = fake.end;
    this.end();
    return { frame: fake.frame, sequence: fake.sequence, tail };
  }

  /** The message ends before `tail` after all: its statistics as they were there, its last piece cut. */
  private cutAt(msg: Command, before: MessageStats, tail: Tail): void {
    const st = msg.message!;
    const n = tail.buf.length;
    let eight = 0;
    for (let i = 0; i < n; i++) if (tail.buf[i] >= 0x80) eight++;
    const bytes = st.bytes - n, eightBit = st.eightBit - eight, segments = st.segments, content = st.content;
    Object.assign(st, before, { bytes, eightBit, segments });
    if (content !== undefined) st.content = content.slice(0, bytes);
    msg.end = tail.rel;
    const last = msg.segments[msg.segments.length - 1];
    if (last !== undefined && last.end > tail.rel) {
      last.end = tail.rel;
      last.bytes = last.end - last.start;
      last.lines.push(0);
      last.midLine = false;
    }
  }

  /** The header was read: its mailer, if any, is kept with the message. */
  private header(st: MessageStats, m: Mailer | null): void {
    if (m !== null) st.mailer = m;
    this.head = null;
  }

  /** The message ended (or the session did): its frames and summary line. */
  end(): void {
    const msg = this.message;
    if (msg !== null) {
      const st = msg.message!;
      if (this.head !== null) this.header(st, this.head.finish());
      msg.frames = uniqueFrames(msg.segments);
      msg.line = `<message: ${st.bytes} bytes, ${st.lines} lines${st.endOfData === null ? ", no end-of-data" : ""}>`;
    }
    this.message = null;
    this.scanner = null;
    this.tail = null;
  }
}

/** BDAT chunks (RFC 3030 §2): the octets after a well-formed BDAT line belong to its command. */
export class BdatReader {
  private cmd: Command | null = null;
  /** chunk octets still due */
  left = 0;

  constructor(private readonly maxSegments: number) {}

  /** A complete BDAT command line; true when its chunk follows (the size is well-formed and not zero). */
  command(cmd: Command, args: string): boolean {
    const m = /^([0-9]{1,15})(?: +(LAST))? *$/i.exec(args);
    if (!m) return false;
    const size = Number(m[1]);
    cmd.bdat = { size, last: m[2] !== undefined, received: 0, framing: null };
    if (size === 0) return false;
    this.left = size;
    this.cmd = cmd;
    return true;
  }

  /** Chunk octets from buf[pos, end) (client offset base + pos). Returns the position after them; `left` 0: the chunk is complete. */
  chunk(pos: number, end: number, base: number, meta: SegmentMeta, relBase: number): number {
    const n = Math.min(this.left, end - pos);
    const cmd = this.cmd!;
    cmd.bdat!.received += n;
    addPiece(cmd.segments, meta.frame, meta.time, base + pos, base + pos + n, meta.ackRel, relBase, 0, false, this.maxSegments);
    cmd.end = base + pos + n;
    this.left -= n;
    if (this.left === 0) cmd.frames = uniqueFrames(cmd.segments);
    return pos + n;
  }

  /** `len` chunk octets lost: true when the chunk absorbs them, false when the gap reaches past its end. */
  gap(len: number): boolean {
    if (len <= this.left) {
      this.left -= len;
      if (this.cmd?.bdat) this.cmd.bdat.received += len;
      return true;
    }
    this.left = 0;
    return false;
  }

  reset(): void {
    this.cmd = null;
    this.left = 0;
  }
}
