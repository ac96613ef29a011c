/**
 * The compact data the HTML page embeds once and draws from: the same report model as the text
 * and JSON reports (sessions, commands, replies, segments, findings, verdicts), reduced to arrays
 * so that a capture with thousands of sessions stays small. Capture text is made printable here
 * with escapeText (control characters and non-ASCII octets become visible escapes, as in the other
 * reports); the page inserts every string as text, never as markup.
 *
 * Times are milliseconds since the session's first packet (rounded to µs); seq/ack are Wireshark's
 * relative sequence numbers.
 */
import { offsetText } from "../../capture/types.js";
import type { FileReport } from "../../analyze.js";
import type { JudgedSession } from "../../rules/engine.js";
import type { Finding, Severity } from "../../rules/types.js";
import type { Command, Reply, Segment } from "../../smtp/model.js";
import { clockOf } from "../../capture/clock.js";
import { escapeControls, escapeText } from "../../text/escape.js";
import { isoTime, UTC } from "../time.js";
import { productsOf, type ProductClaim } from "../../products/match.js";
import { fullyDecrypted, type LadderedTlsFacts } from "../../tls/describe.js";

/** Severity as a number: 0 error, 1 warning, 2 info. */
const SEV: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * A segment: [frame, time, seq, ack (-1: none), bytes, first line index, lines ended (count),
 * ends mid-line (0/1)].
 */
export type SegD = [number, number, number, number, number, number, number, number];

/** A command: [kind (0 command, 1 message, 2 AUTH response), shown line, segments, flags (1: sent in plaintext after STARTTLS, 2: a command line the server took as an AUTH response), end seq, message or null]. */
export type CmdD = [number, string, SegD[], number, number, MsgD | null];

/** A message collapsed to one block: [bytes, segments, lines, end-of-data frame or 0, end time or -1]. */
export type MsgD = [number, number, number, number, number];

/** A reply: [code or -1, lines, lines not kept, segments, complete (0/1), greeting (0/1), command index or -1, end seq]. */
export type RepD = [number, string[], number, SegD[], number, number, number, number];

/** A finding: [rule, severity, side, frames, message, reference, evidence, filter, follows from (text) or "", count]. */
export type FindD = [string, number, string, number[], string, string, string, string, string, number];

/**
 * A command sent before the reply it interrupted was complete, for the annotation on its arrow:
 * [command index, its ACK (relative seq), reply index, lines of the reply the client had, lines of
 * the reply, seq where the reply ends, frame that carried the reply's end].
 */
export type EarlyD = [number, number, number, number, number, number, number];

export interface SessionD {
  /** session index, tcp.stream, client, server, first/last frame, SYN seen */
  n: number;
  st: number;
  c: string;
  s: string;
  f: [number, number];
  syn: number;
  /** first packet time (seconds since the epoch) and duration (ms) */
  t0: number;
  dur: number;
  /** the first packet time in ISO 8601 UTC, exact, where the capture's resolution is finer than 1 µs (nanoseconds) */
  t0i?: string;
  /** client / server bytes and retransmitted bytes */
  b: [number, number, number, number];
  /** verdict: fault, summary, deciding rule, its reference, its quote, limits, rules not evaluable */
  v: [string, string, string, string, string, string[], number];
  /** findings by severity */
  k: [number, number, number];
  F: FindD[];
  C: CmdD[];
  R: RepD[];
  /** the client's ACKs the model knows that carried no data: [frame, time, ack seq] */
  A: [number, number, number][];
  /** FIN / RST: [side (0 client, 1 server), "fin" | "rst", frame, time] */
  X: [number, string, number, number][];
  /** gaps: [side (0 client, 1 server), bytes, frame, reason] */
  G: [number, number, number, string][];
  /** TLS: [mode, frame, time, ClientHello frame or 0, ServerHello frame or 0] */
  T: [string, number, number, number, number] | null;
  /** TLS handshake arrows (records tshark lists per frame): [side (0 client, 1 server), frame, time, text] */
  L?: [number, number, number, string][];
  /** STARTTLS was answered 220 in this frame but no TLS handshake followed (the dialogue went on in plaintext, or the capture holds it decrypted: then 1) */
  P?: [number, 0 | 1];
  E: EarlyD[];
  /** notes of the dissector */
  N: string[];
  /** a finding puts a middlebox in the path: its rule, or "" */
  mb: string;
  /** products named on evidence (src/products), as lifeline labels: client, server, middlebox ("" when none) */
  pn?: [string, string, string];
}

export interface FileD {
  name: string;
  sha: string;
  format: string;
  packets: number;
  bytes: number;
  /** first and last packet time (seconds since the epoch) when known; `timesFrom` says of what */
  first: number | null;
  last: number | null;
  /** `first` and `last` in ISO 8601 UTC, exact, where the capture's resolution is finer than 1 µs (nanoseconds) */
  fi?: string;
  li?: string;
  timesFrom: "packets" | "sessions";
  sessionCount: number;
  /** sessions listed in `S` are only those with findings (batch) */
  onlyWithFindings: boolean;
  k: [number, number, number];
  problems: string[];
  diagnosis: string;
  error: string;
  S: SessionD[];
}

/** Rules whose finding is "the client sent this command before the reply was complete". */
const EARLY_RULES = new Set(["client-acted-on-partial-multiline-reply", "client-command-before-reply-complete"]);

const r3 = (ms: number) => Math.round(ms * 1000) / 1000;

function seg(g: Segment, t0: number): SegD {
  const first = g.lines.length ? g.lines[0] : -1;
  return [g.frame, r3((g.time - t0) * 1000), g.seq, g.ack ?? -1, g.bytes, first, g.lines.length, g.midLine ? 1 : 0];
}

/** Relative seq of stream offset `offset` in the direction the segments belong to. */
function seqOf(segs: Segment[], offset: number): number {
  const g = segs[0];
  return g ? offset + (g.seq - g.start) : offset;
}

function command(c: Command, t0: number): CmdD {
  const kind = c.kind === "message" ? 1 : c.kind === "auth-response" ? 2 : 0;
  let msg: MsgD | null = null;
  if (c.message) {
    const m = c.message;
    const last = c.segments[c.segments.length - 1];
    msg = [m.bytes, m.segments, m.lines, m.endFrame ?? 0, last ? r3((last.time - t0) * 1000) : -1];
  }
  return [kind, escapeText(c.line), c.segments.map((g) => seg(g, t0)), (c.afterStartTls ? 1 : 0) | (c.takenAsAuthResponse ? 2 : 0), seqOf(c.segments, c.end), msg];
}

function reply(r: Reply, t0: number): RepD {
  return [
    r.code ?? -1, r.lines.map(escapeText), r.linesDropped, r.segments.map((g) => seg(g, t0)), r.complete ? 1 : 0,
    r.greeting ? 1 : 0, r.command ?? -1, seqOf(r.segments, r.end),
  ];
}

function finding(f: Finding): FindD {
  const follows = f.consequenceOf ? `follows from ${f.consequenceOf.rule} (frame ${f.consequenceOf.frame}): ${f.consequenceOf.why}` : "";
  return [f.rule, SEV[f.severity], f.side, f.frames, f.message, f.reference, f.evidence, f.filter, escapeControls(follows), f.count ?? 1];
}

/**
 * For each command named by a "sent before the reply was complete" finding: how much of the
 * interrupted reply its ACK shows the client had (facts of the model, for the arrow's label).
 */
function early(s: JudgedSession, findings: Finding[]): EarlyD[] {
  const out: EarlyD[] = [];
  const done = new Set<number>();
  for (const f of findings) {
    if (!EARLY_RULES.has(f.rule)) continue;
    const frames = new Set(f.frames);
    s.commands.forEach((c, ci) => {
      const g = c.segments[0];
      if (!g || g.ack === null || !frames.has(g.frame) || done.has(ci)) return;
      const ack = g.ack;
      s.replies.forEach((r, ri) => {
        if (r.segments.length === 0 || !r.segments.some((x) => frames.has(x.frame))) return;
        const base = r.segments[0].seq - r.segments[0].start;
        const startSeq = r.start + base;
        const endSeq = r.end + base;
        if (!(ack > startSeq && ack < endSeq)) return;
        const had = r.lineInfo.filter((l) => l.end + base <= ack).length;
        const tail = r.segments.find((x) => x.seq + x.bytes >= endSeq) ?? r.segments[r.segments.length - 1];
        out.push([ci, ack, ri, had, r.lineInfo.length + r.linesDropped, endSeq, tail.frame]);
        done.add(ci);
      });
    });
  }
  return out;
}

function clientAcks(s: JudgedSession, t0: number): [number, number, number][] {
  const dataFrames = new Set<number>();
  for (const c of s.commands) for (const g of c.segments) dataFrames.add(g.frame);
  const acks = new Map<number, [number, number, number]>();
  for (const r of s.replies) {
    for (const g of r.segments) {
      const a = g.peerAck;
      if (!a || a.frame <= 0 || dataFrames.has(a.frame) || acks.has(a.frame)) continue;
      acks.set(a.frame, [a.frame, r3((a.time - t0) * 1000), a.offset + (g.seq - g.start)]);
    }
  }
  return [...acks.values()].sort((x, y) => x[0] - y[0]);
}

export function sessionData(s: JudgedSession, findings: Finding[]): SessionD {
  const t0 = s.startTime;
  const v = s.verdict;
  const mbFinding = findings.find((f) => f.side === "middlebox");
  const k: [number, number, number] = [0, 0, 0];
  for (const f of findings) k[SEV[f.severity]]++;
  const close: SessionD["X"] = [];
  for (const [side, ev] of [[0, s.close.client], [1, s.close.server]] as const) {
    if (ev) close.push([side, ev.kind, ev.frame, r3((ev.time - t0) * 1000)]);
  }
  return {
    n: s.index,
    st: s.tcpStream,
    c: escapeText(s.client),
    s: escapeText(s.server),
    f: [s.firstFrame, s.lastFrame],
    syn: s.sawSyn ? 1 : 0,
    t0,
    dur: r3((s.endTime - t0) * 1000),
    ...(clockOf(s) ? { t0i: isoTime(t0, UTC, clockOf(s), s.firstFrame) } : {}),
    b: [s.bytes.client, s.bytes.server, s.retransmitted.client, s.retransmitted.server],
    v: [v.fault, v.summary, v.decisive?.rule ?? "", v.decisive?.reference ?? "", v.decisive?.quote ?? "", v.limits ?? [], v.notEvaluable.length],
    k,
    F: findings.map(finding),
    C: s.commands.map((c) => command(c, t0)),
    R: s.replies.map((r) => reply(r, t0)),
    A: clientAcks(s, t0),
    X: close,
    G: s.gaps.map((g) => [g.side === "client" ? 0 : 1, g.bytes, g.frame, escapeText(g.reason)]),
    // TLS is drawn only where it flows (a ClientHello and the server's TLS records)
    // the hatched "encrypted" band: not over a TLS phase that was decrypted (its dialogue is drawn)
    T: s.tls?.encrypted && !(s.tls.facts !== undefined && fullyDecrypted(s.tls.facts)) ? [s.tls.mode, s.tls.frame, r3((s.tls.time - t0) * 1000), s.tls.clientHelloFrame ?? 0, s.tls.serverHelloFrame ?? 0] : null,
    ...tlsArrows(s, t0),
    ...(s.tls && !s.tls.encrypted && s.tls.mode === "starttls" ? { P: [s.tls.frame, s.tls.decrypted ? 1 : 0] as [number, 0 | 1] } : {}),
    E: early(s, findings),
    N: s.notes.map(escapeText),
    mb: mbFinding ? mbFinding.rule : v.fault === "middlebox" ? v.decisive?.rule ?? "verdict" : "",
    ...productLabels(s, findings),
  };
}

function tlsArrows(s: JudgedSession, t0: number): { L?: [number, number, number, string][] } {
  const ladder = (s.tls?.facts as LadderedTlsFacts | undefined)?.ladder;
  if (!ladder || ladder.length === 0) return {};
  return { L: ladder.map((a) => [a.from === "client" ? 0 : 1, a.frame, r3((a.time - t0) * 1000), escapeText(a.text)]) };
}

function productLabels(s: JudgedSession, findings: Finding[]): { pn?: [string, string, string] } {
  const p = productsOf(s, findings);
  if (!p.client && !p.server && !p.middlebox) return {};
  const label = (c: ProductClaim | null) => (c ? `${c.name} (${c.confidence})` : "");
  return { pn: [label(p.client), label(p.server), label(p.middlebox)] };
}

export interface FileFacts {
  sha256: string;
  /** total sessions in the file (batch: `sessions` may hold only those with findings) */
  sessionCount?: number;
  error?: string | null;
}

export function fileData(rep: FileReport, facts: FileFacts): FileD {
  const bySession = new Map<number, Finding[]>();
  for (const f of rep.findings) {
    const list = bySession.get(f.session);
    if (list) list.push(f);
    else bySession.set(f.session, [f]);
  }
  const k: [number, number, number] = [0, 0, 0];
  for (const f of rep.findings) k[SEV[f.severity]]++;
  const haveTimes = typeof rep.firstTime === "number" && typeof rep.lastTime === "number";
  let first: number | null = haveTimes ? rep.firstTime! : null;
  let last: number | null = haveTimes ? rep.lastTime! : null;
  if (!haveTimes && rep.sessions.length > 0) {
    first = Math.min(...rep.sessions.map((s) => s.startTime));
    last = Math.max(...rep.sessions.map((s) => s.endTime));
  }
  return {
    name: escapeText(rep.file),
    sha: facts.sha256,
    format: rep.format + (rep.gzip ? " (gzip)" : ""),
    packets: rep.packets,
    bytes: rep.bytes,
    first,
    last,
    ...(haveTimes && rep.clock ? { fi: isoTime(first!, UTC, rep.clock, "earliest"), li: isoTime(last!, UTC, rep.clock, "latest") } : {}),
    timesFrom: haveTimes ? "packets" : "sessions",
    sessionCount: facts.sessionCount ?? rep.sessions.length,
    onlyWithFindings: facts.sessionCount !== undefined && facts.sessionCount !== rep.sessions.length,
    k,
    problems: rep.problems.map((p) => escapeText(`${offsetText(p.offset, rep.gzip)}: ${p.message}`)),
    diagnosis: escapeText(rep.diagnosis ?? ""),
    error: escapeText(facts.error ?? ""),
    S: rep.sessions.map((s) => sessionData(s, bySession.get(s.index) ?? [])),
  };
}
