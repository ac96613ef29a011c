import { offsetText } from "../capture/types.js";
import type { FileReport, FileSummary } from "../analyze.js";
import { clockOf } from "../capture/clock.js";
import type { JudgedSession } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import type { Command, Reply } from "../smtp/model.js";
import { productsLine, productsOf } from "../products/match.js";
import { clip, escapeControls, escapeText } from "../text/escape.js";
import { duration, isoTime, UTC } from "./time.js";
import { plural, wrap, wrapParts } from "./words.js";
import { separatedEnvelope, type FileReporter, type Format, type TextOptions, type Write } from "./reporter.js";
import { describeTls, tlsHeadline } from "../tls/describe.js";

export type { TextOptions };

export const DEFAULT_WIDTH = 100;

const SGR = { red: "\x1b[31m", yellow: "\x1b[33m", cyan: "\x1b[36m", dim: "\x1b[2m", bold: "\x1b[1m", reset: "\x1b[0m" };

function paint(on: boolean, code: string, s: string): string {
  return on ? code + s + SGR.reset : s;
}

function sevColor(f: Finding["severity"]): string {
  return f === "error" ? SGR.red : f === "warning" ? SGR.yellow : SGR.cyan;
}

/** Time since the session's first packet, in a column of 11. */
function rel(t: number, t0: number): string {
  return ("+" + duration(t - t0)).padStart(11);
}

interface Row { frame: number; time: number; text: string[] }

/** Why a reply without a command may still answer one: "" (it does not), or the label's words. */
function unpairedWhy(s: JudgedSession): (r: Reply) => string {
  if (s.gaps.length > 0 || s.bytes.client === 0) return () => "the capture lacks bytes";
  const t = s.tls?.facts;
  const failed = t?.decryption.failedFrom.client ?? null;
  const notTls = t?.notTls?.from === "client" ? t.notTls.frame : null;
  let fin: number | null = null;
  for (const l of s.limits) if (l.kind === "fin-not-captured" && l.side === "client" && l.frame !== undefined) fin = l.frame;
  // the earliest reason the client's bytes stop being read: a reply from then on may answer a command the capture cannot show
  const why: [number | null, string][] = [
    [failed, `the client's TLS records from frame ${failed} are not decrypted`],
    [notTls, `the client's bytes from frame ${notTls} are not TLS records`],
    [fin, `the server's ACK in frame ${fin} covers a client sequence number the capture lacks`],
  ];
  let from = Infinity, words = "";
  for (const [f, w] of why) if (f !== null && f < from) [from, words] = [f, w];
  return from === Infinity ? () => "" : (r) => ((r.frames[0] ?? 0) >= from ? words : "");
}

function replyRows(r: Reply, verbose: boolean, lossy: string): Row {
  const n = r.lineInfo.length;
  const shown: string[] = [];
  const lines = r.lines.map((l) => clip(escapeText(l), 100));
  if (verbose || n <= 4) shown.push(...lines);
  else shown.push(lines[0], lines[1], `… ${n - 3} more lines …`, lines[n - 1]);
  if (r.linesDropped) shown.push(`… ${plural(r.linesDropped, "further line")} not kept`);
  const first = r.segments[0];
  // with bytes missing from the capture, a reply without a command may answer one the capture lost
  const label = r.greeting ? " (greeting)" : r.command === null ? (lossy !== "" ? ` (not paired with a command: ${lossy})` : " (no command outstanding)") : "";
  const text = shown.map((l, i) => (i === 0 ? `S  ${l}${label}` : `   ${l}`));
  if (!r.complete) text.push("   [reply incomplete: no final line]");
  if (r.frames.length > 1) {
    text.push(`   carried in ${plural(r.segments.length, "segment")} (time since the reply's first segment):`);
    for (const g of r.segments) {
      const lineNos = g.lines.length === 0 ? "no complete line" : g.lines.length === 1 ? `line ${g.lines[0] + 1}` : `lines ${g.lines[0] + 1}-${g.lines[g.lines.length - 1] + 1}`;
      text.push(`     frame ${g.frame}  +${duration(g.time - (first?.time ?? g.time))}  seq ${g.seq}  ${plural(g.bytes, "byte")}  ${lineNos}${g.midLine ? "  (ends mid-line)" : ""}`);
    }
  }
  return { frame: first?.frame ?? 0, time: r.firstTime, text };
}

function commandRow(c: Command): Row {
  const first = c.segments[0];
  let text = c.kind === "message" ? c.line : clip(escapeText(c.line), 100);
  if (c.takenAsAuthResponse) text += "  (taken by the server as an AUTH response)";
  if (c.afterStartTls) text += "  (plaintext after STARTTLS)";
  if (c.authUser !== undefined) text += `  (user ${clip(escapeText(c.authUser), 60)}${c.authUserMailFrom !== undefined ? `, the MAIL FROM address of frame ${c.authUserMailFrom}` : ""})`;
  // inside TLS the ACK is the server's plaintext covered (records wholly acknowledged), not tcp.ack
  const ack = first && first.ack !== null ? (c.inTls ? `  [ack ${first.ack} in the TLS plaintext]` : `  [ack ${first.ack}]`) : "";
  const rows = [`C  ${text}${ack}`];
  const content = c.message?.content;
  if (content !== undefined) {
    const lines = content.replace(/\r?\n$/, "").split("\n");
    for (const l of lines.slice(0, 200)) rows.push(`   | ${clip(escapeText(l.endsWith("\r") ? l.slice(0, -1) : l), 160)}`);
    if (lines.length > 200 || content.length >= 65536) rows.push("   | … (message shown in part)");
  }
  return { frame: first?.frame ?? 0, time: c.time, text: rows };
}

/** `verdict`: the session's verdict text, so that a long message it already quotes word for word is not printed twice. */
function findingLines(f: Finding, o: TextOptions, width: number, verdict = ""): string[] {
  const out: string[] = [];
  const tag = paint(o.color, sevColor(f.severity), f.severity.toUpperCase().padEnd(7));
  const times = f.count !== undefined && f.count > 1 ? ` ×${f.count}` : "";
  const ind = " ".repeat(10);
  // the tag's colour codes are added after wrapping, so they do not count in the width
  const head = wrap(`${f.rule}${times} [${f.side}] ${f.frames.length === 1 ? "frame" : "frames"} ${f.frames.join(",") || "-"}`, width, ind, ind);
  head[0] = `  ${tag} ${head[0].slice(ind.length)}`;
  out.push(...head);
  const repeated = f.message.length > 80 && verdict.includes(f.message);
  out.push(...wrap(repeated ? "(stated in the verdict above)" : escapeControls(f.message), width, ind));
  if (f.consequenceOf) {
    const c = f.consequenceOf;
    out.push(...wrap(`follows from ${c.rule} (frame ${c.frame}): ${escapeControls(c.why)}`, width, ind));
  }
  if (f.evidence) out.push(...wrap(`evidence: ${escapeControls(f.evidence)}`, width, ind).map((l) => paint(o.color, SGR.dim, l)));
  out.push(...wrap(`${f.reference} · filter: ${f.filter}`, width, ind).map((l) => paint(o.color, SGR.dim, l)));
  return out;
}

/**
 * What to add to a stream offset of one side for Wireshark's relative sequence number: taken from
 * a segment of that side (offset + 1 when the SYN was captured), else from whether it was.
 */
function seqOf(s: JudgedSession, side: "client" | "server"): number {
  const units = side === "client" ? s.commands : s.replies;
  for (const u of units) for (const g of u.segments) return g.seq - g.start;
  return s.sawSyn ? 1 : 0;
}

/** A session's first line after `Session N`. */
function headRest(s: JudgedSession): string {
  return `  tcp.stream ${s.tcpStream}  client ${s.client} → server ${s.server}`;
}

/** A session's lines after its first (`Session N  tcp.stream …`), which alone names its index. */
function sessionText(s: JudgedSession, findings: Finding[], o: TextOptions): string[] {
  const width = o.width ?? DEFAULT_WIDTH;
  const zone = o.zone ?? UTC;
  const out: string[] = [];
  const facts = [`started ${isoTime(s.startTime, zone, clockOf(s), s.firstFrame)}`, `${plural(s.commands.length, "command")}, ${plural(s.replies.length, "reply", "replies")}`, `bytes client ${s.bytes.client} / server ${s.bytes.server}`];
  const tf = s.tls?.facts;
  if (tf !== undefined) facts.push(tlsHeadline(s.tls!.mode, tf));
  else if (s.tls?.decrypted) facts.push(`TLS (${s.tls.mode}) from frame ${s.tls.frame}: the capture holds it decrypted (read as plaintext)`);
  else if (s.tls?.encrypted) facts.push(`TLS (${s.tls.mode}) from frame ${s.tls.clientHelloFrame ?? s.tls.serverHelloFrame ?? s.tls.frame}: the rest is encrypted`);
  else if (s.tls) {
    facts.push(s.tls.mode === "starttls"
      ? `STARTTLS answered 220 in frame ${s.tls.frame}, but no TLS handshake followed: the rest is read as plaintext`
      : `port ${s.serverPort} is for implicit TLS, but no TLS handshake completed in the capture: read as plaintext`);
  }
  if (!s.sawSyn) facts.push("no SYN captured (started mid-connection)");
  out.push(...wrapParts(facts, width, "  "));
  const named = productsLine(productsOf(s, findings));
  if (named) out.push(...wrap(escapeControls(named), width, "  Products: ", "    "));
  if (tf !== undefined) for (const l of describeTls(tf)) out.push(...wrap(escapeControls(l), width, "  ", "    "));
  out.push(...wrap(escapeControls(s.verdict.summary), width, "  Verdict: ", "    "));
  // the deciding RFC sentence, unless the verdict already quotes it
  const d = s.verdict.decisive;
  if (d && !s.verdict.summary.includes(d.quote)) out.push(...wrap(`${d.reference}: “${d.quote}”`, width, "    "));
  const limits = s.verdict.limits ?? [];
  if (limits.length && s.verdict.fault !== "undetermined") out.push(...wrap(`The capture lacks: ${limits.map(escapeControls).join("; ")}`, width, "  ", "    "));
  for (const f of findings) out.push(...findingLines(f, o, width, s.verdict.summary));
  // why rules could not look (the engine gives a reason for each rule in notEvaluable)
  const why = s.verdict.notEvaluableWhy ?? [];
  for (const w of new Set(why)) out.push(...wrap(`Not evaluable: ${plural(why.filter((x) => x === w).length, "rule")}, because ${escapeControls(w)}`, width, "  ", "    "));
  // in Wireshark's numbering (relative sequence numbers, as the segments' `seq`), first and last missing byte
  for (const g of s.gaps) {
    const at = seqOf(s, g.side);
    out.push(...wrap(`GAP    ${g.side} seq ${g.offset + at}..${g.offset + g.bytes - 1 + at} missing (${plural(g.bytes, "byte")}, frame ${g.frame}): ${escapeControls(g.reason)}`, width, "  ", "         "));
  }
  const unpaired = unpairedWhy(s);
  const rows: Row[] = [...s.commands.map(commandRow), ...s.replies.map((r) => replyRows(r, o.verbose, unpaired(r)))];
  rows.sort((a, b) => a.frame - b.frame || a.time - b.time);
  out.push("  Timeline (frame, time since the session's first packet):");
  for (const r of rows) {
    r.text.forEach((t, i) => out.push(i === 0 ? `  ${String(r.frame).padStart(7)} ${rel(r.time, s.startTime)}  ${t}` : `  ${" ".repeat(7)} ${" ".repeat(11)}  ${t}`));
  }
  return out;
}

/** The first line of a file's report. */
export function textHeader(file: string, o: TextOptions): string {
  return paint(o.color, SGR.bold, escapeText(file)) + "\n";
}

/** One session's block, as soon as it is judged. */
export function textSession(s: JudgedSession, findings: Finding[], o: TextOptions): string {
  return textSessionAt(prepareTextSession(s, findings, o), s.index);
}

/**
 * One session's block but its index, made as soon as it is judged (src/analyze.ts PreparedSink):
 * the index is known only when the session is written, by textSessionAt().
 */
export interface PreparedText {
  tcpStream: number;
  /** the severity of each finding */
  severities: Finding["severity"][];
  /** the block before and after the index */
  before: string;
  after: string;
}

export function prepareTextSession(s: JudgedSession, findings: Finding[], o: TextOptions): PreparedText {
  const rest = sessionText(s, findings, o);
  const severities: Finding["severity"][] = [];
  for (const f of findings) severities.push(f.severity);
  return {
    tcpStream: s.tcpStream,
    severities,
    // the first line, `Session N  tcp.stream …`, painted bold as one
    before: o.color ? "\n" + SGR.bold + "Session " : "\nSession ",
    after: headRest(s) + (o.color ? SGR.reset : "") + (rest.length > 0 ? "\n" + rest.join("\n") : "") + "\n",
  };
}

/** The block of a session prepared by prepareTextSession(), whose index is `index`. */
export function textSessionAt(p: PreparedText, index: number): string {
  return p.before + index + p.after;
}

/** What `--summary` prints for a session: one line with stream, endpoints and verdict. */
export function summaryLine(s: JudgedSession, findings: Finding[]): string {
  const c = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  const v = s.verdict.fault;
  const verdict = v === "none" ? "clean" : v === "undetermined" ? "undetermined" : `${v} at fault`;
  const counts = [c.error ? plural(c.error, "error") : "", c.warning ? plural(c.warning, "warning") : "", c.info ? plural(c.info, "info") : ""].filter(Boolean);
  return `  tcp.stream ${String(s.tcpStream).padEnd(5)} ${s.client} → ${s.server}  ${verdict}${counts.length ? ` (${counts.join(", ")})` : ""}\n`;
}

export interface FooterExtras {
  /** tcp.stream of the sessions left out because they had no finding (--only-findings) */
  withoutFindings?: number[];
  /** sessions left out by --stream / --session */
  notSelected?: number;
}

/** The closing lines: what was read, when, reading problems, totals. */
export function textFooter(sum: FileSummary, counts: { error: number; warning: number; info: number }, o: Partial<TextOptions> = {}, x: FooterExtras = {}): string {
  const zone = o.zone ?? UTC;
  const width = o.width ?? DEFAULT_WIDTH;
  const out: string[] = [""];
  const what = [`${sum.format}${sum.gzip ? " (gzip)" : ""}, ${plural(sum.packets, "packet")}`];
  if (sum.firstTime != null && sum.lastTime != null) what.push(`from ${isoTime(sum.firstTime, zone, sum.clock, "earliest")} to ${isoTime(sum.lastTime, zone, sum.clock, "latest")} (${duration(sum.lastTime - sum.firstTime)})`);
  const line = `${what.join(" ")}; ${plural(sum.stats.tcpConnections, "TCP connection")}, ${plural(sum.sessionCount, "SMTP session")}; findings: ${plural(counts.error, "error")}, ${plural(counts.warning, "warning")}, ${plural(counts.info, "info")}`;
  out.push(...wrap(line, width, "  ", "    "));
  const wf = x.withoutFindings ?? [];
  if (wf.length > 0) {
    const list = wf.slice(0, 20).join(", ") + (wf.length > 20 ? ", …" : "");
    out.push(...wrap(`${plural(wf.length, "session")} without findings not shown (tcp.stream ${list})`, width, "  ", "    "));
  }
  if (x.notSelected) out.push(`  ${plural(x.notSelected, "session")} not selected (--stream, --session)`);
  if (sum.sessionCount === 0 && sum.diagnosis) out.push(...wrap(`No SMTP: ${escapeControls(sum.diagnosis)}`, width, "  ", "    "));
  for (const p of sum.problems) out.push(...wrap(`${p.level === "error" ? "ERROR" : "WARNING"}: ${problemText(sum, p)}`, width, "  ", "    "));
  return out.join("\n") + "\n";
}

/** `FILE: byte N: message` — the byte offset only where one applies (not for a file that was never read as a capture). */
export function problemText(sum: Pick<FileSummary, "file" | "format"> & { gzip?: boolean }, p: FileSummary["problems"][number]): string {
  const at = sum.format !== "unknown" && (p.offset > 0 || p.level === "error") ? `${offsetText(p.offset, !!sum.gzip)}: ` : "";
  return `${escapeText(sum.file)}: ${at}${escapeText(p.message)}`;
}

/** The human report for one file. */
export function toText(rep: FileReport, o: TextOptions): string {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of rep.findings) counts[f.severity]++;
  let out = textHeader(rep.file, o);
  for (const s of rep.sessions) out += textSession(s, rep.findings.filter((f) => f.session === s.index), o);
  const { sessions, findings: _f, ...rest } = rep;
  return out + textFooter({ ...rest, sessionCount: sessions.length }, counts, o);
}

/**
 * The file reporter of `--format text` (and of `--summary`: one line per session). The file's name
 * comes first, written with the first session shown or with the footer; a file that could not be
 * opened at all writes nothing (its line is on stderr).
 */
export function textFileReporter(file: string, write: Write, o: TextOptions, summary: boolean): FileReporter<PreparedText | string> {
  let headed = false;
  const withoutFindings: number[] = [];
  let notSelected = 0;
  const head = () => {
    if (!headed) write(textHeader(file, o));
    headed = true;
  };
  return {
    prepare: summary ? (s, fs) => summaryLine(s, fs) : (s, fs) => prepareTextSession(s, fs, o),
    session(p, index) {
      head();
      write(typeof p === "string" ? p : textSessionAt(p, index));
    },
    omit(tcpStream, reason) {
      if (reason === "not-selected") notSelected++;
      else withoutFindings.push(tcpStream);
    },
    endFile(sum, counts) {
      if (sum.packets === 0 && sum.problems.some((p) => p.level === "error")) return;
      head();
      write(textFooter(sum, counts, o, { withoutFindings, notSelected }));
    },
  };
}

function textFormatOf(name: string, summary: boolean): Format {
  return {
    name,
    file: (file, _n, write, ctx) => textFileReporter(file, write, ctx.text, summary),
    // a blank line between the files' reports
    envelope: (write) => separatedEnvelope(write, "\n"),
  };
}

export const textFormat = (): Format => textFormatOf("text", false);
export const summaryFormat = (): Format => textFormatOf("summary", true);
