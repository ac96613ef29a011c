// The soak benchmark of issue #23: replayed sessions (replay.mjs) streamed at full speed through
// a pipe into `smtpcap watch --format ndjson -` for --soak-gb GB (default 10), never held whole.
//
//   node bench/soak.mjs [--soak-gb N] [--tshark-gb M | --no-tshark] [--chunk BYTES]
//   npm run bench -- --only soak [--soak-gb N]
//
// Measured: smtpcap's RSS (VmRSS from /proc, every second) as a curve, max per GB; whether it is
// flat (the last GB's max no higher than the first GB's by more than 10%) and ≤ 150 MB; that
// every SMTP session written is reported; and latency: the generator stamps (wall clock) each
// session once the piece of the stream holding its last packet has been written into the pipe,
// the reader stamps its ndjson record when it arrives; p50 / p99 / max, p99 ≤ 1 s. Then tshark
// `-i -` on the first --tshark-gb GB (default 1) of the same stream: its time, RSS and the size
// of the temporary file it spools the stream into.
//
// Internal: `node bench/soak.mjs --generate BYTES [--chunk BYTES]` is the generator: the pcap on
// fd 1, "client:port ms" lines for ended sessions and "#bytes N" progress on fd 3.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cliNodeFlags } from "./cli-flags.mjs";
import { streamReplay } from "./replay.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const GB = 1e9;
const CHUNK = Number(opt("--chunk", 64 * 1024));

/** writeSync that waits out a non-blocking pipe's EAGAIN. */
function writeAll(fd, buf, n) {
  const sab = new Int32Array(new SharedArrayBuffer(4));
  for (let off = 0; off < n;) {
    try {
      off += writeSync(fd, buf, off, n - off);
    } catch (e) {
      if (e.code !== "EAGAIN") throw e;
      Atomics.wait(sab, 0, 0, 1);
    }
  }
}

if (args.includes("--generate")) {
  const target = Number(opt("--generate", GB));
  let pending = [];
  let bytes = 0;
  let lastReport = 0;
  try {
    const stats = streamReplay(target, 7, {
      chunk: CHUNK,
      ended: (client, port) => pending.push(`${client}:${port}`),
      write: (buf, n) => {
        writeAll(1, buf, n);
        bytes += n;
        if (pending.length > 0 || bytes - lastReport >= 16 << 20) {
          const now = Date.now();
          let s = pending.map((k) => `${k} ${now}\n`).join("");
          if (bytes - lastReport >= 16 << 20) { s += `#bytes ${bytes}\n`; lastReport = bytes; }
          writeAll(3, Buffer.from(s), Buffer.byteLength(s));
          pending = [];
        }
      },
    });
    const s = `#stats ${JSON.stringify({ bytes: stats.bytes, packets: stats.packets, sessions: stats.sessions })}\n`;
    writeAll(3, Buffer.from(s), Buffer.byteLength(s));
  } catch (e) {
    if (e.code !== "EPIPE") throw e;
  }
  process.exit(0);
}

const soakGb = Number(opt("--soak-gb", 10));
const tsharkGb = args.includes("--no-tshark") ? 0 : Number(opt("--tshark-gb", 1));
const cli = join(root, "bin/smtpcap.js");
const NODE = cliNodeFlags(root);
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const pct = (xs, p) => (xs.length === 0 ? NaN : xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]);
const rssOf = (pid) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch { return 0; }
};
const TICKS = 100;
const cpuOf = (pid) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch { return 0; }
};

/** Lines of a stream as Buffers (no string per chunk: the reader must not be the slow part), one callback each. */
function lines(stream, each) {
  let rest = null;
  stream.on("data", (d) => {
    let buf = rest === null ? d : Buffer.concat([rest, d]);
    let from = 0;
    for (let nl = buf.indexOf(10, from); nl >= 0; nl = buf.indexOf(10, from)) {
      each(buf.subarray(from, nl));
      from = nl + 1;
    }
    rest = from < buf.length ? Buffer.from(buf.subarray(from)) : null;
    buf = null;
  });
}

function generator(bytes) {
  return spawn(process.execPath, [fileURLToPath(import.meta.url), "--generate", String(bytes), "--chunk", String(CHUNK)], { stdio: ["ignore", "pipe", "inherit", "pipe"] });
}

export async function soakSmtpcap(gb = soakGb, log = console.log) {
  const gen = generator(gb * GB);
  const sm = spawn(process.execPath, [...NODE, cli, "watch", "--format", "ndjson", "--fail-on", "never", "-"], { stdio: [gen.stdout, "pipe", "pipe"] });
  const sent = new Map();
  const recv = new Map();
  let written = 0;
  let genStats = null;
  lines(gen.stdio[3], (b) => {
    const l = b.toString("latin1");
    if (l.startsWith("#bytes ")) written = Number(l.slice(7));
    else if (l.startsWith("#stats ")) genStats = JSON.parse(l.slice(7));
    else if (l) { const sp = l.lastIndexOf(" "); sent.set(l.slice(0, sp), Number(l.slice(sp + 1))); }
  });
  let reported = 0, idleClosed = 0, fileRecord = null, stderr = "";
  sm.stderr.on("data", (d) => { if (stderr.length < 4000) stderr += d; });
  lines(sm.stdout, (b) => {
    const head = b.toString("latin1", 0, Math.min(b.length, 400));
    if (head.startsWith('{"type":"session"')) {
      const now = Date.now();
      reported++;
      const m = /"client":"([^"]+)"/.exec(head);
      if (m) recv.set(m[1], now);
      if (b.indexOf('"kind":"idle-closed"') >= 0) idleClosed++;
    } else if (head.startsWith('{"type":"file"')) fileRecord = JSON.parse(b.toString("utf8"));
  });
  // RSS every second, by how much of the stream had been written then
  const samples = [];
  const t0 = Date.now();
  const timer = setInterval(() => {
    const rss = rssOf(sm.pid);
    if (rss > 0) samples.push({ t: (Date.now() - t0) / 1000, bytes: written, rss });
  }, 1000);
  let cpu = 0;
  const cpuTimer = setInterval(() => { cpu = Math.max(cpu, cpuOf(sm.pid)); }, 200);
  const code = await new Promise((resolve) => sm.on("exit", resolve));
  clearInterval(timer);
  clearInterval(cpuTimer);
  await new Promise((resolve) => (gen.exitCode !== null ? resolve() : gen.on("exit", resolve)));
  const wall = (Date.now() - t0) / 1000;
  // per GB (per tenth of the stream below 2 GB)
  const unit = gb >= 2 ? GB : (gb * GB) / 10;
  const buckets = Math.round((gb * GB) / unit);
  const perGb = [];
  for (const s of samples) {
    const g = Math.min(buckets - 1, Math.floor(s.bytes / unit));
    perGb[g] = Math.max(perGb[g] ?? 0, s.rss);
  }
  const lat = [];
  let unmatched = 0;
  for (const [k, at] of sent) {
    const r = recv.get(k);
    if (r === undefined) unmatched++;
    else lat.push(r - at);
  }
  lat.sort((a, b) => a - b);
  const maxRss = Math.max(0, ...samples.map((s) => s.rss));
  const first = perGb[0] ?? 0, last = perGb[perGb.length - 1] ?? 0;
  const res = {
    gb, wall, cpu, code, stderr: stderr.trim(), bytes: genStats?.bytes, sessionsWritten: genStats?.sessions, reported, idleClosed, unmatched,
    fileSessionCount: fileRecord?.sessionCount,
    rssUnitGb: unit / GB,
    rssPerGbMb: [...perGb].map((x) => Math.round((x ?? 0) / 1e5) / 10),
    maxRssMb: Math.round(maxRss / 1e5) / 10,
    latencyMs: { n: lat.length, p50: pct(lat, 50), p99: pct(lat, 99), max: lat[lat.length - 1] },
    checks: {
      everySession: genStats !== null && reported === genStats.sessions && unmatched === 0,
      rssAtMost150MB: maxRss <= 150e6,
      flat: last <= first * 1.1,
      p99AtMost1s: pct(lat, 99) <= 1000,
    },
  };
  log(`soak: ${gb} GB (${((res.bytes ?? 0) / 1e9).toFixed(2)} GB, ${res.sessionsWritten} SMTP sessions written) through a pipe into smtpcap watch --format ndjson -: ${wall.toFixed(0)} s wall, ${cpu.toFixed(0)} s CPU, ${((res.bytes ?? 0) / 1e6 / wall).toFixed(1)} MB/s; exit ${code}`);
  log(`  RSS max per ${unit / GB} GB (MB): ${res.rssPerGbMb.join(" ")}; max ${res.maxRssMb} MB (${samples.length} samples, 1 s apart)`);
  log(`  sessions reported ${reported} of ${res.sessionsWritten} (${idleClosed} ended by the idle limit; ${unmatched} written but not reported)`);
  log(`  latency, last packet into the pipe → ndjson record out: p50 ${res.latencyMs.p50} ms, p99 ${res.latencyMs.p99} ms, max ${res.latencyMs.max} ms (${lat.length} sessions)`);
  log(`  checks: ${Object.entries(res.checks).map(([k, v]) => `${k} ${v ? "ok" : "FAILED"}`).join(", ")}`);
  if (res.stderr) log(`  smtpcap stderr: ${res.stderr}`);
  return res;
}

/** tshark -i - on the same stream: time, RSS and the size of the temporary file it spools into. */
export async function soakTshark(gb = tsharkGb, log = console.log) {
  const tmp = join(here, "out", "soak-tshark-tmp");
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const gen = generator(gb * GB);
  gen.stdio[3].resume();
  const t0 = Date.now();
  const ts = spawn("tshark", ["-i", "-", "-Y", "smtp.response", "-T", "fields", "-e", "smtp.response.code"], { stdio: [gen.stdout, "ignore", "pipe"], env: { ...process.env, TMPDIR: tmp } });
  let stderr = "";
  ts.stderr.on("data", (d) => { if (stderr.length < 4000) stderr += d; });
  let maxRss = 0, maxTmp = 0, cpu = 0;
  const timer = setInterval(() => {
    maxRss = Math.max(maxRss, rssOf(ts.pid));
    cpu = Math.max(cpu, cpuOf(ts.pid));
    let size = 0;
    for (const f of readdirSync(tmp)) { try { size += statSync(join(tmp, f)).size; } catch { /* gone */ } }
    maxTmp = Math.max(maxTmp, size);
  }, 1000);
  const code = await new Promise((resolve) => ts.on("exit", resolve));
  clearInterval(timer);
  const wall = (Date.now() - t0) / 1000;
  rmSync(tmp, { recursive: true, force: true });
  const res = { gb, wall, code, maxRssMb: Math.round(maxRss / 1e5) / 10, tempFileMb: Math.round(maxTmp / 1e5) / 10, cpu };
  log(`soak, tshark -i - on ${gb} GB of the same stream: ${wall.toFixed(0)} s wall, ${cpu.toFixed(0)} s CPU (tshark process), RSS max ${res.maxRssMb} MB, temporary file ${res.tempFileMb} MB (it spools the whole stream); exit ${code}${code !== 0 ? `: ${stderr.trim().slice(0, 300)}` : ""}`);
  return res;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`soak: load average ${loadavg()}`);
  const r = await soakSmtpcap();
  const t = tsharkGb > 0 ? await soakTshark() : null;
  console.log(`soak: load average at the end ${loadavg()}`);
  mkdirSync(join(here, "out"), { recursive: true });
  const { writeFileSync } = await import("node:fs");
  writeFileSync(join(here, "out", "soak-last.json"), JSON.stringify({ date: new Date().toISOString(), smtpcap: r, tshark: t }, null, 1));
  if (!Object.values(r.checks).every(Boolean)) process.exitCode = 1;
}
