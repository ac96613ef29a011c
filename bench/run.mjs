#!/usr/bin/env node
// npm run bench [-- --only replay-200,batch] [--quick] [--runs 3] [--no-tshark] [--clean]
//
// Builds its workloads on demand in bench/out/ (git-ignored; reused while their generator is
// unchanged) and measures, in one run, with runs of the tools interleaved (A B C A B C …) and
// medians reported, since this machine's cores are shared:
//   gen-N       the generated workload (N MB: long synthetic sessions, big bodies, pipelining)
//   replay-N    real sessions from ../shared/captures/lab replayed ~1,900 times per 200 MB
//               (bench/replay.mjs): smtpcap analyze --format json vs tshark, both with all its
//               dissectors and with only eth/ip/ipv6/tcp/smtp/imf, and the read+decode floor
//   formats-N   peak RSS of smtpcap on replay-N with --format json, ndjson and text
//   batch       smtpcap batch on a folder of 16 replay captures of ~12 MB: -j 1 … cores, default
//   batch-gen   smtpcap batch -j 1 / -j 2 on 300 generated captures (463 MB; not in the default set)
//   scan        a 1M-connection port scan (memory must not grow with connections)
//   profile     a CPU profile of smtpcap on replay-200 (bench/profile.mjs), self time by function
//   soak        (only with --only soak) --soak-gb N (default 10) GB of replayed sessions through a pipe into
//               smtpcap watch: RSS curve, every session reported, latency percentiles; tshark -i - on 1 GB
//   tls-N       the decryptable ../shared/captures/tls sessions replayed to N MB (bench/tls.mjs):
//               smtpcap with and without --tls-keylog vs tshark with the same key log
// Every smtpcap run is checked: it must report every session written (and, on replays, the same
// stream bytes and findings as the lab captures analysed one by one), or the row says INVALID.
// Results are also written to bench/out/last-run.json.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cliNodeFlags } from "./cli-flags.mjs";
import { LAB, REPLAY_VERSION, labTemplates, writeReplay } from "./replay.mjs";
import { TLS, TLS_PORTS, tlsWorkload } from "./tls.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const out = join(here, "out");
const cli = join(root, "bin/smtpcap.js"); // runs dist/bundle/main.js
const NODE = cliNodeFlags(root); // the node flags of its first line, as an installed smtpcap runs
mkdirSync(out, { recursive: true });

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const quick = args.includes("--quick");
const runs = Number(opt("--runs", quick ? 1 : 3));
const withTshark = !args.includes("--no-tshark") && spawnSync("tshark", ["--version"]).status === 0;
const cpus = availableParallelism();
const defaults = quick
  ? ["gen-20", "replay-20", "formats-20", "tls-20", "batch", "scan"]
  : [...opt("--sizes", "20,200,1000").split(",").map((s) => `gen-${s}`), "replay-200", "replay-1000", "formats-1000", "tls-200", "batch", "scan"];
if (args.includes("--no-batch")) defaults.splice(defaults.indexOf("batch"), 1);
if (args.includes("--no-scan")) defaults.splice(defaults.indexOf("scan"), 1);
const parts = opt("--only", "") ? opt("--only", "").split(",") : defaults;
const BATCH = quick ? { files: 16, mb: 1 } : { files: 16, mb: 12 };
const SCAN = quick ? 100_000 : 1_000_000;

const TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/**
 * Run a command, stdout to `stdoutFile` (or discarded); wall seconds, peak RSS (VmHWM) and CPU
 * seconds of all its threads (utime + stime), both polled from /proc every 10 ms.
 */
function measure(cmd, argv, stdoutFile) {
  return new Promise((resolve) => {
    const fd = stdoutFile ? openSync(stdoutFile, "w") : "ignore";
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, { stdio: ["ignore", fd, "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => { if (stderr.length < 4000) stderr += d; });
    let peak = 0;
    let cpu = 0;
    // the main thread alone (its tid is the pid): with analyze -j N, reading and routing
    let mainCpu = 0;
    const poll = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
        const f = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
        cpu = Math.max(cpu, (Number(f[11]) + Number(f[12])) / TICKS);
        const t = readFileSync(`/proc/${child.pid}/task/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
        mainCpu = Math.max(mainCpu, (Number(t[11]) + Number(t[12])) / TICKS);
      } catch { /* exited */ }
    };
    const timer = setInterval(poll, 10);
    child.on("exit", (code) => {
      clearInterval(timer);
      if (typeof fd === "number") closeSync(fd);
      resolve({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, rss: peak, cpu, mainCpu, code, stderr });
    });
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const mb = (b) => (b / 1e6).toFixed(1);
const summary = (rs) => ({ seconds: median(rs.map((r) => r.seconds)), min: Math.min(...rs.map((r) => r.seconds)), max: Math.max(...rs.map((r) => r.seconds)), cpu: median(rs.map((r) => r.cpu)), mainCpu: median(rs.map((r) => r.mainCpu)), rss: Math.max(...rs.map((r) => r.rss)), runs: rs.length });
const results = { date: new Date().toISOString(), cpus, runs, quick, parts: {} };
const log = (s) => console.log(s);

/** Run each command `runs` times, interleaved; returns { name: summary }. */
async function interleaved(cmds) {
  const all = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
  for (let r = 0; r < runs; r++) {
    for (const [name, c] of Object.entries(cmds)) {
      const m = await measure(c.cmd, c.argv, c.stdout);
      if (m.code !== 0 && !c.okCodes?.includes(m.code)) log(`  ${name} exited ${m.code}: ${m.stderr.trim().split("\n").slice(0, 3).join(" / ")}`);
      all[name].push(m);
    }
  }
  return Object.fromEntries(Object.entries(all).map(([k, rs]) => [k, summary(rs)]));
}

function row(label, s, bytes, sessions, extra = "") {
  const range = s.runs > 1 ? ` (${s.min.toFixed(2)}–${s.max.toFixed(2)})` : "";
  const rate = sessions ? `${(sessions / s.seconds).toFixed(0).padStart(6)} sess/s` : "";
  log(`  ${label.padEnd(30)} ${`${s.seconds.toFixed(2)} s${range}`.padEnd(22)} ${(bytes / 1e6 / s.seconds).toFixed(0).padStart(5)} MB/s ${rate.padEnd(14)} CPU ${s.cpu.toFixed(2).padStart(5)} s  RSS ${mb(s.rss).padStart(6)} MB${extra}`);
}

// ---- workloads -------------------------------------------------------------------------------

let templates;
/** Per lab template: what smtpcap reports for it alone (sessions, stream bytes, findings by rule). */
let reference;
async function replayReference() {
  if (reference) return reference;
  templates ??= labTemplates();
  reference = {};
  for (const t of templates) {
    const r = spawnSync(process.execPath, [...NODE, cli, "analyze", "--format", "json", "--fail-on", "never", join(LAB, t.name)], { encoding: "utf8", maxBuffer: 1 << 28 });
    reference[t.name] = tally(JSON.parse(r.stdout));
  }
  return reference;
}

/** Sessions, stream bytes and findings by rule of one `analyze --format json` report (or an array of them). */
function tally(report) {
  const t = { sessions: 0, client: 0, server: 0, findings: {} };
  // the JSON report is one envelope { schemaVersion, tool, files: [...] }; each session holds its findings
  const files = report.files ?? (Array.isArray(report) ? report : [report]);
  for (const f of files) {
    for (const s of f.sessions ?? []) {
      t.sessions++; t.client += s.bytes.client; t.server += s.bytes.server;
      for (const x of s.findings ?? []) t.findings[x.rule] = (t.findings[x.rule] ?? 0) + (x.count ?? 1);
    }
    for (const x of f.findings ?? []) t.findings[x.rule] = (t.findings[x.rule] ?? 0) + (x.count ?? 1);
  }
  return t;
}

/** The replay capture of `size` MB (built once, reused while bench/replay.mjs is unchanged). */
function replayFile(size, seed, dir = out) {
  const file = join(dir, `replay-${size}mb${seed === undefined ? "" : `-${seed}`}.pcap`);
  const meta = `${file}.json`;
  if (existsSync(file) && existsSync(meta)) {
    const m = JSON.parse(readFileSync(meta, "utf8"));
    if (m.version === REPLAY_VERSION) return { file, ...m };
  }
  templates ??= labTemplates();
  const t0 = Date.now();
  const m = { version: REPLAY_VERSION, ...writeReplay(file, size * 1e6, 1000 + size + (seed ?? 0), { templates }) };
  writeFileSync(meta, JSON.stringify(m));
  console.error(`generated ${file}: ${mb(m.bytes)} MB, ${m.packets} packets, ${m.sessions} SMTP sessions, ${m.noiseFlows} bulk flows (${((100 * m.noiseBytes) / m.bytes).toFixed(0)}% of bytes) in ${Date.now() - t0} ms`);
  return { file, ...m };
}

/** What smtpcap must report for a replay: the lab templates' tallies times their replays. */
async function replayExpected(w) {
  const ref = await replayReference();
  const e = { sessions: 0, client: 0, server: 0, findings: {} };
  for (const [name, n] of Object.entries(w.perTemplate)) {
    const r = ref[name];
    e.sessions += n * r.sessions; e.client += n * r.client; e.server += n * r.server;
    for (const [rule, k] of Object.entries(r.findings)) e.findings[rule] = (e.findings[rule] ?? 0) + n * k;
  }
  return e;
}

/** tally() of a report file; a report that cannot be read counts no session. */
function tallyFile(file) {
  try {
    return tally(JSON.parse(readFileSync(file, "utf8")));
  } catch (err) {
    log(`  cannot read ${file}: ${err.message}`);
    return { sessions: 0, client: 0, server: 0, findings: {} };
  }
}

function compare(expected, got) {
  const bad = [];
  if (got.sessions !== expected.sessions) bad.push(`sessions ${got.sessions}/${expected.sessions}`);
  if (expected.client !== undefined && (got.client !== expected.client || got.server !== expected.server)) bad.push(`stream bytes client ${got.client}/${expected.client}, server ${got.server}/${expected.server}`);
  if (expected.findings) {
    for (const rule of new Set([...Object.keys(expected.findings), ...Object.keys(got.findings)])) {
      if ((expected.findings[rule] ?? 0) !== (got.findings[rule] ?? 0)) bad.push(`${rule} ${got.findings[rule] ?? 0}/${expected.findings[rule] ?? 0}`);
    }
  }
  return bad;
}

/**
 * tshark arguments that disable every dissector but frame/eth/ip/ipv6/tcp/smtp/imf. tshark 4.0
 * ignores `--disable-protocol ALL` (port-443 payload is still dissected as TLS with it), so each
 * protocol `tshark -G protocols` lists is disabled by name (~2,900 arguments); with them the
 * bulk transfers show as `data`.
 */
let disabled = null;
function onlyProtocols() {
  if (disabled === null) {
    const keep = new Set(["frame", "eth", "ethertype", "ip", "ipv6", "tcp", "smtp", "imf"]);
    const list = spawnSync("tshark", ["-G", "protocols"], { encoding: "utf8", maxBuffer: 64 << 20 }).stdout.split("\n").map((l) => l.split("\t")[2]).filter((p) => p && !keep.has(p));
    disabled = list.flatMap((p) => ["--disable-protocol", p]);
  }
  return disabled;
}

function tsharkCommands(file, ports, jsonOut) {
  if (!withTshark) return {};
  // the workload's SMTP on ports tshark does not dissect as SMTP by default (2525, 2626) is
  // declared, so tshark dissects every session smtpcap does
  const decodeAs = ports.flatMap((p) => ["-d", `tcp.port==${p},smtp`]);
  const base = ["-r", file, ...decodeAs, "-Y", "smtp.response", "-T", "fields", "-e", "tcp.stream", "-e", "frame.number", "-e", "smtp.response.code"];
  return {
    "tshark, all dissectors": { cmd: "tshark", argv: base, stdout: `${jsonOut}.tshark-all.tsv` },
    "tshark, eth/ip/tcp/smtp only": { cmd: "tshark", argv: [...onlyProtocols(), ...base], stdout: `${jsonOut}.tshark-tuned.tsv` },
  };
}

/** Sessions in which tshark printed at least one SMTP reply, and its output lines. */
function tsharkTally(tsv) {
  const text = readFileSync(tsv, "utf8");
  const lines = text.split("\n").filter(Boolean);
  return { lines: lines.length, streams: new Set(lines.map((l) => l.split("\t")[0])).size };
}

/** The analyze comparison on one workload file: floor, smtpcap, tshark × 2, interleaved. */
/** The default of `analyze -j` (src/cli/analyze-command.ts defaultAnalyzeJobs): CPUs - 1, as batch. */
const ANALYZE_DEFAULT_JOBS = Math.max(1, cpus - 1);

async function analyzeWorkload(name, w, expected, ports, jobs = false) {
  const bytes = statSync(w.file).size;
  log(`\n${name}: ${mb(bytes)} MB, ${w.packets} packets, ${w.sessions} SMTP sessions${w.noiseFlows !== undefined ? `, ${w.noiseFlows} bulk flows (${((100 * w.noiseBytes) / w.bytes).toFixed(0)}% of bytes)` : ""}; ${cpus} CPUs, load average ${loadavg()}; median of ${runs}, runs interleaved`);
  const json = join(out, `${name}.out.json`);
  const base = "smtpcap analyze --format json";
  // replays: -j 1 (one thread, the path for small files) … -j <CPUs> (the default, CPUs - 1, marked), each output checked
  const js = jobs ? Array.from({ length: Math.max(2, cpus) }, (_, i) => i + 1) : [];
  const label = (j) => `${base} -j ${j}${j === ANALYZE_DEFAULT_JOBS ? " (default)" : ""}`;
  const smtpcaps = jobs
    ? Object.fromEntries(js.map((j) => [label(j), { cmd: process.execPath, argv: [...NODE, cli, "analyze", "--format", "json", "--fail-on", "never", "-j", String(j), w.file], stdout: `${json}.j${j}` }]))
    : { [base]: { cmd: process.execPath, argv: [...NODE, cli, "analyze", "--format", "json", "--fail-on", "never", w.file], stdout: json } };
  const s = await interleaved({
    "read+decode floor": { cmd: process.execPath, argv: [join(here, "floor.mjs"), w.file] },
    ...smtpcaps,
    ...tsharkCommands(w.file, ports, join(out, name)),
  });
  // the comparison with tshark: the default, or -j 2 where the default is one thread (2 CPUs)
  const main = jobs ? label(Math.max(2, ANALYZE_DEFAULT_JOBS)) : base;
  const us = s[main];
  const one = jobs ? s[label(1)] : null;
  for (const [label, r] of Object.entries(s)) {
    // wall time is what users wait for; CPU time is steadier when other work shares the cores
    let ratio = label.startsWith("tshark") ? `  ${(r.seconds / us.seconds).toFixed(1)}x smtpcap's wall, ${(r.cpu / us.cpu).toFixed(1)}x its CPU, ${(r.rss / us.rss).toFixed(1)}x its RSS` : "";
    // with workers: the main thread's CPU (reading, decoding, routing, writing) and the rest (workers, GC threads)
    if (one !== null && label.startsWith("smtpcap")) ratio = `  main thread ${r.mainCpu.toFixed(2)} s, other threads ${(r.cpu - r.mainCpu).toFixed(2)} s; ${(one.seconds / r.seconds).toFixed(2)}x -j 1's speed`;
    row(label, r, bytes, label.startsWith("read") ? 0 : w.sessions, ratio);
  }
  if (jobs) {
    for (const [k, t] of Object.entries(s)) {
      if (k.startsWith("tshark")) log(`  ${k}: ${(t.seconds / us.seconds).toFixed(1)}x the wall of smtpcap -j ${Math.max(2, ANALYZE_DEFAULT_JOBS)}, ${(t.seconds / one.seconds).toFixed(1)}x -j 1's (target: 10x on 2 CPUs)`);
    }
  }
  const outs = jobs ? js.map((j) => [j, `${json}.j${j}`]) : [[0, json]];
  const checks = {};
  for (const [j, file] of outs) {
    const got = tallyFile(file);
    rmSync(file);
    const bad = compare(expected, got);
    const who = jobs ? `smtpcap -j ${j}` : "smtpcap";
    log(bad.length ? `  INVALID: ${who}'s report differs from what was written: ${bad.join("; ")}` : `  check: ${who} reported ${got.sessions}/${expected.sessions} sessions${expected.client !== undefined ? `, every stream byte (${mb(got.client + got.server)} MB) and the lab captures' findings (${Object.values(got.findings).reduce((a, b) => a + b, 0)})` : ""}`);
    checks[jobs ? `smtpcap-j${j}` : "smtpcap"] = bad.length ? bad : "ok";
  }
  for (const k of ["all", "tuned"]) {
    const tsv = join(out, `${name}.tshark-${k}.tsv`);
    if (!existsSync(tsv)) continue;
    checks[`tshark-${k}`] = tsharkTally(tsv);
    rmSync(tsv);
  }
  if (checks["tshark-all"]) {
    const a = checks["tshark-all"], b = checks["tshark-tuned"];
    log(`  check: tshark printed replies in ${a.streams}/${w.sessions} sessions${a.streams < w.sessions ? " (fewer: tshark did less work than smtpcap)" : ""} (${a.lines} lines)${b ? `; tuned: ${b.streams} sessions, ${b.lines} lines${b.lines === a.lines ? " (same work)" : " — DIFFERENT from all dissectors"}` : ""}`);
  }
  results.parts[name] = { bytes, packets: w.packets, sessions: w.sessions, ...s, checks };
}

async function genPart(size) {
  const { writeWorkload } = await import("./workload.mjs");
  const file = join(out, `workload-${size}mb.pcap`);
  const meta = `${file}.json`;
  if (!existsSync(file) || !existsSync(meta)) {
    const t0 = Date.now();
    const info = writeWorkload(file, size * 1e6, 42 + size);
    writeFileSync(meta, JSON.stringify(info));
    console.error(`generated ${file}: ${mb(info.bytes)} MB, ${info.packets} packets, ${info.sessions} SMTP sessions (${Date.now() - t0} ms)`);
  }
  const w = { file, ...JSON.parse(readFileSync(meta, "utf8")) };
  await analyzeWorkload(`gen-${size}`, w, { sessions: w.sessions }, []);
}

async function replayPart(size) {
  const w = replayFile(size);
  await analyzeWorkload(`replay-${size}`, w, await replayExpected(w), [2525, 2626], true);
}

/** Peak RSS per output format (the JSON report must not be held in memory). */
async function formatsPart(size) {
  const w = replayFile(size);
  const bytes = statSync(w.file).size;
  log(`\nformats-${size}: smtpcap analyze on replay-${size} (${mb(bytes)} MB, ${w.sessions} sessions), output to a file; median of ${runs}`);
  const cmds = {};
  for (const f of ["json", "ndjson", "text"]) cmds[`--format ${f}`] = { cmd: process.execPath, argv: [...NODE, cli, "analyze", "--format", f, "--fail-on", "never", "--no-color", w.file], stdout: join(out, `formats.${f}`) };
  const s = await interleaved(cmds);
  for (const [label, r] of Object.entries(s)) {
    const f = label.split(" ")[1];
    const file = join(out, `formats.${f}`);
    const size = statSync(file).size;
    let found = null;
    if (f === "json") found = tallyFile(file).sessions;
    else if (f === "ndjson") found = countNdjson(file);
    else found = Number(/(\d+) SMTP sessions/.exec(readFileSync(file, "utf8").slice(-20000))?.[1] ?? NaN);
    rmSync(file);
    row(label, r, bytes, w.sessions, `  output ${mb(size)} MB; sessions ${found}/${w.sessions}${found === w.sessions ? "" : " INVALID"}`);
    results.parts[`formats-${size}`] ??= {};
    results.parts[`formats-${size}`][f] = { ...r, output: size, sessions: found };
  }
}

/** Sessions in an ndjson report: records that are sessions, or file records with a sessions list. */
function countNdjson(file) {
  let n = 0;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    const r = JSON.parse(line);
    if (Array.isArray(r.sessions)) n += r.sessions.length;
    else if (r.tcpStream !== undefined && r.client !== undefined) n++;
  }
  return n;
}

/** Batch on a folder of replay captures: -j 1 … cores and the default. */
async function batchPart() {
  const dir = join(out, `replay-batch-${BATCH.files}x${BATCH.mb}mb`);
  mkdirSync(dir, { recursive: true });
  let sessions = 0, bytes = 0;
  for (let i = 0; i < BATCH.files; i++) {
    const w = replayFile(BATCH.mb, i, dir);
    sessions += w.sessions; bytes += statSync(w.file).size;
  }
  log(`\nbatch: ${BATCH.files} replay captures, ${mb(bytes)} MB, ${sessions} sessions, on ${cpus} CPUs; median of ${runs}, runs interleaved`);
  const cmds = {};
  for (let j = 1; j <= cpus; j++) cmds[`batch -j ${j}`] = { cmd: process.execPath, argv: [...NODE, cli, "batch", "--quiet", "--fail-on", "never", "-j", String(j), dir], stdout: join(out, `batch-j${j}.txt`) };
  cmds["batch (default jobs)"] = { cmd: process.execPath, argv: [...NODE, cli, "batch", "--quiet", "--fail-on", "never", dir], stdout: join(out, "batch-default.txt") };
  const s = await interleaved(cmds);
  for (const [label, r] of Object.entries(s)) {
    const file = cmds[label].stdout;
    // the table's sessions column (the first number after the file name; plain or drawn columns)
    const found = readFileSync(file, "utf8").split("\n").map((l) => /\.pcap\s*(?:[│|]\s*)?(\d+)\s/.exec(l)).filter(Boolean).reduce((n, m) => n + Number(m[1]), 0);
    rmSync(file);
    row(label, r, bytes, sessions, `  ${(r.cpu / r.seconds).toFixed(2)} cores busy; sessions ${found}/${sessions}${found === sessions ? "" : " INVALID"}; ${(r.seconds / s["batch -j 1"].seconds).toFixed(2)}x -j 1's wall`);
  }
  results.parts.batch = { files: BATCH.files, bytes, sessions, ...s };
}

/** The old batch comparison on 300 generated captures. */
async function batchGenPart() {
  const { writeWorkload } = await import("./workload.mjs");
  const dir = join(out, "batch-300");
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 300; i++) writeWorkload(join(dir, `c${String(i).padStart(3, "0")}.pcap`), 500000 + (i % 7) * 250000, 1000 + i, { concurrency: 8, maxBody: 150000 });
  }
  const bytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  log(`\nbatch-gen: 300 generated captures, ${mb(bytes)} MB; median of ${runs}`);
  const cmds = {};
  for (const j of [1, 2]) cmds[`batch -j ${j}`] = { cmd: process.execPath, argv: [...NODE, cli, "batch", "--quiet", "--fail-on", "never", "-j", String(j), dir] };
  const s = await interleaved(cmds);
  for (const [label, r] of Object.entries(s)) row(label, r, bytes, 0, `  ${(r.cpu / r.seconds).toFixed(2)} cores busy`);
  results.parts["batch-gen"] = s;
}

async function scanPart() {
  const { writeScan } = await import("./workload.mjs");
  const file = join(out, `scan-${SCAN}.pcap`);
  if (!existsSync(file)) writeScan(file, SCAN);
  const s = await interleaved({ scan: { cmd: process.execPath, argv: [...NODE, cli, "analyze", "--format", "json", "--fail-on", "never", file] } });
  log(`\nscan: ${SCAN} connections (${mb(statSync(file).size)} MB, none SMTP): ${s.scan.seconds.toFixed(2)} s, RSS ${mb(s.scan.rss)} MB`);
  results.parts.scan = s.scan;
}

/**
 * The TLS workload: smtpcap with the key log, without it, and tshark with it, interleaved. Checks:
 * with keys, smtpcap must report every session, its stream bytes and findings as each template
 * analysed alone with its own key log (times its replays); without keys, as each template
 * analysed alone without one; tshark must print SMTP replies (decrypted) in every session.
 */
let tlsReference;
async function tlsPart(size) {
  const w = tlsWorkload(size);
  const bytes = statSync(w.file).size;
  const portArgs = TLS_PORTS.flatMap((p) => ["--port", String(p)]);
  if (!tlsReference) {
    tlsReference = { keys: {}, none: {} };
    for (const name of Object.keys(w.perTemplate)) {
      const pcap = join(TLS, name), keyFile = pcap.replace(/\.pcap$/, ".keys");
      for (const [k, extra] of [["keys", ["--tls-keylog", keyFile]], ["none", []]]) {
        const r = spawnSync(process.execPath, [...NODE, cli, "analyze", "--format", "json", "--fail-on", "never", ...portArgs, ...extra, pcap], { encoding: "utf8", maxBuffer: 1 << 28 });
        tlsReference[k][name] = tally(JSON.parse(r.stdout));
      }
    }
  }
  const expected = (k) => {
    const e = { sessions: 0, client: 0, server: 0, findings: {} };
    for (const [name, n] of Object.entries(w.perTemplate)) {
      const r = tlsReference[k][name];
      e.sessions += n * r.sessions; e.client += n * r.client; e.server += n * r.server;
      for (const [rule, c] of Object.entries(r.findings)) e.findings[rule] = (e.findings[rule] ?? 0) + n * c;
    }
    return e;
  };
  const name = `tls-${size}`;
  log(`\n${name}: ${mb(bytes)} MB, ${w.packets} packets, ${w.sessions} SMTP sessions over TLS (${Object.keys(w.perTemplate).length} templates), ${w.noiseFlows} bulk flows (${((100 * w.noiseBytes) / w.bytes).toFixed(0)}% of bytes); median of ${runs}, runs interleaved`);
  const outKeys = join(out, `${name}.keys.json`), outNone = join(out, `${name}.none.json`), tsv = join(out, `${name}.tshark.tsv`);
  const analyze = (extra, stdout) => ({ cmd: process.execPath, argv: [...NODE, cli, "analyze", "--format", "json", "--fail-on", "never", ...portArgs, ...extra, w.file], stdout });
  const cmds = {
    "smtpcap --tls-keylog": analyze(["--tls-keylog", w.keys], outKeys),
    "smtpcap, no keys": analyze([], outNone),
  };
  if (withTshark) {
    cmds["tshark, tls.keylog_file"] = {
      cmd: "tshark",
      argv: ["-r", w.file, "-o", `tls.keylog_file:${w.keys}`, ...TLS_PORTS.flatMap((p) => ["-d", `tcp.port==${p},smtp`]), "-Y", "smtp.response", "-T", "fields", "-e", "tcp.stream", "-e", "frame.number", "-e", "smtp.response.code"],
      stdout: tsv,
    };
  }
  const s = await interleaved(cmds);
  const ts = s["tshark, tls.keylog_file"];
  for (const [label, r] of Object.entries(s)) {
    const ratio = ts && label.startsWith("smtpcap") ? `  ${(ts.seconds / r.seconds).toFixed(2)}x tshark's wall, ${(ts.cpu / r.cpu).toFixed(2)}x its CPU, ${(ts.rss / r.rss).toFixed(1)}x its RSS` : "";
    row(label, r, bytes, w.sessions, ratio);
  }
  const checks = {};
  for (const [k, file, label] of [["keys", outKeys, "with keys"], ["none", outNone, "without keys"]]) {
    const got = tallyFile(file);
    rmSync(file);
    const bad = compare(expected(k), got);
    checks[`smtpcap-${k}`] = bad.length ? bad : "ok";
    log(bad.length ? `  INVALID (${label}): smtpcap's report differs from the templates': ${bad.join("; ")}` : `  check (${label}): smtpcap reported ${got.sessions}/${w.sessions} sessions, every stream byte (${mb(got.client + got.server)} MB) and the templates' findings (${Object.values(got.findings).reduce((a, b) => a + b, 0)})`);
  }
  if (existsSync(tsv)) {
    checks.tshark = tsharkTally(tsv);
    rmSync(tsv);
    log(`  check: tshark printed decrypted SMTP replies in ${checks.tshark.streams}/${w.sessions} sessions (${checks.tshark.lines} lines)${checks.tshark.streams < w.sessions ? " (fewer: tshark did less work than smtpcap)" : ""}`);
  }
  results.parts[name] = { bytes, packets: w.packets, sessions: w.sessions, ...s, checks };
}

async function profilePart() {
  const w = replayFile(quick ? 20 : 200);
  const r = spawnSync(process.execPath, [join(here, "profile.mjs"), w.file], { stdio: "inherit" });
  if (r.status !== 0) log("profile failed");
}

/** The soak of issue #23 (only with --only soak: ~10 min for 10 GB): bench/soak.mjs. */
async function soakPart() {
  const { soakSmtpcap, soakTshark } = await import("./soak.mjs");
  const gb = Number(opt("--soak-gb", quick ? 1 : 10));
  const r = await soakSmtpcap(gb, log);
  const t = withTshark ? await soakTshark(Math.min(gb, 1), log) : null;
  results.parts.soak = { smtpcap: r, tshark: t };
}

const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
log(`smtpcap bench: ${cpus} CPUs, load average ${loadavg()}, node ${process.version}${withTshark ? `, ${spawnSync("tshark", ["--version"], { encoding: "utf8" }).stdout.split("\n")[0].replace(/\s*\(Git.*/, "")}` : ", no tshark"}; parts: ${parts.join(", ")}`);
for (const p of parts) {
  const [kind, n] = [p.replace(/-\d+$/, ""), Number(/-(\d+)$/.exec(p)?.[1])];
  if (kind === "gen") await genPart(n);
  else if (kind === "replay") await replayPart(n);
  else if (kind === "formats") await formatsPart(n || (quick ? 20 : 1000));
  else if (kind === "batch") await batchPart();
  else if (kind === "batch-gen") await batchGenPart();
  else if (kind === "scan") await scanPart();
  else if (kind === "profile") await profilePart();
  else if (kind === "soak") await soakPart();
  else if (kind === "tls") await tlsPart(n || (quick ? 20 : 200));
  else { console.error(`unknown part ${p} (gen-N, replay-N, formats[-N], tls-N, batch, batch-gen, scan, profile, soak)`); process.exitCode = 2; }
}
log(`\nload average at the end: ${loadavg()} (above ${cpus}, other work shared the cores: compare CPU times)`);
writeFileSync(join(out, "last-run.json"), JSON.stringify(results, null, 1));
if (args.includes("--clean")) rmSync(out, { recursive: true, force: true });
