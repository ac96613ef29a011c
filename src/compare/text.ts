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
  if (r.pairs.length === 0) out.push("no session of A was found in B", "");
  const un = (k: "a" | "b") => (r.unpaired[k].length ? `tcp.stream ${r.unpaired[k].join(", ")}` : "none");
  out.push(`unpaired: A ${un("a")}; B ${un("b")}`);
  return out.join("\n") + "\n";
}
