#!/usr/bin/env node
// node bench/rule-cost.mjs CAPTURE [--top 20] [--reps 3]
//
// What each rule costs, measured apart from everything else: dissects CAPTURE once with
// dist/analyze.js (sessions kept in memory), then times each rule's check() alone over all those
// sessions (see below), best of --reps. The per-session facts (factsOf) are cached by the first
// pass, so they are not in any rule's time. Prints µs per session for each rule. The first pass
// is CPU time of this process (process.cpuUsage), so other load on the machine inflates it less.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

if (typeof globalThis.gc !== "function") {
  const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const { analyzeStream } = await import("../dist/analyze.js");
const { ALL_RULES } = await import("../dist/rules/index.js");
const { DEFAULT_RULE_OPTIONS } = await import("../dist/rules/types.js");

const args = process.argv.slice(2);
const flag = (name, dflt) => (args.includes(name) ? Number(args.splice(args.indexOf(name), 2)[1]) : dflt);
const top = flag("--top", 20);
const reps = flag("--reps", 3);
const file = args[0];
if (!file) {
  console.error("usage: node bench/rule-cost.mjs CAPTURE [--top N] [--reps N]");
  process.exit(2);
}

/** CPU milliseconds (user + system) of this process. */
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

const sessions = [];
const t0 = cpu();
await analyzeStream(file, {}, (s) => { sessions.push(s); });
const whole = cpu() - t0;

/** What the judge gives later sessions (engine.ts summarise). */
const summary = (s) => ({
  tcpStream: s.tcpStream,
  server: s.server,
  offeredStartTls: s.commands.some((c) => c.kind === "command" && c.verb === "EHLO" && c.replies.some((r) => s.replies[r]?.lines.slice(1).some((l) => l.slice(4).toUpperCase().startsWith("STARTTLS")))),
});
const summaries = sessions.map(summary);

// Session by session, every rule in turn (as the judge runs them, with the session hot in the
// cache); each check timed alone; a check longer than 2 ms (the process was preempted, or a
// collection struck) is left out. Best of `reps` passes per rule.
const rules = ALL_RULES;
const best = new Float64Array(rules.length).fill(Infinity);
let dropped = 0, droppedMs = 0;
for (let k = 0; k < reps; k++) {
  const sum = new Float64Array(rules.length);
  const earlier = [];
  const ctx = { session: null, earlier, opts: DEFAULT_RULE_OPTIONS, report() {} };
  globalThis.gc();
  for (let i = 0; i < sessions.length; i++) {
    ctx.session = sessions[i];
    for (let j = 0; j < rules.length; j++) {
      const t = performance.now();
      rules[j].check(ctx);
      const d = performance.now() - t;
      if (d < 2) sum[j] += d;
      else { dropped++; droppedMs += d; }
    }
    earlier.push(summaries[i]);
  }
  for (let j = 0; j < rules.length; j++) best[j] = Math.min(best[j], sum[j]);
}
const cost = rules.map((r, j) => [r.meta.id, best[j]]);
const all = cost.reduce((a, [, ms]) => a + ms, 0);
const n = sessions.length;
console.log(`${file}: ${n} sessions; analyzeStream (read, dissect, judge) ${whole.toFixed(0)} ms CPU = ${((1000 * whole) / n).toFixed(0)} µs/session; the ${cost.length} rules alone: ${all.toFixed(0)} ms = ${((1000 * all) / n).toFixed(0)} µs/session (best of ${reps}, facts cached; ${dropped} checks over 2 ms, ${(droppedMs / reps).toFixed(0)} ms a pass, left out: collections or preemption)`);
for (const [id, ms] of cost.sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`  ${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / all).toFixed(1).padStart(5)}% ${((1000 * ms) / n).toFixed(1).padStart(8)} µs/session  ${id}`);
}
