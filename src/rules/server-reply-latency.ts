import { defineRule } from "./define.js";
import { cmdLabel, ms } from "./util.js";

/** RFC 5321 §4.5.3.2 minimum client timeouts, seconds. */
const PHASE: Record<string, number> = { MAIL: 300, RCPT: 300, DATA: 120, message: 600 };

export default defineRule({
  id: "server-reply-latency",
  title: "Slow reply to a command",
  severity: "info",
  side: "server",
  traits: ["not-caused"],
  reference: "RFC 5321 §4.5.3.2",
  quote: "Based on extensive experience with busy mail-relay hosts, the minimum per-command timeout values SHOULD be as follows:",
  meaning: "Time from the last octet of a command to the final line of its reply exceeds --latency-ms (default 30 s) or the client timeout minimum of that phase.",
  why: "Clients with short timeouts give up and retry; after end-of-data that duplicates mail.",
  fix: "Look at what the server does before replying (DNS, content scanning, tarpitting).",
  plaintext: true,
  pairing: true,
}, {
  exchange(ex, ctx) {
    const c = ex.command, r = ex.first;
    if (r === undefined || c.segments.length === 0) return;
    if (!r.complete) return;
    const sent = c.segments[c.segments.length - 1].time;
    const latency = r.lastTime - sent;
    const phase = PHASE[c.kind === "message" ? "message" : c.verb];
    const limit = Math.min(ctx.opts.latencyMs / 1000, phase ?? Infinity);
    if (latency > limit) ctx.report({ frames: [c.frames[c.frames.length - 1], ...r.frames.slice(-1)], time: r.lastTime, message: `${cmdLabel(c)} was answered after ${ms(latency)}${phase !== undefined && latency > phase ? ` (longer than the ${phase / 60}-minute client timeout minimum for this phase)` : ""}`, evidence: `command ended at ${sent.toFixed(3)} s, reply ended at ${r.lastTime.toFixed(3)} s` });
  },
});
