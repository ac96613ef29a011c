/**
 * The reporter contract: every output format is one `Format` (src/report/formats.ts looks them up
 * by name), used alike by `analyze`, `batch` (whose workers run the per-file part), `watch` and
 * `compare`'s plumbing. A format has two parts:
 *
 * - a `FileReporter` per capture file: `prepare` runs as soon as a session is judged (its index
 *   is not known yet: src/analyze.ts PreparedSink), `session` when it is written, in tcp.stream
 *   order, with its index; `omit` for a session left out (--stream, --session, --only-findings);
 *   `endFile` with the file's summary and the counts of the findings shown. It writes through the
 *   `write` it was made with (in batch, a worker's buffer handed to the main thread).
 * - an `Envelope` around all files, on the thread that owns the output: `begin`, each file's
 *   output as `piece(n, text)` in file order, and `end` with every file's outcome.
 *
 * Selection, counting and the order of sessions are the driver's (src/cli/report-file.ts); colour,
 * width and the stream for warnings are the context's (`ReportContext`).
 */
import type { FileSummary } from "../analyze.js";
import type { JudgedSession } from "../rules/engine.js";
import type { Finding, Severity } from "../rules/types.js";
import type { Zone } from "./time.js";

/** How the text report looks. */
export interface TextOptions {
  color: boolean;
  /** show every reply line, not just the first and last of long replies */
  verbose: boolean;
  /** zone of absolute times (default UTC) */
  zone?: Zone;
  /** columns to wrap prose at (default 100) */
  width?: number;
}

export type Write = (s: string) => void;

export interface Counts { error: number; warning: number; info: number }

export type FailOn = Severity | "never";

/** What a format may need to know about the run: the same for every file. */
export interface ReportContext {
  text: TextOptions;
  showSecrets: boolean;
  failOn: FailOn;
}

/** Why a judged session is not shown. */
export type OmitReason = "not-selected" | "no-findings";

export interface FileReporter<P = unknown> {
  prepare(s: JudgedSession, findings: Finding[]): P;
  session(p: P, index: number): void;
  omit(tcpStream: number, reason: OmitReason): void;
  endFile(sum: FileSummary, counts: Counts): void;
}

/** What the envelope learns of each file once it is done. */
export interface FileOutcome {
  file: string;
  sessions: number;
  counts: Counts;
  unreadable: boolean;
}

export interface Envelope {
  begin(): void;
  /** a file's output (n: its position among the files), in file order; several pieces per file may come */
  piece(n: number, text: string): void;
  end(files: FileOutcome[]): void;
}

export interface Format {
  readonly name: string;
  /** the output is one document made at the end: stderr's lines about the files come after it */
  readonly deferProblems?: boolean;
  /**
   * the file reporter of file number `n`, shown as `file`; `writeBytes`: where the sessions that
   * `pack` made go (UTF-8, in order with `write`'s text, after the file's first text)
   */
  file(file: string, n: number, write: Write, ctx: ReportContext, writeBytes?: (b: Uint8Array) => void): FileReporter<unknown>;
  /**
   * A prepared session (of `prepare`) with its bulk as UTF-8 bytes, which `session` takes as well
   * (analyze -j N: a worker transfers them; src/parallel/). Formats without it hand over `prepare`'s.
   */
  pack?(p: unknown): unknown;
  envelope(write: Write, ctx: ReportContext): Envelope;
}

/** An envelope that adds nothing: each file's output as it comes. */
export function plainEnvelope(write: Write): Envelope {
  return { begin() {}, piece: (_n, t) => write(t), end() {} };
}

/** An envelope that starts each file after the first with `sep` (when the file writes anything). */
export function separatedEnvelope(write: Write, sep: string, head = "", tail = ""): Envelope {
  let last = -1;
  let any = false;
  return {
    begin: () => head && write(head),
    piece(n, t) {
      if (t.length === 0) return;
      if (n !== last && any) write(sep);
      last = n;
      any = true;
      write(t);
    },
    end: () => tail && write(tail),
  };
}

/** Does any finding reach the --fail-on level? */
export function reaches(c: Counts, failOn: FailOn): boolean {
  if (failOn === "never") return false;
  if (failOn === "info") return c.error + c.warning + c.info > 0;
  if (failOn === "warning") return c.error + c.warning > 0;
  return c.error > 0;
}

/** Two file reporters fed the same sessions (e.g. batch's row statistics and its output format). */
export function tee<A, B>(a: FileReporter<A>, b: FileReporter<B>): FileReporter<[A, B]> {
  return {
    prepare: (s, fs) => [a.prepare(s, fs), b.prepare(s, fs)],
    session(p, index) {
      a.session(p[0], index);
      b.session(p[1], index);
    },
    omit(t, r) {
      a.omit(t, r);
      b.omit(t, r);
    },
    endFile(sum, c) {
      a.endFile(sum, c);
      b.endFile(sum, c);
    },
  };
}
