/** What `analyze` and `batch` share: option parsing, colour, exit status, problem lines, output. */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { AnalyzeOptions, FileSummary } from "../analyze.js";
import { ALL_RULES } from "../rules/index.js";
import { problemText } from "../report/text.js";
import { suggest } from "../report/words.js";
import { KeyLog, keyLogFileProblem } from "../tls/keylog.js";

import { reaches, type Counts, type FailOn } from "../report/reporter.js";

export type { Counts, FailOn };

export interface CommonFlags {
  format: string;
  failOn: FailOn;
  disable?: string;
  only?: string;
  splitDelayMs: number;
  latencyMs: number;
  /** absent when not given */
  port?: number[];
  showSecrets?: boolean;
  showData?: boolean;
  /** --color WHEN, or false for --no-color */
  color: "auto" | "always" | "never" | false;
  maxOpenFlows: number;
  maxOooBytes: number;
  output?: string;
  /** --tls-keylog FILE (repeatable), checked when parsed */
  tlsKeylog?: string[];
}

/** Exit status of analyze and batch (README, --help). */
export const EXIT = { ok: 0, findings: 1, usage: 2, unreadable: 3 } as const;

export const EXIT_HELP = `
Exit status (the same for analyze and batch):
  0  every input was read and no finding reached --fail-on
  1  a finding reached --fail-on
  2  usage error
  3  at least one input could not be read (missing, not a capture, damaged before its end);
     3 wins over 1, and what could be read is still reported. A capture whose last record is
     cut short (tcpdump killed) is read as far as it goes and noted; that alone changes nothing.`;

/** A whole number ≥ `min` written in decimal digits ("1e3", "0x10", "-1", "2.5" are refused). */
export function wholeNumber(min: number): (v: string) => number {
  return (v: string) => {
    const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError("not a whole number.");
    if (n < min) throw new InvalidArgumentError(`must be at least ${min}.`);
    return n;
  };
}

const atLeast0 = wholeNumber(0);
const atLeast1 = wholeNumber(1);

/** A repeatable whole-number option (--port, --stream, --session). */
export function repeatable(parse: (v: string) => number): (v: string, prev: number[] | undefined) => number[] {
  return (v, prev) => [...(prev ?? []), parse(v)];
}

function portNumber(v: string): number {
  const n = atLeast1(v);
  if (n > 65535) throw new InvalidArgumentError("not a TCP port (1-65535).");
  return n;
}

const RULE_IDS = ALL_RULES.map((r) => r.meta.id);

/** "unknown rule: X (did you mean …?)" */
export function unknownRule(id: string): CommanderError {
  const near = suggest(id, RULE_IDS);
  const hint = near.length ? `did you mean ${near.join(", ")}? ` : "";
  return new CommanderError(EXIT.usage, "smtpcap.usage", `unknown rule: ${id} (${hint}see 'smtpcap rules')`);
}

function ruleList(v: string | undefined): string[] {
  if (!v) return [];
  const ids = v.split(",").map((x) => x.trim()).filter(Boolean);
  for (const id of ids) if (!RULE_IDS.includes(id)) throw unknownRule(id);
  return ids;
}

export function analyzeOptions(f: CommonFlags): Partial<AnalyzeOptions> {
  return {
    ports: f.port ?? [],
    showSecrets: !!f.showSecrets,
    showData: !!f.showData,
    maxOpenFlows: f.maxOpenFlows,
    maxOutOfOrderBytes: f.maxOooBytes,
    splitDelayMs: f.splitDelayMs,
    latencyMs: f.latencyMs,
    only: ruleList(f.only),
    disable: ruleList(f.disable),
    tlsKeylogs: f.tlsKeylog ?? [],
  };
}

/**
 * A repeatable --tls-keylog FILE: the file must be readable and hold at least one key log line
 * (else a usage error naming it); malformed lines are warnings on stderr with their line number.
 * Secrets are never printed.
 */
export function keylogArg(v: string, prev: string[] | undefined): string[] {
  let text: string;
  try {
    text = readFileSync(v, "latin1");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InvalidArgumentError(`${v}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : "cannot be read"}.`);
  }
  const log = new KeyLog();
  const problem = keyLogFileProblem(log, text, v);
  if (problem !== null) throw new InvalidArgumentError(`${problem}.`);
  for (const w of log.warnings) process.stderr.write(`smtpcap: warning: ${w.source}: line ${w.line}: ${w.message}; line ignored\n`);
  return [...(prev ?? []), v];
}

/**
 * Colour: `--color always|never` decide; `auto` (the default) follows FORCE_COLOR (set and not
 * "0"/"false": on), then NO_COLOR (non-empty: off, per no-color.org), then whether the output is a
 * terminal (and TERM is not "dumb").
 */
export function useColor(flag: CommonFlags["color"], isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag === false || flag === "never") return false;
  if (flag === "always") return true;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR) return false;
  return isTTY && env.TERM !== "dumb";
}

/** Does any finding reach the --fail-on level? */
export const reachesCounts: (c: Counts, failOn: FailOn) => boolean = reaches;

/** An input that could not be read, entirely or from some byte before its end (exit status 3). */
export function unreadable(sum: { problems: FileSummary["problems"] }): boolean {
  return sum.problems.some((p) => p.level === "error");
}

export function exitStatus(anyUnreadable: boolean, failed: boolean): number {
  return anyUnreadable ? EXIT.unreadable : failed ? EXIT.findings : EXIT.ok;
}

/** The stderr lines for a file's reading problems: `smtpcap: FILE: byte N: …` (errors) and `smtpcap: warning: FILE: …`. */
export function problemLines(sum: Pick<FileSummary, "file" | "format" | "problems"> & { gzip?: boolean }): string[] {
  return sum.problems.map((p) => `smtpcap: ${p.level === "warning" ? "warning: " : ""}${problemText(sum, p)}`);
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** All of `data` to standard output (fd 1), waiting out a full non-blocking pipe; a reader gone away (EPIPE) ends smtpcap quietly. */
function writeBlocking(text: string | Buffer): void {
  let data: Buffer;
  if (typeof text === "string") {
    // most lines go out whole: no Buffer of their own
    const n = Buffer.byteLength(text);
    let wrote = 0;
    try {
      wrote = writeSync(1, text);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EPIPE") process.exit(0);
      if (code !== "EAGAIN") throw err;
    }
    if (wrote === n) return;
    data = Buffer.from(text).subarray(wrote);
  } else data = text;
  for (let off = 0; off < data.length;) {
    try {
      off += writeSync(1, data, off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") Atomics.wait(pause, 0, 0, 2);
      else if (code === "EPIPE") process.exit(0);
      else throw err;
    }
  }
}

/** Bytes gathered before a write. */
const OUTPUT_BUFFER = 1 << 20;

/**
 * Buffers output into large writes to stdout or to the file of `-o`. Text is encoded into a
 * buffer as it comes (one copy) rather than kept as strings, joined and encoded at each write.
 */
export class Output {
  private buf: Buffer = Buffer.allocUnsafe(OUTPUT_BUFFER);
  private used = 0;
  private readonly fd: number | null;

  /** Opens `-o FILE` (throws a usage error when it cannot be created). */
  constructor(file?: string) {
    if (file === undefined || file === "-") {
      this.fd = null;
      return;
    }
    try {
      this.fd = openSync(file, "w");
    } catch (err) {
      throw new CommanderError(EXIT.usage, "smtpcap.usage", `cannot write ${file}: ${(err as Error).message}`);
    }
  }

  /** Whether the output is a terminal (for colour and width). */
  get isTTY(): boolean {
    return this.fd === null && !!process.stdout.isTTY;
  }

  /** Columns to wrap at: the terminal's width, 100 otherwise. */
  get width(): number {
    return this.isTTY && process.stdout.columns ? Math.max(60, process.stdout.columns) : 100;
  }

  /**
   * Columns of the terminal for tables that fit themselves to it (batch's): on a terminal,
   * `COLUMNS` when it is set to a whole number, else the terminal's real width, else 80; off a
   * terminal none (a table is never cut there: two paths that differ only in their start must
   * stay two paths in a CI log).
   */
  terminalColumns(env: NodeJS.ProcessEnv = process.env): number | null {
    if (!this.isTTY) return null;
    const c = /^\d+$/.test(env.COLUMNS ?? "") ? Number(env.COLUMNS) : 0;
    return Math.max(40, c > 0 ? c : process.stdout.columns || 80);
  }

  /** `-l/--line-buffered`, watch: everything written goes out at once (a session is seen as soon as it is judged) */
  lineBuffered = false;

  /**
   * Standard output is written synchronously, waiting while a pipe is full. Node writes to a pipe
   * asynchronously and queues what the reader has not taken yet in memory: `analyze --format
   * json` of the 200 MB TLS replay piped into `cat` peaked at 371 MB against 193 MB to a file (the
   * whole report queued), and behind a slow reader `watch` would pile up days of input. Waiting
   * instead slows the reading of the input (a live capture waits in the pipe from tcpdump, as it
   * would for a slow analysis).
   */
  blocking = true;

  write(s: string): void {
    if (this.lineBuffered) {
      this.emit(s);
      return;
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit: when that may not fit, write what is gathered first
    if (s.length * 3 > OUTPUT_BUFFER - this.used) {
      this.flush();
      if (s.length * 3 > OUTPUT_BUFFER) {
        this.emit(s);
        return;
      }
    }
    this.used += this.buf.write(s, this.used);
  }

  /** UTF-8 bytes, in order with write()'s text (sessions prepared on worker threads: src/parallel/) */
  writeBytes(b: Uint8Array): void {
    if (!this.lineBuffered && b.length > OUTPUT_BUFFER - this.used) this.flush();
    if (this.lineBuffered || b.length > OUTPUT_BUFFER) {
      this.emit(Buffer.from(b.buffer, b.byteOffset, b.length));
      return;
    }
    this.buf.set(b, this.used);
    this.used += b.length;
  }

  flush(): void {
    if (this.used === 0) return;
    const b = this.buf.subarray(0, this.used);
    this.used = 0;
    // stdout written asynchronously (not `blocking`) may still hold a buffer handed to it (a pipe);
    // writeSync (a file, blocking stdout) is done with it when it returns, and the buffer is
    // reused: a fresh 1 MB per flush cost ~80 ms of page faults on the 200 MB replay's 16 MB report
    if (this.fd === null && !this.blocking) this.buf = Buffer.allocUnsafe(OUTPUT_BUFFER);
    this.emit(b);
  }

  private emit(data: string | Buffer): void {
    if (this.fd === null && this.blocking) writeBlocking(data);
    else if (this.fd === null) process.stdout.write(data);
    else if (typeof data === "string") writeSync(this.fd, data);
    else for (let off = 0; off < data.length; ) off += writeSync(this.fd, data, off);
  }

  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
  }
}

/** The options of both analyze and batch. */
export function addCommon(cmd: Command): Command {
  return cmd
    .addOption(new Option("--fail-on <level>", "exit 1 when a finding reaches this severity").choices(["error", "warning", "info", "never"]).default("error"))
    .option("--disable <rules>", "comma-separated rule ids not to run")
    .option("--only <rules>", "comma-separated rule ids to run (no others)")
    .option("--split-delay-ms <ms>", "gap inside one reply reported by reply-split-delay", atLeast0, 200)
    .option("--latency-ms <ms>", "reply time reported by server-reply-latency (phase minimums apply too)", atLeast1, 30000)
    .option("--port <port>", "also treat this TCP port as SMTP (repeatable)", repeatable(portNumber))
    .option("--show-secrets", "show AUTH credentials instead of redacting them")
    .option("--tls-keylog <file>", "decrypt TLS with this NSS key log (SSLKEYLOGFILE format; repeatable)", keylogArg)
    .option("--show-data", "show the first 64 KiB of each message (never shown otherwise)")
    .option("-o, --output <file>", "write the report to this file instead of standard output")
    .addOption(new Option("--color <when>", "colour: auto (terminal, FORCE_COLOR, NO_COLOR), always, never").choices(["auto", "always", "never"]).default("auto"))
    .option("--no-color", "the same as --color never")
    .option("--max-open-flows <n>", "SMTP connections followed at once; more are counted and skipped", atLeast1, 100000)
    .option("--max-ooo-bytes <n>", "out-of-order bytes buffered per direction before the hole becomes a gap", atLeast0, 4 * 1024 * 1024);
}

export { atLeast0, atLeast1 };

/** A whole number ≥ 0 (for commands that register their own options, e.g. compare). */
export const intArg = atLeast0;

/** A repeatable --port: the ports so far plus this one (1-65535). */
export function portArg(v: string, prev: number[] | undefined): number[] {
  return [...(prev ?? []), portNumber(v)];
}
