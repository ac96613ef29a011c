import type { FileReport, FileSummary } from "../analyze.js";
import type { JudgedSession } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import type { Command, Reply, Segment } from "../smtp/model.js";
import { escapeText } from "../text/escape.js";

function seg(s: Segment) {
  const o: Record<string, unknown> = { frame: s.frame, time: s.time, bytes: s.bytes, seq: s.seq, ack: s.ack, lines: s.lines, midLine: s.midLine };
  return o;
}

function command(c: Command) {
  const o: Record<string, unknown> = {
    index: c.index,
    kind: c.kind,
    verb: escapeText(c.verb),
    line: escapeText(c.line),
    frames: c.frames,
    time: c.time,
    bytes: c.end - c.start,
    segments: c.segments.map(seg),
    replies: c.replies,
  };
  if (c.lineInfo && c.lineInfo.terminator !== "crlf") o.terminator = c.lineInfo.terminator;
  if (c.afterStartTls) o.afterStartTls = true;
  if (c.authUser !== undefined) o.authUser = escapeText(c.authUser);
  if (c.secret) o.redacted = !c.line.includes("[redacted") ? false : true;
  if (c.message) o.message = c.message.content === undefined ? c.message : { ...c.message, content: escapeText(c.message.content) };
  if (c.bdat) o.bdat = c.bdat;
  return o;
}

function reply(r: Reply) {
  const o: Record<string, unknown> = {
    index: r.index,
    code: r.code,
    lines: r.lines.map(escapeText),
    frames: r.frames,
    time: r.firstTime,
    bytes: r.end - r.start,
    segments: r.segments.map(seg),
    complete: r.complete,
    command: r.command,
  };
  if (r.greeting) o.greeting = true;
  if (r.afterStartTls) o.afterStartTls = true;
  if (r.linesDropped) o.linesDropped = r.linesDropped;
  const bad = r.lineInfo.filter((l) => l.terminator !== "crlf").length;
  if (bad) o.linesWithoutCrlf = bad;
  return o;
}

/** The JSON model of one session. */
export function sessionJson(s: JudgedSession): Record<string, unknown> {
  return {
    index: s.index,
    tcpStream: s.tcpStream,
    client: s.client,
    server: s.server,
    roles: s.roles,
    sawSyn: s.sawSyn,
    firstFrame: s.firstFrame,
    lastFrame: s.lastFrame,
    startTime: s.startTime,
    endTime: s.endTime,
    bytes: s.bytes,
    retransmitted: s.retransmitted,
    tls: s.tls,
    close: s.close,
    gaps: s.gaps,
    notes: s.notes,
    verdict: s.verdict,
    commands: s.commands.map(command),
    replies: s.replies.map(reply),
  };
}

function tail(sum: Omit<FileSummary, "sessionCount">, findings: Finding[]): Record<string, unknown> {
  return {
    format: sum.format,
    gzip: sum.gzip,
    packets: sum.packets,
    bytes: sum.bytes,
    stats: sum.stats,
    findings,
    problems: sum.problems,
  };
}

/** The JSON model of one file (the same for analyze --format json and batch). */
export function toJson(rep: FileReport): Record<string, unknown> {
  return { file: rep.file, sessions: rep.sessions.map(sessionJson), ...tail(rep, rep.findings) };
}

/**
 * Writes the same JSON document as toJson() piece by piece while sessions arrive, so a large
 * capture never has its whole report in memory.
 */
export class JsonFileWriter {
  private sessions = 0;
  private readonly findings: Finding[] = [];

  constructor(private readonly out: (s: string) => void, file: string) {
    out(`{"file":${JSON.stringify(file)},"sessions":[`);
  }

  session(s: JudgedSession, findings: Finding[]): void {
    this.out((this.sessions++ ? "," : "") + JSON.stringify(sessionJson(s)));
    this.findings.push(...findings);
  }

  end(sum: FileSummary): void {
    const { sessionCount: _n, ...rest } = sum;
    this.out("]," + JSON.stringify(tail(rest, this.findings)).slice(1));
  }
}
