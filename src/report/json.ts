import type { FileReport, FileSummary } from "../analyze.js";
import type { JudgedSession } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import type { CloseEvent, Command, Reply, Segment } from "../smtp/model.js";
import { clockOf, type Clock } from "../capture/clock.js";
import { escapeText } from "../text/escape.js";
import { productsOf } from "../products/match.js";
import { isoTime, UTC } from "./time.js";
import { SCHEMA_VERSION, TOOL } from "./tool.js";
import { plainEnvelope, separatedEnvelope, type FileReporter, type Format } from "./reporter.js";

// Every time is written twice: `time` (epoch seconds, a float) and `timeIso` (ISO 8601 UTC, to
// the microsecond; to the nanosecond, exact, for frames of a resolution finer than 1 µs, whose
// exact times the capture's clock `k` holds).

function seg(s: Segment, k?: Clock) {
  return { frame: s.frame, time: s.time, timeIso: isoTime(s.time, UTC, k, s.frame), bytes: s.bytes, seq: s.seq, ack: s.ack, lines: s.lines, midLine: s.midLine };
}

// Lists are built with push, never with `new Array(n)` or map(): those make holey arrays, which
// JSON.stringify walks element by element on its slow path.

/** `f` of each item of `l`, in a packed array. */
function packed<T, U>(l: readonly T[], f: (x: T) => U): U[] {
  const out: U[] = [];
  for (let i = 0; i < l.length; i++) out.push(f(l[i]));
  return out;
}

function segs(l: readonly Segment[], k?: Clock) {
  const out: ReturnType<typeof seg>[] = [];
  for (let i = 0; i < l.length; i++) out.push(seg(l[i], k));
  return out;
}

function command(c: Command, k?: Clock) {
  const o: Record<string, unknown> = {
    index: c.index,
    kind: c.kind,
    verb: escapeText(c.verb),
    line: escapeText(c.line),
    frames: c.frames,
    time: c.time,
    timeIso: isoTime(c.time, UTC, k, c.frames),
    bytes: c.end - c.start,
    segments: segs(c.segments, k),
    replies: c.replies,
  };
  if (c.lineInfo && c.lineInfo.terminator !== "crlf") o.terminator = c.lineInfo.terminator;
  if (c.afterStartTls) o.afterStartTls = true;
  if (c.takenAsAuthResponse) o.takenAsAuthResponse = true;
  if (c.authUser !== undefined) o.authUser = escapeText(c.authUser);
  if (c.secret) o.redacted = c.line.includes("[redacted");
  if (c.message) o.message = c.message.content === undefined ? c.message : { ...c.message, content: escapeText(c.message.content) };
  if (c.bdat) o.bdat = c.bdat;
  return o;
}

function reply(r: Reply, k?: Clock) {
  const o: Record<string, unknown> = {
    index: r.index,
    code: r.code,
    lines: packed(r.lines, escapeText),
    frames: r.frames,
    time: r.firstTime,
    timeIso: isoTime(r.firstTime, UTC, k, r.frames),
    bytes: r.end - r.start,
    segments: segs(r.segments, k),
    complete: r.complete,
    command: r.command,
  };
  if (r.greeting) o.greeting = true;
  if (r.afterStartTls) o.afterStartTls = true;
  if (r.abandoned) o.abandoned = true;
  if (r.linesDropped) o.linesDropped = r.linesDropped;
  let bad = 0;
  for (let i = 0; i < r.lineInfo.length; i++) if (r.lineInfo[i].terminator !== "crlf") bad++;
  if (bad) o.linesWithoutCrlf = bad;
  return o;
}

/** The JSON model of one finding after its `session` (the keys that do not depend on the session's index). */
function findingRest(f: Finding): Record<string, unknown> {
  const o: Record<string, unknown> = {
    tcpStream: f.tcpStream,
    frames: f.frames,
    time: f.time,
    timeIso: isoTime(f.time, UTC, clockOf(f), f.frames),
    message: f.message,
    reference: f.reference,
    evidence: f.evidence,
    filter: f.filter,
  };
  if (f.count !== undefined && f.count > 1) o.count = f.count;
  if (f.consequenceOf) o.consequenceOf = f.consequenceOf;
  return o;
}

/** The JSON model of one finding. */
export function findingJson(f: Finding): Record<string, unknown> {
  return Object.assign({ rule: f.rule, severity: f.severity, side: f.side, session: f.session }, findingRest(f));
}

function closeEvent(e: CloseEvent | null, k: Clock | undefined) {
  return e === null ? null : { ...e, timeIso: isoTime(e.time, UTC, k, e.frame) };
}

/** The JSON model of one session up to its verdict (what precedes findings, commands and replies). */
function sessionHead(s: JudgedSession, k: Clock | undefined, findings: readonly Finding[]): Record<string, unknown> {
  return Object.assign({ index: s.index }, sessionHeadRest(s, k, findings));
}

/** sessionHead() after `index`. */
function sessionHeadRest(s: JudgedSession, k: Clock | undefined, findings: readonly Finding[]): Record<string, unknown> {
  return {
    tcpStream: s.tcpStream,
    client: s.client,
    server: s.server,
    roles: s.roles,
    sawSyn: s.sawSyn,
    firstFrame: s.firstFrame,
    lastFrame: s.lastFrame,
    startTime: s.startTime,
    startTimeIso: isoTime(s.startTime, UTC, k, s.firstFrame),
    endTime: s.endTime,
    endTimeIso: isoTime(s.endTime, UTC, k, s.lastFrame),
    bytes: s.bytes,
    retransmitted: s.retransmitted,
    tls: s.tls === null ? null : { ...s.tls, timeIso: isoTime(s.tls.time, UTC, k, s.tls.frame) },
    close: { client: closeEvent(s.close.client, k), server: closeEvent(s.close.server, k) },
    gaps: s.gaps,
    limits: s.limits ?? [],
    notes: s.notes,
    verdict: s.verdict,
    // server, client and middlebox named on evidence (src/products; texts escaped there)
    products: productsOf(s, findings),
  };
}

function commandsJson(s: JudgedSession, k: Clock | undefined): Record<string, unknown>[] {
  const l = s.commands;
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < l.length; i++) out.push(command(l[i], k));
  return out;
}

function repliesJson(s: JudgedSession, k: Clock | undefined): Record<string, unknown>[] {
  const l = s.replies;
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < l.length; i++) out.push(reply(l[i], k));
  return out;
}

/** The JSON model of one session, with its findings. */
export function sessionJson(s: JudgedSession, findings: Finding[]): Record<string, unknown> {
  const k = clockOf(s);
  const o = sessionHead(s, k, findings);
  o.findings = packed(findings, findingJson);
  o.commands = commandsJson(s, k);
  o.replies = repliesJson(s, k);
  return o;
}

/**
 * One session's JSON text, made as soon as it is judged: everything but its index (`index`, and
 * each finding's `session`), which is known only when the session is written (src/analyze.ts,
 * PreparedSink). writeSession() completes it.
 */
export interface PreparedSession {
  tcpStream: number;
  /** the severity of each finding */
  severities: Finding["severity"][];
  /** `"tcpStream":…` through the verdict: the session's keys after `index`, without braces */
  head: string;
  /** per finding, its text before and after the value of `session` */
  findings: string[];
  /** `[…]`: the value of `commands` */
  commands: string;
  /** `[…]`: the value of `replies` */
  replies: string;
}

/** The JSON text of a session but its index (see PreparedSession). */
export function prepareSession(s: JudgedSession, findings: Finding[]): PreparedSession {
  const k = clockOf(s);
  const parts: string[] = [];
  const severities: Finding["severity"][] = [];
  for (const f of findings) {
    severities.push(f.severity);
    parts.push(JSON.stringify({ rule: f.rule, severity: f.severity, side: f.side }).slice(0, -1) + ',"session":', "," + JSON.stringify(findingRest(f)).slice(1));
  }
  return {
    tcpStream: s.tcpStream,
    severities,
    head: JSON.stringify(sessionHeadRest(s, k, findings)).slice(1, -1),
    findings: parts,
    commands: JSON.stringify(commandsJson(s, k)),
    replies: JSON.stringify(repliesJson(s, k)),
  };
}

/**
 * A prepared session whose `tail` (the bulk of it: commands and replies) is UTF-8 bytes: what a
 * worker of `analyze -j N` (src/parallel/) hands over, transferred, and what the main thread
 * writes as bytes. No string of it reaches the main thread's heap, where a prepared session
 * waiting for an earlier one to be written was copied by every young-generation collection.
 */
export interface PackedSession extends Omit<PreparedSession, "commands" | "replies"> {
  /** `"commands":[…],"replies":[…]}` as UTF-8 */
  tail: Uint8Array;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export function packSession(p: PreparedSession): PackedSession {
  return { tcpStream: p.tcpStream, severities: p.severities, head: p.head, findings: p.findings, tail: utf8.encode(`"commands":${p.commands},"replies":${p.replies}}`) };
}

/** JSON.stringify(findingJson(f)) of each finding of a prepared session whose index is `index`. */
function findingTexts(p: Pick<PreparedSession, "findings">, index: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < p.findings.length; i += 2) out.push(p.findings[i] + index + p.findings[i + 1]);
  return out;
}

export interface Counts { error: number; warning: number; info: number }

/** What a file record says besides its sessions. */
export interface FileExtras {
  /** findings of the sessions in the record */
  counts: Counts;
  /** sessions left out of the record (--stream, --session, --only-findings) */
  sessionsOmitted: number;
}

/** A file that could not be read (entirely or from some byte on): the first error, with its offset where one applies. */
export function fileError(sum: Pick<FileSummary, "problems" | "format">): { message: string; offset?: number } | null {
  const p = sum.problems.find((x) => x.level === "error");
  if (!p) return null;
  return sum.format === "unknown" ? { message: p.message } : { message: p.message, offset: p.offset };
}

function fileTail(sum: FileSummary, x: FileExtras): Record<string, unknown> {
  const o: Record<string, unknown> = {
    format: sum.format,
    gzip: sum.gzip,
    packets: sum.packets,
    bytes: sum.bytes,
    firstTime: sum.firstTime ?? null,
    firstTimeIso: sum.firstTime != null ? isoTime(sum.firstTime, UTC, sum.clock, "earliest") : null,
    lastTime: sum.lastTime ?? null,
    lastTimeIso: sum.lastTime != null ? isoTime(sum.lastTime, UTC, sum.clock, "latest") : null,
    stats: sum.stats,
    sessionCount: sum.sessionCount,
    counts: x.counts,
    problems: sum.problems,
  };
  if (x.sessionsOmitted > 0) o.sessionsOmitted = x.sessionsOmitted;
  if (sum.diagnosis) o.diagnosis = sum.diagnosis;
  const err = fileError(sum);
  if (err) o.error = err;
  return o;
}

function countOf(findings: Finding[]): Counts {
  const c: Counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}

/** The JSON model of one file (the record of `files[]` in analyze and batch --format json). */
export function toJson(rep: FileReport): Record<string, unknown> {
  const bySession = new Map<number, Finding[]>();
  for (const f of rep.findings) {
    const l = bySession.get(f.session);
    if (l) l.push(f);
    else bySession.set(f.session, [f]);
  }
  const { sessions, findings, ...rest } = rep;
  const sum: FileSummary = { ...rest, sessionCount: sessions.length };
  return { file: rep.file, sessions: sessions.map((s) => sessionJson(s, bySession.get(s.index) ?? [])), ...fileTail(sum, { counts: countOf(findings), sessionsOmitted: 0 }), findings: findings.map(findingJson) };
}

/** The envelope of every JSON report: `{"schemaVersion", "tool", "files": [` … `]}`. */
export function jsonReportStart(): string {
  return `{"schemaVersion":${SCHEMA_VERSION},"tool":${JSON.stringify(TOOL)},"files":[`;
}

export function jsonReportEnd(): string {
  return "]}\n";
}

/**
 * Writes one file's report piece by piece while sessions arrive, so a large capture never has
 * its whole report in memory. `json`: one object `{"file", "sessions": […], …}` (the same as
 * toJson()); `ndjson`: one line per session (`"type":"session"`) and a last line for the file
 * (`"type":"file"`), each naming the file.
 */
export class JsonFileWriter {
  private sessions = 0;
  private omitted = 0;
  private readonly counts: Counts = { error: 0, warning: 0, info: 0 };
  private readonly fileKey: string;
  /**
   * json: the file's findings, serialised, for the record's `findings` list at its end: the latest
   * as strings, the earlier ones joined with "," and deflated, PACK characters at a time once
   * there are FIRST_PACK (a file with fewer, as the 1,833 of replay-200mb, never loads zlib: with
   * pieces of PACK from the start it took 12% more CPU, 5 interleaved runs under load). Held as strings, 26,539 TLS sessions' 17,466 findings
   * were 16 MB of the heap, which V8 then let grow to a few times that before collecting; deflated
   * they are about 1 MB outside it.
   */
  private findings: string[] = [];
  private findingChars = 0;
  private readonly packed: Buffer[] = [];

  /** characters of findings deflated at a time, and held as strings before the first time */
  private static readonly PACK = 1 << 18;
  private static readonly FIRST_PACK = 1 << 21;

  /** `outBytes`: where a packed session's bytes go, in order with `out`'s text (else they are written as text) */
  constructor(private readonly out: (s: string) => void, file: string, private readonly mode: "json" | "ndjson" = "json",
    private readonly outBytes: (b: Uint8Array) => void = (b) => out(fromUtf8.decode(b))) {
    this.fileKey = `"file":${JSON.stringify(file)}`;
    if (mode === "json") out(`{${this.fileKey},"sessions":[`);
  }

  session(s: JudgedSession, findings: Finding[]): void {
    this.write(prepareSession(s, findings), s.index);
  }

  /** Writes a session prepared by prepareSession() (or packed by packSession()) with its index. */
  write(p: PreparedSession | PackedSession, index: number): void {
    for (let i = 0; i < p.severities.length; i++) this.counts[p.severities[i]]++;
    const texts = findingTexts(p, index);
    if (this.mode === "json" && texts.length > 0) this.keep(texts);
    const findings = `,"findings":[${texts.join(",")}],`;
    if ("tail" in p) {
      // packed (a worker's): the bulk is bytes, written as they came
      if (this.mode === "ndjson") this.out(`{"type":"session",${this.fileKey},"index":${index},${p.head}${findings}`);
      else this.out(`${this.sessions > 0 ? ",{" : "{"}"index":${index},${p.head}${findings}`);
      this.outBytes(p.tail);
      if (this.mode === "ndjson") this.out("\n");
    } else if (this.mode === "ndjson") this.out(`{"type":"session",${this.fileKey},"index":${index},${p.head}${findings}"commands":${p.commands},"replies":${p.replies}}\n`);
    else {
      // piece by piece: the big pieces are flat strings as JSON.stringify made them, written
      // without first being copied into one string (a line of ndjson is written whole)
      const out = this.out;
      out(`${this.sessions > 0 ? ",{" : "{"}"index":${index},`);
      out(p.head);
      out(findings);
      out('"commands":');
      out(p.commands);
      out(',"replies":');
      out(p.replies);
      out("}");
    }
    this.sessions++;
  }

  private keep(texts: string[]): void {
    for (const t of texts) {
      this.findings.push(t);
      this.findingChars += t.length;
    }
    if (this.findingChars >= (this.packed.length > 0 ? JsonFileWriter.PACK : JsonFileWriter.FIRST_PACK)) this.pack();
  }

  /** Deflates the findings held as strings into one more packed piece. */
  private pack(): void {
    const zlib = (process as unknown as { getBuiltinModule(id: string): unknown }).getBuiltinModule("node:zlib") as typeof import("node:zlib");
    // JSON.stringify's text is well-formed UTF-16 (lone surrogates are escaped): UTF-8 and back is exact
    this.packed.push(zlib.deflateRawSync(Buffer.from(this.findings.join(","), "utf8"), { level: 1 }));
    this.findings = [];
    this.findingChars = 0;
  }

  /** A session left out of the report (not selected). */
  skip(): void {
    this.omitted++;
  }

  end(sum: FileSummary): void {
    const tail = JSON.stringify(fileTail(sum, { counts: this.counts, sessionsOmitted: this.omitted })).slice(1);
    if (this.mode === "ndjson") this.out(`{"type":"file",${this.fileKey},${tail}\n`);
    else {
      // piece by piece: one string of them all would double their memory at the very end
      this.out("]," + tail.slice(0, -1) + ',"findings":[');
      let first = true;
      if (this.packed.length > 0) {
        const zlib = (process as unknown as { getBuiltinModule(id: string): unknown }).getBuiltinModule("node:zlib") as typeof import("node:zlib");
        for (const z of this.packed) {
          const text = zlib.inflateRawSync(z).toString("utf8");
          this.out(first ? text : "," + text);
          first = false;
        }
        this.packed.length = 0;
      }
      const f = this.findings;
      for (let i = 0; i < f.length; i++) this.out(!first || i > 0 ? "," + f[i] : f[i]);
      this.findings = [];
      this.out("]}");
    }
  }
}

/** `--format json` (one document `{"schemaVersion", "tool", "files": [...]}`) and `ndjson` (a line per session, one per file). */
function jsonFormatOf(mode: "json" | "ndjson"): Format {
  return {
    name: mode,
    file(file, _n, write, _ctx, writeBytes): FileReporter<PreparedSession> {
      const w = new JsonFileWriter(write, file, mode, writeBytes);
      return {
        prepare: prepareSession,
        session: (p, index) => w.write(p, index),
        omit: () => w.skip(),
        endFile: (sum) => w.end(sum),
      };
    },
    pack: (p) => packSession(p as PreparedSession),
    envelope: (write) => (mode === "json" ? separatedEnvelope(write, ",", jsonReportStart(), jsonReportEnd()) : plainEnvelope(write)),
  };
}

export const jsonFormat = (): Format => jsonFormatOf("json");
export const ndjsonFormat = (): Format => jsonFormatOf("ndjson");
