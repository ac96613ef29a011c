import type { Line, ReplyLine, Segment } from "./model.js";
import type { SegmentMeta } from "../tcp/reassembly.js";
import { VERBS } from "./vocabulary.js";

/** Octets of a line kept as text; the rest is counted, not stored. */
export const MAX_LINE_KEPT = 2048;

/** A line being assembled from one or more segments. */
export interface LinePiece {
  frame: number;
  time: number;
  start: number;
  end: number;
  ackRel: number;
  /** server lines: the client's most recent ACK when this piece arrived (peerFrame -1: none; -2: not recorded) */
  peerFrame: number;
  peerTime: number;
  peerOffset: number;
}

/** A piece of a line; every piece has the same shape (the peer fields are set by the caller). */
export function newPiece(frame: number, time: number, start: number, end: number, ackRel: number): LinePiece {
  return { frame, time, start, end, ackRel, peerFrame: -2, peerTime: 0, peerOffset: 0 };
}

/** The 3-digit code at the start of a reply line, or null (what /^([0-9]{3})/ reads). */
export function replyCode(text: string): number | null {
  if (text.length < 3) return null;
  const a = text.charCodeAt(0) - 48, b = text.charCodeAt(1) - 48, c = text.charCodeAt(2) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9 || c < 0 || c > 9) return null;
  return a * 100 + b * 10 + c;
}

/**
 * Splits one direction's byte stream into lines ended by LF (CRLF, or a bare LF that the rules
 * report), recording which segments carried each line. The server's assembler makes reply lines
 * (with their code and separator), the client's plain lines: each kind of line is created with
 * all its properties at once.
 */
export class LineAssembler {
  private text = "";
  private len = 0;
  private start = 0;
  private crPending = false;
  private bareCr = false;
  private gap = false;
  pieces: LinePiece[] = [];

  constructor(private readonly replies: boolean) {}

  get inLine(): boolean {
    return this.len > 0;
  }

  /** First bytes of the line being assembled. */
  get head(): string {
    return this.text;
  }

  /**
   * Consume bytes buf[pos, end) (stream offset `rel` at `pos`) up to and including the next LF.
   * Returns the position after what was consumed; `done` is set when a line completed.
   */
  feed(buf: Buffer, pos: number, end: number, rel: number, meta: SegmentMeta, out: { line: Line | null }): number {
    out.line = null;
    if (this.len === 0) this.start = rel;
    let lf = buf.indexOf(10, pos);
    if (lf >= end) lf = -1;
    const stop = lf < 0 ? end : lf + 1;
    const pieces = this.pieces;
    const piece = pieces.length > 0 ? pieces[pieces.length - 1] : null;
    if (piece !== null && piece.frame === meta.frame && piece.end === rel) piece.end = rel + (stop - pos);
    else pieces.push(newPiece(meta.frame, meta.time, rel, rel + (stop - pos), meta.ackRel));
    const textEnd = lf < 0 ? end : lf;
    if (this.len === 0 && lf > pos && buf[lf - 1] === 13 && lf - pos <= MAX_LINE_KEPT) {
      // the usual line: complete in this segment, ended by CRLF, no longer than what is kept
      const cr = lf - 1;
      const first = buf.indexOf(13, pos);
      this.bareCr = first >= 0 && first < cr;
      this.text = buf.toString("latin1", pos, cr);
      this.len = stop - pos;
      out.line = this.make(this.text, "crlf", meta);
      return stop;
    }
    // a CR not followed by LF inside the line: a CR before the last octet, or one that ended the
    // previous piece followed by more octets
    if (textEnd > pos) {
      if (this.crPending) this.bareCr = true;
      if (!this.bareCr) {
        const cr = buf.indexOf(13, pos);
        if (cr >= 0 && cr < textEnd - 1) this.bareCr = true;
      }
      this.crPending = buf[textEnd - 1] === 13;
    }
    if (this.text.length < MAX_LINE_KEPT) {
      this.text += buf.toString("latin1", pos, Math.min(textEnd, pos + MAX_LINE_KEPT - this.text.length));
    }
    this.len += stop - pos;
    if (lf >= 0) out.line = this.finish(meta, true);
    return stop;
  }

  /** Mark the line as damaged by a capture gap. */
  markGap(): void {
    this.gap = true;
  }

  /** End the current line without a terminator (connection closed or gap). */
  flush(meta: { frame: number; time: number }): Line | null {
    if (this.len === 0) return null;
    // the line's frame is the one that carried its last byte, not the packet that ended it
    const last = this.pieces.length > 0 ? this.pieces[this.pieces.length - 1] : null;
    return this.finish(last !== null ? last : meta, false);
  }

  private finish(meta: { frame: number; time: number }, lf: boolean): Line {
    let text = this.text;
    let terminator: Line["terminator"] = "none";
    if (lf) {
      if (this.crPending) { terminator = "crlf"; }
      else terminator = "lf";
      // text holds the CR of CRLF; drop it
      if (terminator === "crlf" && text.endsWith("\r")) text = text.slice(0, -1);
    } else if (this.crPending) {
      this.bareCr = true;
      if (text.endsWith("\r")) text = text.slice(0, -1);
    }
    return this.make(text, terminator, meta);
  }

  private make(text: string, terminator: Line["terminator"], meta: { frame: number; time: number }): Line {
    const start = this.start, len = this.len;
    let line: Line;
    if (this.replies) {
      const rl: ReplyLine = {
        text, length: len, start, end: start + len, terminator, bareCr: this.bareCr, frame: meta.frame, time: meta.time,
        split: this.pieces.length > 1, gap: this.gap, code: replyCode(text), sep: text.length > 3 ? text[3] : "",
      };
      line = rl;
    } else {
      line = {
        text, length: len, start, end: start + len, terminator, bareCr: this.bareCr, frame: meta.frame, time: meta.time,
        split: this.pieces.length > 1, gap: this.gap,
      };
    }
    this.text = "";
    this.len = 0;
    this.crPending = false;
    this.bareCr = false;
    this.gap = false;
    return line;
  }

  /** Pieces of the last finished line; the caller takes them. */
  takePieces(): LinePiece[] {
    const p = this.pieces;
    this.pieces = [];
    return p;
  }
}

/**
 * Record that bytes [start, end) of a reply or command were carried by segment `frame`; merges
 * with the previous piece of the same frame. Returns false when the segment list is full.
 */
export function addPiece(segments: Segment[], frame: number, time: number, start: number, end: number, ackRel: number, relBase: number, lineIndex: number, lineEnds: boolean, maxSegments: number): boolean {
  const last = segments.length > 0 ? segments[segments.length - 1] : null;
  let seg: Segment;
  if (last !== null && last.frame === frame && last.end === start) {
    last.end = end;
    last.bytes = last.end - last.start;
    seg = last;
  } else {
    if (segments.length >= maxSegments) return false;
    seg = {
      frame,
      time,
      seq: start + relBase,
      ack: Number.isNaN(ackRel) ? null : ackRel + relBase,
      start,
      end,
      bytes: end - start,
      lines: [],
      midLine: false,
      // every segment has the same shape: a reply's segments get the client's ACK later (serverLine)
      peerAck: undefined,
    };
    segments.push(seg);
  }
  if (lineEnds) {
    seg.lines.push(lineIndex);
    seg.midLine = false;
  } else {
    seg.midLine = true;
  }
  return true;
}

/** The frames of `segs` in order, each once. */
export function uniqueFrames(segs: Segment[]): number[] {
  const out: number[] = [];
  for (let ix = 0; ix < segs.length; ix++) if (out.length === 0 || out[out.length - 1] !== segs[ix].frame) out.push(segs[ix].frame);
  return out;
}

const VERB_SET: ReadonlySet<string> = new Set(VERBS);
/** After a gap, a line is taken as a command only when it starts with a known verb and a space or its end. */
export function startsCommand(buf: Buffer, pos: number, end: number): boolean {
  const m = /^([A-Za-z]{4,8})[ \r\n]/.exec(buf.toString("latin1", pos, Math.min(end, pos + 10)));
  return m !== null && VERB_SET.has(m[1].toUpperCase());
}

/** the start of a reply line: a new segment that begins like this ends an unterminated line */
export function startsReply(buf: Buffer, pos: number, end: number): boolean {
  if (end - pos < 4) return false;
  const a = buf[pos], b = buf[pos + 1], c = buf[pos + 2], d = buf[pos + 3];
  return a >= 0x32 && a <= 0x35 && b >= 0x30 && b <= 0x39 && c >= 0x30 && c <= 0x39 && (d === 0x20 || d === 0x2d || d === 0x0d);
}

/** a TLS handshake record starts at `pos` (content type 22, major version 3) */
export function isTlsRecord(buf: Buffer, pos: number, end: number): boolean {
  return buf[pos] === 0x16 && (pos + 1 >= end || buf[pos + 1] === 0x03);
}

/**
 * Any TLS record header (ChangeCipherSpec, alert, handshake, application data: 0x14-0x17, version
 * 3.x): what a server sends once its peer spoke TLS or it accepted STARTTLS — a fatal alert
 * answering a ClientHello is TLS, never an SMTP reply.
 */
export function isAnyTlsRecord(buf: Buffer, pos: number, end: number): boolean {
  const t = buf[pos];
  return t >= 0x14 && t <= 0x17 && (pos + 1 >= end || buf[pos + 1] === 0x03) && (pos + 2 >= end || buf[pos + 2] <= 0x04);
}
