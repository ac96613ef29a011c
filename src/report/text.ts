import type { FileReport, FileSummary } from "../analyze.js";
import type { JudgedSession } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import type { Command, Reply } from "../smtp/model.js";
import { clip, escapeText } from "../text/escape.js";

export interface TextOptions {
  color: boolean;
  /** show every reply line, not just the first and last of long replies */
  verbose: boolean;
}

const SGR = { red: "\x1b[31m", yellow: "\x1b[33m", cyan: "\x1b[36m", dim: "\x1b[2m", bold: "\x1b[1m", reset: "\x1b[0m" };

function paint(on: boolean, code: string, s: string): string {
  return on ? code + s + SGR.reset : s;
}

function sevColor(f: Finding["severity"]): string {
  return f === "error" ? SGR.red : f === "warning" ? SGR.yellow : SGR.cyan;
}

function rel(t: number, t0: number): string {
  return ((t - t0) * 1000).toFixed(1).padStart(9) + " ms";
}

interface Row { frame: number; time: number; text: string[] }

function replyRows(r: Reply, verbose: boolean): Row {
  const n = r.lineInfo.length;
  const shown: string[] = [];
  const lines = r.lines.map((l) => clip(escapeText(l), 100));
  if (verbose || n <= 4) shown.push(...lines);
  else shown.push(lines[0], lines[1], `… ${n - 3} more lines …`, lines[n - 1]);
  if (r.linesDropped) shown.push(`… ${r.linesDropped} further lines not kept`);
  const first = r.segments[0];
  const label = r.greeting ? " (greeting)" : r.command === null ? " (no command outstanding)" : "";
  const text = shown.map((l, i) => (i === 0 ? `S  ${l}${label}` : `   ${l}`));
  if (!r.complete) text.push("   [reply incomplete: no final line]");
  if (r.frames.length > 1) {
    text.push(`   carried in ${r.segments.length} segments:`);
    for (const g of r.segments) {
      const lineNos = g.lines.length ? `lines ${g.lines[0] + 1}-${g.lines[g.lines.length - 1] + 1}` : "no complete line";
      text.push(`     frame ${g.frame}  +${((g.time - (first?.time ?? g.time)) * 1000).toFixed(1)} ms  seq ${g.seq}  ${g.bytes} bytes  ${lineNos}${g.midLine ? "  (ends mid-line)" : ""}`);
    }
  }
  return { frame: first?.frame ?? 0, time: r.firstTime, text };
}

function commandRow(c: Command): Row {
  const first = c.segments[0];
  let text = c.kind === "message" ? c.line : clip(escapeText(c.line), 100);
  if (c.afterStartTls) text += "  (plaintext after STARTTLS)";
  if (c.authUser !== undefined) text += `  (user ${clip(escapeText(c.authUser), 60)})`;
  const ack = first && first.ack !== null ? `  [ack ${first.ack}]` : "";
  const rows = [`C  ${text}${ack}`];
  const content = c.message?.content;
  if (content !== undefined) {
    const lines = content.replace(/\r?\n$/, "").split("\n");
    for (const l of lines.slice(0, 200)) rows.push(`   | ${clip(escapeText(l.endsWith("\r") ? l.slice(0, -1) : l), 160)}`);
    if (lines.length > 200 || content.length >= 65536) rows.push("   | … (message shown in part)");
  }
  return { frame: first?.frame ?? 0, time: c.time, text: rows };
}

function sessionText(s: JudgedSession, findings: Finding[], o: TextOptions): string[] {
  const out: string[] = [];
  const head = `Session ${s.index}  tcp.stream ${s.tcpStream}  client ${s.client} → server ${s.server}`;
  out.push(paint(o.color, SGR.bold, head));
  const facts = [`${s.commands.length} commands, ${s.replies.length} replies`, `bytes client ${s.bytes.client} / server ${s.bytes.server}`];
  if (s.tls) facts.push(`TLS (${s.tls.mode}) from frame ${s.tls.frame}: the rest is encrypted`);
  if (!s.sawSyn) facts.push("no SYN captured (started mid-connection)");
  out.push("  " + facts.join(" · "));
  out.push("  Verdict: " + s.verdict.summary);
  if (s.verdict.decisive) out.push(`    ${s.verdict.decisive.reference}: “${s.verdict.decisive.quote}”`);
  for (const f of findings) {
    const tag = paint(o.color, sevColor(f.severity), f.severity.toUpperCase().padEnd(7));
    out.push(`  ${tag} ${f.rule} [${f.side}] frames ${f.frames.join(",") || "-"}`);
    out.push(`          ${f.message}`);
    if (f.evidence) out.push(paint(o.color, SGR.dim, `          evidence: ${f.evidence}`));
    out.push(paint(o.color, SGR.dim, `          ${f.reference} · filter: ${f.filter}`));
  }
  for (const why of new Set(s.verdict.notEvaluableWhy ?? [])) {
    const n = (s.verdict.notEvaluableWhy ?? []).filter((w) => w === why).length;
    out.push(`  Not evaluable: ${n} rule${n === 1 ? "" : "s"}, because ${why}`);
  }
  for (const g of s.gaps) out.push(`  GAP    ${g.side} bytes ${g.offset}..${g.offset + g.bytes} missing (frame ${g.frame}): ${g.reason}`);
  const rows: Row[] = [...s.commands.map(commandRow), ...s.replies.map((r) => replyRows(r, o.verbose))];
  rows.sort((a, b) => a.frame - b.frame || a.time - b.time);
  out.push("  Timeline (frame, time since first packet of the session):");
  for (const r of rows) {
    r.text.forEach((t, i) => out.push(i === 0 ? `  ${String(r.frame).padStart(7)} ${rel(r.time, s.startTime)}  ${t}` : `  ${" ".repeat(7)} ${" ".repeat(12)}  ${t}`));
  }
  return out;
}

/** The first line of a file's report. */
export function textHeader(file: string, o: TextOptions): string {
  return paint(o.color, SGR.bold, escapeText(file)) + "\n";
}

/** One session's block, as soon as it is judged. */
export function textSession(s: JudgedSession, findings: Finding[], o: TextOptions): string {
  return "\n" + sessionText(s, findings, o).join("\n") + "\n";
}

/** The closing lines: what was read, reading problems, totals. */
export function textFooter(sum: Omit<FileSummary, "sessionCount"> & { sessionCount: number }, counts: { error: number; warning: number; info: number }): string {
  const out: string[] = [""];
  out.push(`  ${sum.format}${sum.gzip ? " (gzip)" : ""}, ${sum.packets} packets, ${sum.stats.tcpConnections} TCP connections, ${sum.sessionCount} SMTP sessions; findings: ${counts.error} errors, ${counts.warning} warnings, ${counts.info} infos`);
  for (const p of sum.problems) out.push(`  ${p.level === "error" ? "ERROR" : "WARNING"}: ${escapeText(sum.file)}: byte ${p.offset}: ${escapeText(p.message)}`);
  return out.join("\n") + "\n";
}

/** The human report for one file. */
export function toText(rep: FileReport, o: TextOptions): string {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of rep.findings) counts[f.severity]++;
  let out = textHeader(rep.file, o);
  for (const s of rep.sessions) out += textSession(s, rep.findings.filter((f) => f.session === s.index), o);
  return out + textFooter({ ...rep, sessionCount: rep.sessions.length }, counts);
}
