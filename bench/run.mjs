#!/usr/bin/env node
// npm run bench [-- --sizes 20,200,1000] [--no-tshark] [--no-batch] [--no-scan]
// Generates its own workloads (bench/out/, not committed) and measures, in one run:
//   smtpcap analyze --format json   vs   tshark -Y smtp.response -T fields  (the baseline)
// wall time, MB/s, packets/s, peak RSS; and smtpcap batch -j 2 vs -j 1 over a folder of captures.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeScan, writeWorkload } from "./workload.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const out = join(here, "out");
mkdirSync(out, { recursive: true });
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const sizes = opt("--sizes", "20,200,1000").split(",").map(Number);
const withTshark = !args.includes("--no-tshark") && spawnSync("tshark", ["--version"]).status === 0;
const withBatch = !args.includes("--no-batch");
const withScan = !args.includes("--no-scan");

const TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/**
 * Run a command, discarding stdout; wall seconds, peak RSS (VmHWM) and CPU seconds of all its
 * threads (utime + stime), both polled from /proc every 10 ms.
 */
function measure(cmd, argv) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, { stdio: ["ignore", "ignore", "ignore"] });
    let peak = 0;
    let cpu = 0;
    const poll = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
        const f = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
        cpu = Math.max(cpu, (Number(f[11]) + Number(f[12])) / TICKS);
      } catch { /* exited */ }
    };
    const timer = setInterval(poll, 10);
    child.on("exit", (code) => {
      clearInterval(timer);
      resolve({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, rss: peak, cpu, code });
    });
  });
}

const mb = (b) => (b / 1e6).toFixed(1);
const rows = [];
for (const size of sizes) {
  const file = join(out, `workload-${size}mb.pcap`);
  let info;
  if (!existsSync(file)) {
    const t0 = Date.now();
    info = writeWorkload(file, size * 1e6, 42 + size);
    console.error(`generated ${file}: ${mb(info.bytes)} MB, ${info.packets} packets, ${info.sessions} SMTP sessions (${Date.now() - t0} ms)`);
  }
  const bytes = statSync(file).size;
  const packets = Number(spawnSync(process.execPath, ["-e", `import("${join(root, "dist/capture/source.js")}").then(async m=>{let n=0;await m.readCapture(${JSON.stringify(file)},()=>n++);console.log(n)})`], { encoding: "utf8" }).stdout.trim());
  const cat = await measure("cat", [file]);
  // the floor: reading the file and decoding every frame's headers, no SMTP work at all
  const floor = await measure(process.execPath, [join(here, "floor.mjs"), file]);
  const us = await measure(process.execPath, [join(root, "bin/smtpcap.js"), "analyze", "--format", "json", "--fail-on", "never", file]);
  const ts = withTshark && size <= 1000 ? await measure("tshark", ["-r", file, "-Y", "smtp.response", "-T", "fields", "-e", "frame.number", "-e", "smtp.response.code"]) : null;
  rows.push({ size: mb(bytes), packets, cat, us, ts, bytes });
  const line = [
    `${mb(bytes).padStart(7)} MB ${String(packets).padStart(8)} pkts`,
    `smtpcap ${us.seconds.toFixed(2)} s ${(bytes / 1e6 / us.seconds).toFixed(0)} MB/s ${(packets / us.seconds / 1e3).toFixed(0)} kpkt/s RSS ${mb(us.rss)} MB`,
    ts ? `tshark ${ts.seconds.toFixed(2)} s ${(bytes / 1e6 / ts.seconds).toFixed(1)} MB/s RSS ${mb(ts.rss)} MB → smtpcap is ${(ts.seconds / us.seconds).toFixed(1)}x faster, ${(ts.rss / us.rss).toFixed(1)}x less memory` : "tshark: not run",
    `(read+decode only: ${floor.seconds.toFixed(2)} s; cat: ${(bytes / 1e6 / cat.seconds).toFixed(0)} MB/s)`,
  ];
  console.log(line.join(" | "));
}

if (withScan) {
  // memory must not grow with the number of connections either
  const file = join(out, "scan-1m.pcap");
  if (!existsSync(file)) writeScan(file, 1_000_000);
  const r = await measure(process.execPath, [join(root, "bin/smtpcap.js"), "analyze", "--format", "json", "--fail-on", "never", file]);
  console.log(`port scan, 1 000 000 connections (${mb(statSync(file).size)} MB, none SMTP): ${r.seconds.toFixed(2)} s, RSS ${mb(r.rss)} MB`);
}

if (withBatch) {
  const dir = join(out, "batch-300");
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 300; i++) writeWorkload(join(dir, `c${String(i).padStart(3, "0")}.pcap`), 500000 + (i % 7) * 250000, 1000 + i, { concurrency: 8, maxBody: 150000 });
    console.error(`generated 300 captures in ${dir}: ${(spawnSync("du", ["-sm", dir], { encoding: "utf8" }).stdout.split("\t")[0])} MB`);
  }
  const runs = {};
  for (const j of [1, 2]) {
    const r = await measure(process.execPath, [join(root, "bin/smtpcap.js"), "batch", "--quiet", "--fail-on", "never", "-j", String(j), dir]);
    runs[j] = r;
    console.log(`batch 300 files -j ${j}: ${r.seconds.toFixed(2)} s, CPU ${r.cpu.toFixed(2)} s (${(r.cpu / r.seconds).toFixed(2)} cores busy), RSS ${mb(r.rss)} MB`);
  }
  const cpus = availableParallelism();
  // -j 1 already keeps more than one core busy (V8's garbage-collector and compiler threads, the
  // thread pool's reads): with the same work spread over all cores, -j 2 cannot beat this bound
  const bound = Math.max(1 / cpus, runs[1].cpu / cpus / runs[1].seconds);
  console.log(`batch wall-time ratio -j 2 / -j 1: ${(runs[2].seconds / runs[1].seconds).toFixed(2)} (on ${cpus} CPUs; target ≤ 0.6; best possible with -j 1's CPU time spread over ${cpus} cores: ${bound.toFixed(2)})`);
}
if (args.includes("--clean")) rmSync(out, { recursive: true, force: true });
