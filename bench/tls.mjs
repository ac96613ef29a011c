#!/usr/bin/env node
// node bench/tls.mjs [--mb 200] [--runs 3] [--no-tshark]
//
// The TLS workload (issue #21): the decryptable sessions of ../shared/captures/tls (TLS 1.3
// AES-GCM/ChaCha20, KeyUpdate, AUTH, implicit TLS, TLS 1.2 GCM/CBC) replayed by bench/replay.mjs
// to ~N MB (each replay keeps its client random, so the templates' key logs, concatenated,
// decrypt every replay), then measured, runs interleaved, medians reported:
//   smtpcap analyze --format json --tls-keylog K     (decrypting, every rule on the plaintext)
//   smtpcap analyze --format json                    (the same file without keys)
//   tshark -o tls.keylog_file:K -Y smtp               (decrypting, SMTP dissected)
// Wall seconds and peak RSS from /usr/bin/time. Results in bench/out/tls-last-run.json.
// `npm run bench -- --only tls-N` runs the same workload with CPU times and checks (every session,
// stream byte and finding as the templates analysed alone); tlsWorkload() is shared with it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cliNodeFlags } from "./cli-flags.mjs";
import { templateFromPcap, writeReplay } from "./replay.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const out = join(here, "out");
export const TLS = join(root, "..", "shared", "captures", "tls");
const cli = join(root, "bin/smtpcap.js");
const NODE = cliNodeFlags(root);
const VERSION = 2;
/** replays start here (2026-12-07 00:06 UTC), inside the templates' certificate validity (from 2026-12-06 18:48) */
const START = 1796601600 + 360;
/** the port the workload's implicit-TLS/odd-port template uses besides 25/465/587 */
export const TLS_PORTS = [2465];

/** The decryptable templates (TLS 1.3 AES-GCM/ChaCha20, KeyUpdate, AUTH, implicit TLS, TLS 1.2 GCM/CBC). */
export const TLS_NAMES = ["tls13-postfix-mail", "tls13-chacha-postfix", "tls13-keyupdate", "tls13-aiosmtpd-auth", "implicit-tls-465", "tls-inside-split-reply", "tls12-gcm-postfix", "tls12-cbc-postfix", "tls12-cbc-mte-postfix"];

/**
 * The TLS replay capture of ~mb MB and the key log of its templates (built once, reused while
 * VERSION is unchanged): { file, keys, bytes, packets, sessions, perTemplate, … }.
 */
export function tlsWorkload(mb) {
  mkdirSync(out, { recursive: true });
  const file = join(out, `tls-replay-${mb}mb.pcap`);
  const keys = join(out, "tls-replay.keys");
  const metaFile = `${file}.json`;
  let meta = existsSync(metaFile) ? JSON.parse(readFileSync(metaFile, "utf8")) : null;
  if (meta === null || meta.version !== VERSION || !existsSync(file)) {
    const templates = TLS_NAMES.map((n) => templateFromPcap(`${n}.pcap`, readFileSync(join(TLS, `${n}.pcap`))));
    const t0 = Date.now();
    meta = { version: VERSION, ...writeReplay(file, mb * 1e6, 4242, { templates, startSeconds: START }) };
    writeFileSync(metaFile, JSON.stringify(meta));
    console.error(`generated ${file}: ${(meta.bytes / 1e6).toFixed(1)} MB, ${meta.sessions ?? "?"} sessions (${Date.now() - t0} ms)`);
  }
  writeFileSync(keys, TLS_NAMES.map((n) => readFileSync(join(TLS, `${n}.keys`), "latin1")).join("\n"));
  return { file, keys, ...meta };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

async function main() {
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const MB = Number(opt("--mb", 200));
if (!(MB > 0)) { console.error("bench/tls.mjs: --mb must be a positive number"); process.exit(2); }
const runs = Number(opt("--runs", 3));
if (!Number.isInteger(runs) || runs < 1) { console.error("bench/tls.mjs: --runs must be a whole number of at least 1"); process.exit(2); }
const withTshark = !args.includes("--no-tshark") && spawnSync("tshark", ["--version"]).status === 0;
const w = tlsWorkload(MB);
const meta = w, file = w.file, keys = w.keys;

function measure(cmd, argv) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", cmd, ...argv], { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "ignore", "pipe"] });
  const last = r.stderr.trim().split("\n").pop();
  const [wall, kb] = last.split(" ").map(Number);
  return { wall, rssMb: kb / 1024, status: r.status };
}

const cmds = {
  "smtpcap --tls-keylog": [process.execPath, [...NODE, cli, "analyze", "--format", "json", "--fail-on", "never", "--port", "2465", "--tls-keylog", keys, file]],
  "smtpcap (no keys)": [process.execPath, [...NODE, cli, "analyze", "--format", "json", "--fail-on", "never", "--port", "2465", file]],
};
if (withTshark) cmds["tshark -Y smtp (keys)"] = ["tshark", ["-r", file, "-o", `tls.keylog_file:${keys}`, "-d", "tcp.port==2465,smtp", "-Y", "smtp"]];
const res = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
for (let i = 0; i < runs; i++) for (const [k, [c, a]] of Object.entries(cmds)) res[k].push(measure(c, a));
const med = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = {};
for (const [k, rs] of Object.entries(res)) summary[k] = { wall: med(rs.map((r) => r.wall)), rssMb: med(rs.map((r) => r.rssMb)), status: rs.map((r) => r.status) };
const ref = summary["tshark -Y smtp (keys)"];
console.log(`tls-${MB}: ${(meta.bytes / 1e6).toFixed(1)} MB; median of ${runs}`);
for (const [k, s] of Object.entries(summary)) console.log(`  ${k.padEnd(24)} ${s.wall.toFixed(2).padStart(7)} s  ${s.rssMb.toFixed(0).padStart(5)} MB peak${ref && k.startsWith("smtpcap") ? `  ${(ref.wall / s.wall).toFixed(1)}x tshark's wall` : ""}`);
writeFileSync(join(out, "tls-last-run.json"), JSON.stringify({ mb: MB, bytes: meta.bytes, runs, summary }, null, 1));
}
