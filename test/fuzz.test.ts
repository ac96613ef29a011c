import { expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { analyzeFile } from "../src/analyze.js";
import { toJson } from "../src/report/json.js";
import { toText } from "../src/report/text.js";
import { MUTATIONS, mutate, rng } from "./support/mutate.js";
import { SHARED, tmpFile } from "./support/fixtures.js";
import { describeShared } from "./support/shared.js";

/** How many cases: a few hundred in CI, more with `npm run fuzz` (FUZZ_CASES). */
const CASES = Number(process.env.FUZZ_CASES ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const PER_CASE_MS = 10000;
/** cases also run through the CLI (a process each) */
const CLI_CASES = Number(process.env.FUZZ_CLI_CASES ?? 30);
const BIN = join(import.meta.dirname, "..", "bin", "smtpcap.js");

function seeds(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(pcap|pcapng)$/.test(e) && statSync(p).size < 2_000_000) out.push(p);
    }
  };
  walk(join(SHARED, "captures", "lab"));
  walk(join(SHARED, "captures", "suricata-verify"));
  walk(join(SHARED, "captures", "zeek"));
  walk(join(SHARED, "captures", "ndpi"));
  return out.sort();
}

describeShared(`fuzz: ${CASES} mutated captures of the shared captures (seed ${SEED})`, () => {
  it("every case ends with a report (problems, not exceptions), in bounded time and memory, with safe text", async () => {
    const files = seeds();
    const inputs = files.map((f) => readFileSync(f));
    const r = rng(SEED);
    const failures: string[] = [];
    const stats = { cases: 0, withProblems: 0, findings: 0, maxMs: 0 };
    const rssStart = process.memoryUsage().rss;
    let rssMax = rssStart;
    for (let i = 0; i < CASES; i++) {
      const which = Math.floor(r() * inputs.length);
      const kinds = [MUTATIONS[Math.floor(r() * MUTATIONS.length)]];
      if (r() < 0.3) kinds.push(MUTATIONS[Math.floor(r() * MUTATIONS.length)]);
      let buf: Buffer = inputs[which];
      for (const k of kinds) buf = mutate(buf, k, r);
      const label = `case ${i}: ${kinds.join("+")} of ${files[which]}`;
      const path = tmpFile(buf, ".pcap");
      const t0 = performance.now();
      try {
        const rep = await analyzeFile(path);
        const text = toText(rep, { color: false, verbose: true });
        const json = JSON.stringify(toJson(rep));
        // no raw control characters may reach a terminal
        const bad = (text + "\n" + json).split("\n").find((l) => /[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f]/.test(l));
        if (bad !== undefined) failures.push(`${label}: raw control character in output: ${JSON.stringify(bad.slice(0, 200))}`);
        stats.findings += rep.findings.length;
        if (rep.problems.length) stats.withProblems++;
      } catch (err) {
        failures.push(`${label}: threw ${(err as Error).stack}`);
      }
      if (i < CLI_CASES) {
        // the whole program too: exit 0 or 1, or 3 exactly when the file is damaged before its end;
        // one line per problem, never a stack trace
        const r = spawnSync(process.execPath, [BIN, "analyze", "--format", i % 2 ? "json" : "text", path], { encoding: "utf8", timeout: 30000, maxBuffer: 1 << 30 });
        const damaged = r.stderr.split("\n").some((l) => l.startsWith("smtpcap: ") && !l.startsWith("smtpcap: warning: "));
        if (r.status === null || r.status === 2 || r.status > 3 || (r.status === 3) !== damaged) failures.push(`${label}: CLI exit ${r.status} (${r.signal ?? ""}) ${r.stderr.slice(0, 200)}`);
        if (/\n\s+at .*:\d+:\d+/.test(r.stderr) || r.stderr.includes("internal error")) failures.push(`${label}: CLI stderr: ${r.stderr.slice(0, 300)}`);
        if (r.stderr.split("\n").some((l) => l && !l.startsWith("smtpcap: "))) failures.push(`${label}: stray stderr: ${r.stderr.slice(0, 300)}`);
      }
      const ms = performance.now() - t0;
      stats.maxMs = Math.max(stats.maxMs, ms);
      if (ms > PER_CASE_MS) failures.push(`${label}: took ${Math.round(ms)} ms`);
      rssMax = Math.max(rssMax, process.memoryUsage().rss);
      stats.cases++;
    }
    console.log(`fuzz: ${stats.cases} cases, ${stats.withProblems} with reading problems, ${stats.findings} findings, slowest ${Math.round(stats.maxMs)} ms, RSS ${Math.round(rssStart / 1e6)} → ${Math.round(rssMax / 1e6)} MB`);
    expect(failures).toEqual([]);
    expect(rssMax - rssStart).toBeLessThan(512 * 1024 * 1024);
  }, Math.max(120000, CASES * 200));
});
