#!/usr/bin/env node
// Interleaved A/B runs of smtpcap builds or Node.js flags, for profile-guided changes.
//
//   node bench/ab.mjs --build NAME
//       bundles the current src/ (as npm run build does) into bench/out/builds/NAME/
//   node bench/ab.mjs [--runs 7] VARIANT VARIANT … -- ARGS…
//       runs `smtpcap ARGS` under each VARIANT in turn (A B A B …), stdout to a file, and prints
//       per variant the median wall, user+system CPU and peak RSS (from /usr/bin/time) and
//       whether its output is byte-identical to the first variant's.
// A VARIANT is a build name (bench/out/builds/NAME), `dist` (the current dist/bundle), either
// optionally followed by Node.js flags and environment variables after a colon:
// `dist:--max-semi-space-size=32`, `mybuild:SMTPCAP_X=1 --single-threaded-gc`; a word starting with `+` is
// an smtpcap argument of that variant alone, put before ARGS: `before:+-j +2` runs `smtpcap -j 2 ARGS`.
//
// Example: node bench/ab.mjs dist dist:--max-semi-space-size=32 -- analyze --format json --fail-on never bench/out/replay-200mb.pcap
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cliNodeFlags } from "./cli-flags.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const builds = join(here, "out", "builds");
const args = process.argv.slice(2);

if (args[0] === "--build") {
  const name = args[1];
  if (!name) throw new Error("--build NAME");
  const dir = join(builds, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // the options of `npm run build` (bin/build-cli.mjs), into this build's folder
  const { cliBuildOptions } = await import(join(root, "bin/build-cli.mjs"));
  const esbuild = await import("esbuild");
  try {
    await esbuild.build(cliBuildOptions(dir));
  } catch {
    process.exit(1);
  }
  writeFileSync(join(dir, "node-flags.json"), JSON.stringify(cliNodeFlags(root)) + "\n");
  writeFileSync(join(dir, "run.mjs"), `import { main } from "./main.js";\nmain(process.argv).then((code) => { process.exitCode = code; });\n`);
  console.log(`built ${dir}`);
  process.exit(0);
}

const dash = args.indexOf("--");
if (dash < 0) throw new Error("usage: node bench/ab.mjs [--runs N] VARIANT VARIANT … -- smtpcap arguments");
const cmdArgs = args.slice(dash + 1);
let head = args.slice(0, dash);
let runs = 7;
if (head[0] === "--runs") { runs = Number(head[1]); head = head.slice(2); }

const variants = head.map((spec) => {
  const [name, flags = ""] = spec.split(/:(.*)/s);
  const entry = name === "dist" ? join(root, "bin/smtpcap.js") : join(builds, name, "run.mjs");
  const words = flags.split(/\s+/).filter(Boolean);
  const env = Object.fromEntries(words.filter((w) => /^[A-Z_][A-Z0-9_]*=/.test(w)).map((w) => w.split(/=(.*)/s).slice(0, 2)));
  // a build runs with the node flags of the bin/smtpcap.js it was built beside (as an installed smtpcap runs)
  const flagsFile = join(builds, name, "node-flags.json");
  const nodeFlags = name === "dist" ? cliNodeFlags(root) : existsSync(flagsFile) ? JSON.parse(readFileSync(flagsFile, "utf8")) : [];
  const own = words.filter((w) => w.startsWith("+")).map((w) => w.slice(1));
  const node = words.filter((w) => !/^[A-Z_][A-Z0-9_]*=/.test(w) && !w.startsWith("+"));
  return { spec, env, argv: [...nodeFlags, ...node, entry], own, results: [], hash: null };
});

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const outFile = join(here, "out", "ab.out");
mkdirSync(dirname(outFile), { recursive: true });
for (let r = 0; r < runs; r++) {
  for (const v of variants) {
    // stdout to a file, like a user redirecting the report; /usr/bin/time reports on stderr
    const p = spawnSync("/bin/sh", ["-c", `exec /usr/bin/time -f '%e %U %S %M' "$@" > ${outFile}`, "sh", process.execPath, ...v.argv, ...(cmdArgs[0] === undefined ? [] : [cmdArgs[0]]), ...v.own, ...cmdArgs.slice(1)], { encoding: "utf8", env: { ...process.env, ...v.env } });
    const [wall, user, sys, kb] = p.stderr.trim().split("\n").pop().split(" ").map(Number);
    v.results.push({ wall, cpu: user + sys, rss: kb * 1024 });
    if (r === 0) v.hash = createHash("sha256").update(readFileSync(outFile)).digest("hex");
  }
}
rmSync(outFile, { force: true });
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`${runs} interleaved runs of smtpcap ${cmdArgs.join(" ")} (load average now ${load})`);
const base = variants[0];
const bw = median(base.results.map((x) => x.wall)), bc = median(base.results.map((x) => x.cpu));
for (const v of variants) {
  const w = median(v.results.map((x) => x.wall)), c = median(v.results.map((x) => x.cpu));
  const rss = Math.max(...v.results.map((x) => x.rss));
  const cmp = v === base ? "" : `  wall ${((100 * (w - bw)) / bw).toFixed(1)}%, CPU ${((100 * (c - bc)) / bc).toFixed(1)}%; output ${v.hash === base.hash ? "identical" : "DIFFERENT"}`;
  console.log(`  ${v.spec.padEnd(44)} wall ${w.toFixed(3)} s (${Math.min(...v.results.map((x) => x.wall)).toFixed(2)}–${Math.max(...v.results.map((x) => x.wall)).toFixed(2)})  CPU ${c.toFixed(3)} s  RSS ${(rss / 1e6).toFixed(0)} MB${cmp}`);
}
