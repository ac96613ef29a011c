import { isAscii } from "node:buffer";
import type { MessageStats } from "./model.js";
import { SMUGGLED_RE as SMUGGLED } from "./vocabulary.js";

/** RFC 5321 §4.5.3.1.6: 1000 octets including CRLF (a dot-stuffed line may have one more). */
export const MAX_DATA_LINE = 1000;
const MAX_KEPT_EVENTS = 16;

type Term = "crlf" | "lf" | "cr";
const TERM_TEXT: Record<Term, string> = { crlf: "\\r\\n", lf: "\\n", cr: "\\r" };

export function newMessageStats(): MessageStats {
  return {
    bytes: 0, segments: 0, lines: 0, longestLine: 0, longLines: 0, firstLongLine: null, bareLf: 0, bareCr: 0,
    firstBare: null, eightBit: 0, endOfData: null, endFrame: null, endOffset: null,
    nonstandardEnds: [], smuggledCommands: [], gap: false,
  };
}

/**
 * Scans DATA content for the end-of-data sequence without storing it (RFC 5321 §4.1.1.4), and
 * keeps the statistics the rules need: line lengths, bare CR/LF, 8-bit octets, non-standard
 * end-of-data sequences (the SMTP smuggling variants) and commands hidden after them.
 */
export class DataScanner {
  readonly stats = newMessageStats();
  private prev: Term = "crlf"; // the DATA command's CRLF precedes the content
  /** first two octets of the current line (-1: none yet); the text head only after a fake end */
  private b0 = -1;
  private b1 = -1;
  private head = "";
  private lineLen = 0;
  private lineStart: number;
  private crPending = false;
  private crOffset = 0;
  private afterNonstandard = false;
  /** the current line was cut by a capture gap: its terminator is not judged */
  private gapLine = false;
  /** the statistics as they stood just after the latest non-standard end of data listed (null: none) */
  atFakeEnd: { stats: MessageStats; end: number } | null = null;

  /** `start`: the client stream offset where the content begins (just after the DATA command's CRLF) */
  constructor(start = 0) {
    this.lineStart = start;
  }

  /**
   * Scan buf[pos, end) at stream offset `rel`. Returns the position just after the end-of-data
   * sequence, or -1 if the message continues.
   */
  scan(buf: Buffer, pos: number, end: number, rel: number, frame: number): number {
    const base = rel - pos;
    const start = pos;
    if (this.crPending) {
      this.crPending = false;
      if (buf[pos] === 10) {
        pos++;
        this.lineLen += 1;
        const done = this.lineEnd("crlf", base + pos, frame);
        if (done) return this.finish(buf, start, pos, frame, base);
      } else {
        const done = this.lineEnd("cr", this.crOffset + 1, frame);
        if (done) return this.finish(buf, start, pos, frame, base);
      }
    }
    let nextCr = buf.indexOf(13, pos);
    if (nextCr >= end) nextCr = -1;
    while (pos < end) {
      if (this.lineLen === 0 && !this.gapLine && !this.afterNonstandard) {
        // The usual case, line by line without the general bookkeeping: a line that starts here
        // and ends in CRLF, with no other CR in it, not starting with "." or NUL (those may end
        // the message). Anything else is left to the general path below.
        const st = this.stats;
        let lines = 0;
        let longest = st.longestLine;
        let lineStart = this.lineStart;
        for (;;) {
          const lf = buf.indexOf(10, pos);
          if (lf < 0 || lf >= end) break;
          if (nextCr >= 0 && nextCr < pos) {
            nextCr = buf.indexOf(13, pos);
            if (nextCr >= end) nextCr = -1;
          }
          if (nextCr !== lf - 1 || lf <= pos) break;
          const b = buf[pos];
          if (b === 0x2e || b === 0) break;
          const len = lf + 1 - pos;
          lines++;
          if (len > longest) longest = len;
          if (len > MAX_DATA_LINE) {
            st.longLines++;
            if (!st.firstLongLine) st.firstLongLine = { offset: lineStart, frame, length: len };
          }
          pos = lf + 1;
          lineStart = base + pos;
        }
        if (lines > 0) {
          st.lines += lines;
          st.longestLine = longest;
          this.prev = "crlf";
          this.lineStart = lineStart;
        }
        if (pos >= end) break;
      }
      let nextLf = buf.indexOf(10, pos);
      if (nextLf >= end) nextLf = -1;
      if (nextCr >= 0 && nextCr < pos) {
        nextCr = buf.indexOf(13, pos);
        if (nextCr >= end) nextCr = -1;
      }
      let t = nextLf;
      if (nextCr >= 0 && (t < 0 || nextCr < t)) t = nextCr;
      const stop = t < 0 ? end : t;
      if (stop > pos) {
        if (this.b0 < 0) {
          this.b0 = buf[pos];
          if (stop > pos + 1) this.b1 = buf[pos + 1];
        } else if (this.b1 < 0) this.b1 = buf[pos];
        if (this.afterNonstandard && this.head.length < 32) this.head += buf.toString("latin1", pos, Math.min(stop, pos + 32 - this.head.length));
        this.lineLen += stop - pos;
      }
      if (t < 0) break;
      if (buf[t] === 13) {
        if (t + 1 >= end) {
          this.crPending = true;
          this.crOffset = base + t;
          this.lineLen += 1;
          pos = end;
          break;
        }
        if (buf[t + 1] === 10) {
          pos = t + 2;
          this.lineLen += 2;
          if (this.lineEnd("crlf", base + pos, frame)) return this.finish(buf, start, pos, frame, base);
        } else {
          pos = t + 1;
          this.lineLen += 1;
          if (this.lineEnd("cr", base + pos, frame)) return this.finish(buf, start, pos, frame, base);
        }
      } else {
        pos = t + 1;
        this.lineLen += 1;
        if (this.lineEnd("lf", base + pos, frame)) return this.finish(buf, start, pos, frame, base);
      }
    }
    this.account(buf, start, end);
    return -1;
  }

  /** A non-standard end of data ends at `after`: the statistics up to it (rare: copied). */
  private keepFakeEnd(after: number): void {
    const st = this.stats;
    this.atFakeEnd = {
      stats: { ...st, nonstandardEnds: st.nonstandardEnds.slice(), smuggledCommands: st.smuggledCommands.slice() },
      end: after,
    };
  }

  /** Part of the content was lost. */
  markGap(bytes: number): void {
    this.stats.gap = true;
    this.stats.bytes += bytes;
    // the octets on either side of the hole are not a line ending: neither a bare CR nor a bare LF
    this.crPending = false;
    this.gapLine = true;
  }

  private finish(buf: Buffer, start: number, pos: number, frame: number, base: number): number {
    this.account(buf, start, pos);
    this.stats.endFrame = frame;
    this.stats.endOffset = base + pos;
    return pos;
  }

  private account(buf: Buffer, start: number, end: number): void {
    const st = this.stats;
    st.bytes += end - start;
    // 8-bit octets: a fast whole-range test first, the byte loop only when there are some
    if (end > start && !isAscii(buf.subarray(start, end))) {
      for (let i = start; i < end; i++) if (buf[i] >= 0x80) st.eightBit++;
    }
  }

  /** A line ended with terminator `kind`; `after` is the stream offset just after it. Returns true at the standard end of data. */
  private lineEnd(kind: Term, after: number, frame: number): boolean {
    const st = this.stats;
    const len = this.lineLen;
    const head = this.head;
    const b0 = this.b0, b1 = this.b1;
    const prev = this.prev;
    this.prev = kind;
    this.head = "";
    this.b0 = -1;
    this.b1 = -1;
    this.lineLen = 0;
    const lineStart = this.lineStart;
    this.lineStart = after;
    // a line the capture cut: its length and terminator are unknown; a "." line right after the
    // hole still ends the message
    if (this.gapLine) {
      this.gapLine = false;
      if (kind === "crlf" && len === 3 && b0 === 0x2e) {
        st.endOfData = "\\r\\n.\\r\\n";
        return true;
      }
      st.lines++;
      return false;
    }
    if (kind === "lf") { st.bareLf++; if (!st.firstBare) st.firstBare = { offset: after - 1, frame, kind: "lf" }; }
    if (kind === "cr") { st.bareCr++; if (!st.firstBare) st.firstBare = { offset: after - 1, frame, kind: "cr" }; }
    const termLen = kind === "crlf" ? 2 : 1;
    if (len - termLen === 1 && b0 === 0x2e) {
      const seq = `${TERM_TEXT[prev]}.${TERM_TEXT[kind]}`;
      if (prev === "crlf" && kind === "crlf") {
        st.endOfData = seq;
        return true;
      }
      if (st.nonstandardEnds.length < MAX_KEPT_EVENTS) {
        st.nonstandardEnds.push({ sequence: seq, offset: lineStart - (prev === "crlf" ? 2 : 1), end: after, frame });
        this.keepFakeEnd(after);
      } else this.atFakeEnd = null;
      this.afterNonstandard = true;
      return false;
    }
    if (len - termLen === 2 && b0 === 0 && b1 === 0x2e && prev === "crlf" && kind === "crlf") {
      if (st.nonstandardEnds.length < MAX_KEPT_EVENTS) {
        st.nonstandardEnds.push({ sequence: "\\r\\n\\x00.\\r\\n", offset: lineStart - 2, end: after, frame });
        this.keepFakeEnd(after);
      } else this.atFakeEnd = null;
      this.afterNonstandard = true;
      return false;
    }
    st.lines++;
    if (len > st.longestLine) st.longestLine = len;
    const limit = MAX_DATA_LINE + (b0 === 0x2e ? 1 : 0);
    if (len > limit) {
      st.longLines++;
      if (!st.firstLongLine) st.firstLongLine = { offset: lineStart, frame, length: len };
    }
    if (this.afterNonstandard && SMUGGLED.test(head) && st.smuggledCommands.length < MAX_KEPT_EVENTS) {
      st.smuggledCommands.push({ line: head, offset: lineStart, frame });
    }
    return false;
  }
}
