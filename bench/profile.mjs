#!/usr/bin/env node
// node bench/profile.mjs CAPTURE [--top 25] [--keep] [--inclusive] [-- smtpcap analyze options]
//
// Profiles `smtpcap analyze --format json CAPTURE` (bin/smtpcap.js → dist/bundle/main.js) with
// node --cpu-prof and prints self time by area (src/capture, src/tcp, src/smtp, …, garbage
// collection, Node.js internals), by source file and by function. The bundle is mapped back to
// its source files through esbuild's `// src/…` module comments. With a replay capture (its
// .json sidecar from bench/replay.mjs), times are also given per SMTP session. --inclusive adds
// each function's total time (itself and what it calls, counted once per stack).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { cliNodeFlags } from "./cli-flags.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const args = process.argv.slice(2);
const dash = args.indexOf("--");
const extra = dash >= 0 ? args.splice(dash).slice(1) : [];
const top = Number(args.includes("--top") ? args.splice(args.indexOf("--top"), 2)[1] : 25);
const keep = args.includes("--keep") && args.splice(args.indexOf("--keep"), 1);
const inclusive = args.includes("--inclusive") && args.splice(args.indexOf("--inclusive"), 1);
const file = args[0];
if (!file) {
  console.error("usage: node bench/profile.mjs CAPTURE [--top N] [--keep] [--inclusive] [-- analyze options]");
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "smtpcap-prof-"));
// with the node flags of bin/smtpcap.js's first line, as an installed smtpcap runs
const argv = [...cliNodeFlags(root), "--cpu-prof", "--cpu-prof-dir", dir, join(root, "bin/smtpcap.js"), "analyze", "--format", "json", "--fail-on", "never", ...extra, file];
const t0 = process.hrtime.bigint();
const run = spawnSync(process.execPath, argv, { stdio: ["ignore", "ignore", "inherit"] });
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
if (run.status !== 0) console.error(`smtpcap exited ${run.status}`);
const profFile = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
const prof = JSON.parse(readFileSync(join(dir, profFile), "utf8"));
if (keep) console.log(`profile kept: ${join(dir, profFile)} (open in Chrome DevTools › Performance)`);
else rmSync(dir, { recursive: true, force: true });

/** For a bundle file: the source module each line belongs to (esbuild's `// src/x.ts` comments). */
const moduleMaps = new Map();
function sourceOf(url, line) {
  if (!url) return "";
  if (!url.startsWith("file://")) return url;
  const path = fileURLToPath(url);
  if (!path.includes("/dist/bundle/")) return relative(root, path);
  let map = moduleMaps.get(path);
  if (!map) {
    map = [];
    readFileSync(path, "utf8").split("\n").forEach((l, i) => {
      const m = /^\/\/ (src\/\S+\.ts)$/.exec(l);
      if (m) map.push([i, m[1]]);
    });
    moduleMaps.set(path, map);
  }
  let src = relative(root, path);
  for (const [i, s] of map) if (i <= line) src = s; else break;
  return src;
}

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
for (let i = 0; i < prof.samples.length; i++) self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);

const fns = new Map(), files = new Map(), areas = new Map(), totals = new Map();
const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const src = sourceOf(url, lineNumber);
  const special = /^\((garbage collector|program|idle|root)\)$/.test(functionName);
  const area = special ? functionName
    : src.startsWith("src/") ? src.split("/").slice(0, 2).join("/")
      : src.startsWith("node:") || src === "" ? "Node.js internals and builtins"
        : src.includes("node_modules") ? "node_modules" : src;
  add(areas, area, us);
  add(files, special ? functionName : src || "(builtin)", us);
  // bundle line numbers are not source line numbers: name the bundle file and line
  const where = url.includes("/dist/bundle/") ? `${src} (${url.split("/").pop()}:${lineNumber + 1})` : `${src}:${lineNumber + 1}`;
  add(fns, special ? functionName : `${functionName || "(anonymous)"}  ${where}`, us);
}
if (inclusive) {
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n) => {
    const { functionName, url, lineNumber } = n.callFrame;
    return `${functionName || "(anonymous)"}  ${sourceOf(url, lineNumber)}`;
  };
  for (const [id, us] of self) {
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const k = keyOf(byId.get(n));
      if (!seen.has(k)) { seen.add(k); add(totals, k, us); }
    }
  }
}

let sessions = null;
if (existsSync(`${file}.json`)) {
  const r = JSON.parse(readFileSync(`${file}.json`, "utf8"));
  sessions = r.files ? r.files.reduce((n, f) => n + (f.sessions?.length ?? 0), 0) : r.sessions ?? null;
}
const print = (title, m, n) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    const per = sessions ? `${(us / sessions).toFixed(1).padStart(7)} µs/session` : "";
    console.log(`  ${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${per}  ${k}`);
  }
};
console.log(`smtpcap analyze --format json ${file}: ${wall.toFixed(2)} s wall under the profiler, ${(total / 1e6).toFixed(2)} s sampled${sessions ? `, ${sessions} SMTP sessions (${((total / sessions)).toFixed(0)} µs each)` : ""}`);
print("self time by area", areas, 20);
print("self time by source file", files, 20);
print(`self time by function (top ${top})`, fns, top);
if (inclusive) print(`total time (self and callees) by function (top ${top})`, new Map([...totals].filter(([k]) => / src\//.test(k))), top);
