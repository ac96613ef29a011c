#!/usr/bin/env node
// node bench/rule-cost.mjs CAPTURE [--top 20] [--reps 3] [--cold]
//
// What each rule costs, measured apart from everything else: dissects CAPTURE once with
// dist/analyze.js (sessions kept in memory), then times each rule's check() alone over all those
// sessions (see below), best of --reps. The per-session facts (factsOf) are cached by the first
// pass, so they are not in any rule's time. Prints µs per session for each rule. The first pass
// is CPU time of this process (process.cpuUsage), so other load on the machine inflates it less.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";

if (typeof globalThis.gc !== "function") {
  const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const { analyzeStream } = await import("../dist/analyze.js");
const { ALL_RULES } = await import("../dist/rules/index.js");
const { DEFAULT_RULE_OPTIONS } = await import("../dist/rules/types.js");
const { conversationOf } = await import("../dist/smtp/conversation.js");

const args = process.argv.slice(2);
const flag = (name, dflt) => (args.includes(name) ? Number(args.splice(args.indexOf(name), 2)[1]) : dflt);
const top = flag("--top", 20);
// --cold: before each session, read through 32 MB, as the dissector's packets do between one
// session's end and its judging, so the rules find the session and their code out of the caches
const cold = args.includes("--cold") && args.splice(args.indexOf("--cold"), 1);
const flush = new Uint32Array(8 << 20);
let sink = 0;
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

/** What the judge gives later sessions (engine.ts): server → first stream offered STARTTLS. */
const offersStartTls = (s) => s.commands.some((c) => c.kind === "command" && c.verb === "EHLO" && c.replies.some((r) => s.replies[r]?.lines.slice(1).some((l) => l.slice(4).toUpperCase().startsWith("STARTTLS"))));
const earlierOf = (offered) => ({ offeredStartTls: (server) => offered.get(server) ?? null });

// Session by session, every rule in turn (as the judge runs them, with the session hot in the
// cache); each check timed alone; a check longer than 2 ms (the process was preempted, or a
// collection struck) is left out. Best of `reps` passes per rule.
const rules = ALL_RULES;
const best = new Float64Array(rules.length).fill(Infinity);
// bytes each rule allocates: growth of the used heap across one check (a check during which a
// collection ran shrinks it, and is not counted), less what measuring itself allocates
const heap = () => getHeapStatistics().used_heap_size;
const alloc = new Float64Array(rules.length);
let overhead = Infinity;
for (let k = 0; k < 1000; k++) { const h = heap(); overhead = Math.min(overhead, heap() - h); }
let dropped = 0, droppedMs = 0;
const slow = new Float64Array(ALL_RULES.length);
for (let k = 0; k < reps; k++) {
  const sum = new Float64Array(rules.length);
  const offered = new Map();
  const ctx = { session: null, conversation: null, earlier: earlierOf(offered), opts: DEFAULT_RULE_OPTIONS, report() {} };
  globalThis.gc();
  for (let i = 0; i < sessions.length; i++) {
    ctx.session = sessions[i];
    ctx.conversation = conversationOf(sessions[i]);
    if (cold) for (let k = 0; k < flush.length; k += 16) sink += flush[k]++;
    for (let j = 0; j < rules.length; j++) {
      const t = performance.now();
      rules[j].check(ctx);
      const d = performance.now() - t;
      if (d < 2) sum[j] += d;
      else { dropped++; droppedMs += d; slow[j]++; }
    }
    if (!offered.has(sessions[i].server) && offersStartTls(sessions[i])) offered.set(sessions[i].server, sessions[i].tcpStream);
  }
  for (let j = 0; j < rules.length; j++) best[j] = Math.min(best[j], sum[j]);
}
for (let i = 0; i < sessions.length; i++) {
  const ctx = { session: sessions[i], conversation: conversationOf(sessions[i]), earlier: earlierOf(new Map()), opts: DEFAULT_RULE_OPTIONS, report() {} };
  for (let j = 0; j < rules.length; j++) {
    const h = heap();
    rules[j].check(ctx);
    const d = heap() - h - overhead;
    if (d >= 0) alloc[j] += d;
  }
}
const cost = rules.map((r, j) => [r.meta.id, best[j], alloc[j]]);
const all = cost.reduce((a, [, ms]) => a + ms, 0);
const n = sessions.length;
console.log(`${file}: ${n} sessions; analyzeStream (read, dissect, judge) ${whole.toFixed(0)} ms CPU = ${((1000 * whole) / n).toFixed(0)} µs/session; the ${cost.length} rules alone: ${all.toFixed(0)} ms = ${((1000 * all) / n).toFixed(0)} µs/session (best of ${reps}, facts cached; ${dropped} checks over 2 ms, ${(droppedMs / reps).toFixed(0)} ms a pass, left out: collections or preemption)`);
const allocated = cost.reduce((a, [, , b]) => a + b, 0);
console.log(`the rules allocate ${(allocated / 1e6).toFixed(1)} MB = ${(allocated / n / 1000).toFixed(1)} KB per session (garbage the collector pays for)`);
for (const [id, ms, b] of cost.sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`  ${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / all).toFixed(1).padStart(5)}% ${((1000 * ms) / n).toFixed(1).padStart(8)} µs/session ${(b / n / 1000).toFixed(2).padStart(7)} KB/session  ${id}`);
}
if (sink < 0) console.log(sink);
console.log(`checks over 2 ms by rule: ${rules.map((r, j) => [r.meta.id, slow[j]]).filter(([, k]) => k > 0).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([id, k]) => `${id} ${k}`).join(", ")}`);
console.log("by allocation:");
for (const [id, , b] of cost.sort((a, b) => b[2] - a[2]).slice(0, 10)) console.log(`  ${(b / n / 1000).toFixed(2).padStart(7)} KB/session  ${id}`);
