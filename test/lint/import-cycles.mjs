#!/usr/bin/env node
// Fails (exit 1) when src/ has an import cycle: between files, or between the parts of src/
// (capture, tcp, stream, smtp, rules, report, cli, text, and the top-level files), or a part imports a
// higher layer (LAYERS below). Type-only imports
// count too: a cycle of types is still a cycle of design. Run by `npm run lint`.
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { lintRoot, tsFiles } from "./ts-files.mjs";

const ROOT = lintRoot();
const files = tsFiles(ROOT);

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s*["'](\.{1,2}\/[^"']+)["']/g;
const graph = new Map();
for (const f of files) {
  const deps = new Set();
  for (const m of readFileSync(f, "utf8").matchAll(IMPORT)) {
    const target = resolve(dirname(f), m[1]).replace(/\.js$/, ".ts");
    if (files.includes(target)) deps.add(target);
  }
  graph.set(f, deps);
}

/** Strongly connected components with more than one node (or a self-loop): Tarjan. */
function cycles(g) {
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], on = new Set(), out = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do { w = stack.pop(); on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || g.get(v)?.has(v)) out.push(scc);
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const part = (f) => {
  const r = relative(ROOT, f);
  return r.includes("/") ? r.split("/")[0] : r.replace(/\.ts$/, "");
};
const parts = new Map();
for (const [f, deps] of graph) {
  const p = part(f);
  if (!parts.has(p)) parts.set(p, new Set());
  for (const d of deps) if (part(d) !== p) parts.get(p).add(part(d));
}

// The layers, lowest first: a part may import only from parts before it. Between TCP and SMTP sit
// the stream layers (stream/: tunnel peeling, the TLS slot) and the TLS layer (tls/) that plugs
// into that slot. A new part of src/ must be placed here.
const LAYERS = ["text", "capture", "tcp", "stream", "tls", "smtp", "products", "rules", "analyze", "compare", "report", "parallel", "index", "cli"];

const problems = [];
for (const [p, deps] of parts) {
  const at = LAYERS.indexOf(p);
  if (at < 0) {
    problems.push(`layers: src/${p} is not in the layer list of test/lint/import-cycles.mjs`);
    continue;
  }
  for (const d of deps) {
    if (LAYERS.indexOf(d) > at) {
      const edge = [...graph].find(([f, ds]) => part(f) === p && [...ds].some((x) => part(x) === d));
      problems.push(`layers: ${p} imports ${d}, a higher layer (${edge ? relative(ROOT, edge[0]) : p})`);
    }
  }
}
for (const scc of cycles(graph)) problems.push(`files: ${scc.map((f) => relative(ROOT, f)).sort().join(" ↔ ")}`);
for (const scc of cycles(parts)) {
  const edges = [];
  for (const a of scc) for (const [f, deps] of graph) if (part(f) === a) for (const d of deps) if (part(d) !== a && scc.includes(part(d))) edges.push(`${relative(ROOT, f)} → ${relative(ROOT, d)}`);
  problems.push(`parts: ${scc.sort().join(" ↔ ")} (${edges.slice(0, 6).join("; ")}${edges.length > 6 ? "; …" : ""})`);
}
if (problems.length > 0) {
  console.error(`import cycles in src/ (${problems.length}):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`no import cycles among ${files.length} files in src/`);
