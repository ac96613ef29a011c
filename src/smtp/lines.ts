import type { Line, Segment } from "./model.js";
import type { SegmentMeta } from "../tcp/reassembly.js";

/** Octets of a line kept as text; the rest is counted, not stored. */
export const MAX_LINE_KEPT = 2048;

/** A line being assembled from one or more segments. */
export interface LinePiece {
  frame: number;
  time: number;
  start: number;
  end: number;
  ackRel: number;
}

/**
 * Splits one direction's byte stream into lines ended by LF (CRLF, or a bare LF that the rules
 * report), recording which segments carried each line.
 */
export class LineAssembler {
  private text = "";
  private len = 0;
  private start = 0;
  private crPending = false;
  private bareCr = false;
  private gap = false;
  pieces: LinePiece[] = [];

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
    let lf = -1;
    for (let i = pos; i < end; i++) {
      if (buf[i] === 10) { lf = i; break; }
    }
    const stop = lf < 0 ? end : lf + 1;
    const piece = this.pieces.length > 0 ? this.pieces[this.pieces.length - 1] : null;
    if (piece !== null && piece.frame === meta.frame && piece.end === rel) piece.end = rel + (stop - pos);
    else this.pieces.push({ frame: meta.frame, time: meta.time, start: rel, end: rel + (stop - pos), ackRel: meta.ackRel });
    // bare CR inside the line: a CR followed by anything but LF
    const textEnd = lf < 0 ? end : lf;
    for (let i = pos; i < textEnd; i++) {
      if (this.crPending) { this.bareCr = true; this.crPending = false; }
      if (buf[i] === 13) this.crPending = true;
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
    return this.finish(meta, false);
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
    const line: Line = {
      text,
      length: this.len,
      start: this.start,
      end: this.start + this.len,
      terminator,
      bareCr: this.bareCr,
      frame: meta.frame,
      time: meta.time,
      split: this.pieces.length > 1,
      gap: this.gap,
    };
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

/** Record that `piece` of a reply or command was carried by a segment; merges with the previous piece of the same frame. */
export function addPiece(segments: Segment[], piece: LinePiece, relBase: number, lineIndex: number, lineEnds: boolean, maxSegments: number): boolean {
  const last = segments.length > 0 ? segments[segments.length - 1] : null;
  let seg: Segment;
  if (last !== null && last.frame === piece.frame && last.end === piece.start) {
    last.end = piece.end;
    last.bytes = last.end - last.start;
    seg = last;
  } else {
    if (segments.length >= maxSegments) return false;
    seg = {
      frame: piece.frame,
      time: piece.time,
      seq: piece.start + relBase,
      ack: Number.isNaN(piece.ackRel) ? null : piece.ackRel + relBase,
      start: piece.start,
      end: piece.end,
      bytes: piece.end - piece.start,
      lines: [],
      midLine: false,
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
