/** The text report of `smtpcap compare`. Capture text in it is already escaped by the comparison. */
import { escapeControls, escapeText } from "../text/escape.js";
import type { CompareReport, Pair } from "./model.js";

const SGR = { yellow: "\x1b[33m", cyan: "\x1b[36m", dim: "\x1b[2m", bold: "\x1b[1m", reset: "\x1b[0m" };

function paint(on: boolean, code: string, s: string): string {
  return on ? code + s + SGR.reset : s;
}

function frames(fs: number[]): string {
  return fs.length ? fs.join(",") : "-";
}

function side(r: CompareReport, k: "a" | "b"): string {
  const s = r[k];
  const where = s.nearer === "unknown" ? "" : ` (nearer the ${s.nearer})`;
  return `${k.toUpperCase()}: ${escapeText(s.file)}, ${s.sessions} session${s.sessions === 1 ? "" : "s"}${where}`;
}

function pairText(p: Pair, n: number, color: boolean): string[] {
  const at = (k: "a" | "b") => p.placement === "unknown" ? "" : ` (the ${(p.placement === "a-nearer-client") === (k === "a") ? "client" : "server"} side)`;
  const out: string[] = [];
  const ep = (s: Pair["a"]) => `tcp.stream ${s.tcpStream} (${escapeText(s.client)} → ${escapeText(s.server)})`;
  out.push(paint(color, SGR.bold, `pair ${n}: A ${ep(p.a)}  ↔  B ${ep(p.b)}`));
  out.push(paint(color, SGR.dim, `  paired: ${p.pairedBy}`));
  if (p.changes.length === 0) out.push("  no change between the capture points");
  for (const c of p.changes) {
    const delay = c.delayMs !== undefined ? ` +${c.delayMs} ms` : "";
    out.push(`  ${paint(color, SGR.yellow, c.kind.padEnd(14))} ${c.direction}${delay}  A frames ${frames(c.frames.a)} | B frames ${frames(c.frames.b)}`);
    out.push(`      ${escapeControls(c.detail)}`);
  }
  for (const f of p.findings) {
    out.push(`  ${paint(color, SGR.cyan, f.severity.toUpperCase().padEnd(7))} ${f.rule}: ${escapeControls(f.message)}`);
    out.push(paint(color, SGR.dim, `          ${f.reference} · A: ${f.filter.a} · B: ${f.filter.b}`));
  }
  out.push("  verdict:");
  for (const v of p.verdict) out.push(`    ${escapeControls(v)}`);
  for (const l of p.limits) out.push(`    ${escapeControls(l)}`);
  for (const k of ["a", "b"] as const) {
    const e = p.endpoints[k];
    const rule = e.decisive ? ` [${e.decisive.rule}, ${e.decisive.reference}]` : "";
    out.push(`    endpoint verdict in ${k.toUpperCase()}${at(k)}: ${escapeControls(e.summary)}${rule}`);
  }
  return out;
}

export function compareText(r: CompareReport, o: { color: boolean }): string {
  const out: string[] = [side(r, "a"), side(r, "b")];
  if (r.clockOffset) {
    out.push(`clock: B = A ${r.clockOffset.seconds >= 0 ? "+" : "−"} ${(Math.abs(r.clockOffset.seconds) * 1000).toFixed(3)} ms, estimated from ${r.clockOffset.pairs} pair${r.clockOffset.pairs === 1 ? "" : "s"} (transit cancelled out)`);
  }
  out.push("");
  r.pairs.forEach((p, i) => { out.push(...pairText(p, i + 1, o.color), ""); });
  const un = (k: "a" | "b") => (r.unpaired[k].length ? `tcp.stream ${r.unpaired[k].join(", ")}` : "none");
  out.push(`unpaired: A ${un("a")}; B ${un("b")}`);
  out.push(outcomeLine(r));
  return out.join("\n") + "\n";
}

const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;

/** The last line: what the exit status says (as diff: 0 unchanged, 1 changed or nothing paired), and why. */
export function outcomeLine(r: CompareReport): string {
  if (r.outcome === "nothing-paired") {
    const why = r.a.sessions === 0 && r.b.sessions === 0 ? "neither capture holds an SMTP session"
      : r.a.sessions === 0 ? "A holds no SMTP session"
      : r.b.sessions === 0 ? "B holds no SMTP session"
      : `no session of A (${n(r.a.sessions, "session")}) matches one of B (${n(r.b.sessions, "session")}) in what was said and when: the captures may hold other connections or other times`;
    return `result: nothing paired — ${why}; that is no proof that nothing changed`;
  }
  const changed = r.pairs.filter((p) => p.changes.length > 0);
  const limits = r.pairs.reduce((k, p) => k + p.limits.length, 0);
  const unjudged = limits ? `; ${n(limits, "thing")} could not be judged (the limits above)` : "";
  const unpaired = r.unpaired.a.length + r.unpaired.b.length;
  const rest = unpaired ? `; unpaired sessions are not compared (A ${r.unpaired.a.length}, B ${r.unpaired.b.length})` : "";
  if (r.outcome === "changed") {
    const changes = changed.reduce((k, p) => k + p.changes.length, 0);
    return `result: changed — ${n(changes, "change")} between the capture points in ${changed.length === r.pairs.length ? n(r.pairs.length, "pair") : `${changed.length} of ${n(r.pairs.length, "pair")}`}${unjudged}${rest}`;
  }
  return `result: unchanged — ${n(r.pairs.length, "pair")}, nothing changed between the capture points that the captures show${unjudged}${rest}`;
}
