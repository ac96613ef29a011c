#!/usr/bin/env node
// node bench/stages.mjs CAPTURE [--runs 5] [--dist DIR --dist DIR …] [--port N …] [--tls-keylog K …]
//
// Where smtpcap's CPU time goes, stage by stage, measured by running cumulative pipelines on the
// built library (dist/) in fresh processes, interleaved, and taking each one's median CPU time
// (user + system of the process, from process.cpuUsage: less disturbed by other load on the
// machine than wall time), with the garbage collector's share (from perf_hooks "gc" entries):
//   read      readCapture, frames discarded
//   decode    + link/IP/TCP header decoding (bench/floor.mjs)
//   dissect   + connections, reassembly, SMTP session model, verdicts; no rules (analyzeStream with --only of no rule)
//   judge     + all rules
//   json      + the JSON report, as --format json builds it (report/json.js JsonFileWriter), not written
// The difference between consecutive stages is that stage's cost. With several --dist (a tsc output
// directory each, e.g. one built from main in a worktree), the variants run interleaved too, so
// their per-stage numbers can be compared under the same load. --port and --tls-keylog are passed
// to analyzeStream as the CLI's options of that name (the TLS workload of bench/tls.mjs:
// `--port 2465 --tls-keylog bench/out/tls-replay.keys`); decryption is part of "dissect".
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const STAGES = ["read", "decode", "dissect", "judge", "json"];
const args = process.argv.slice(2);

if (args[0] === "--stage") {
  const [, stage, file, dist, extraJson] = args;
  const extra = JSON.parse(extraJson ?? "{}");
  const mod = (p) => import(pathToFileURL(resolve(dist, p)).href);
  const { PerformanceObserver } = await import("node:perf_hooks");
  const { readCapture } = await mod("capture/source.js");
  const { TcpPacket } = await mod("tcp/decode.js");
  const { analyzeStream } = await mod("analyze.js");
  const { JsonFileWriter } = await mod("report/json.js");
  let gc = 0;
  new PerformanceObserver((list) => { for (const e of list.getEntries()) gc += e.duration; }).observe({ entryTypes: ["gc"] });
  const c0 = process.cpuUsage();
  let sessions = 0, chars = 0;
  if (stage === "read") await readCapture(file, () => {});
  else if (stage === "decode") {
    const pkt = new TcpPacket();
    await readCapture(file, (frame, time, linkType, data, start, capLen) => { pkt.decode(linkType, data, start, capLen); });
  } else {
    const opts = { ...extra, ...(stage === "dissect" ? { only: ["(no rule)"] } : {}) };
    const w = stage === "json" ? new JsonFileWriter((t) => { chars += t.length; }, file) : null;
    const sum = await analyzeStream(file, opts, (s, findings) => {
      sessions++;
      if (w) w.session(s, findings);
    });
    if (w) w.end(sum);
  }
  const c = process.cpuUsage(c0);
  await new Promise((r) => setTimeout(r, 20)); // let the last gc entries arrive
  console.log(JSON.stringify({ cpu: (c.user + c.system) / 1e6, gc: gc / 1000, sessions, chars }));
  process.exit(0);
}

const rest = [...args];
const dists = [];
for (let i = rest.indexOf("--dist"); i >= 0; i = rest.indexOf("--dist")) dists.push(rest.splice(i, 2)[1]);
if (dists.length === 0) dists.push(fileURLToPath(new URL("../dist", import.meta.url)));
const extra = { ports: [], tlsKeylogs: [] };
for (let i = rest.indexOf("--port"); i >= 0; i = rest.indexOf("--port")) extra.ports.push(Number(rest.splice(i, 2)[1]));
for (let i = rest.indexOf("--tls-keylog"); i >= 0; i = rest.indexOf("--tls-keylog")) extra.tlsKeylogs.push(resolve(rest.splice(i, 2)[1]));
const runs = rest.includes("--runs") ? Number(rest.splice(rest.indexOf("--runs"), 2)[1]) : 5;
const file = rest.find((a) => !a.startsWith("--"));
if (!file) {
  console.error("usage: node bench/stages.mjs CAPTURE [--runs N] [--dist DIR …]");
  process.exit(2);
}
const res = dists.map(() => Object.fromEntries(STAGES.map((s) => [s, []])));
for (let r = 0; r < runs; r++) {
  for (const [v, dist] of dists.entries()) {
    for (const s of STAGES) {
      const p = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--stage", s, file, dist, JSON.stringify(extra)], { encoding: "utf8" });
      if (p.status !== 0) throw new Error(`${s}: ${p.stderr}`);
      res[v][s].push(JSON.parse(p.stdout));
    }
  }
}
const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2; };
const sessions = res[0].judge[0].sessions;
console.log(`${file}: ${sessions} sessions; CPU seconds, median of ${runs} interleaved runs (load average ${spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).stdout.split(" ").slice(0, 3).join(" ")})`);
for (const [v, dist] of dists.entries()) {
  if (dists.length > 1) console.log(`${dist}:`);
  let prev = 0, prevGc = 0;
  for (const s of STAGES) {
    const cpu = median(res[v][s].map((x) => x.cpu)), gc = median(res[v][s].map((x) => x.gc));
    const d = cpu - prev;
    console.log(`  ${s.padEnd(8)} ${cpu.toFixed(3)} s total (gc ${gc.toFixed(3)} s)   this stage: ${d >= 0 ? "+" : ""}${d.toFixed(3)} s = ${((1e6 * d) / sessions).toFixed(0).padStart(4)} µs/session (gc ${gc - prevGc >= 0 ? "+" : ""}${(gc - prevGc).toFixed(3)} s)`);
    prev = cpu;
    prevGc = gc;
  }
}
