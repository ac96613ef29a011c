import { defineRule } from "./define.js";
import { cmdLabel, streamSpan } from "./util.js";

export default defineRule({
  id: "command-split-across-segments",
  title: "One command line carried by several TCP segments",
  severity: "info",
  side: "client",
  traits: ["not-caused"],
  reference: "RFC 793 §2.8",
  quote: "There is no necessary relationship between push functions and segment boundaries.",
  meaning: "A command line arrived in two or more segments (e.g. typed interactively). Legal.",
  why: "Some inspecting firewalls (Cisco ASA ESMTP inspection) mangle commands split this way.",
  fix: "Nothing is wrong on the wire; send each command with one write if a middlebox misbehaves.",
  plaintext: true,
}, {
  exchange({ command: c }, ctx) {
    if (!c.lineInfo?.split) return;
    ctx.report({ frames: c.frames, time: c.time, message: `${cmdLabel(c)} was carried in ${c.segments.length} segments (frames ${c.frames.join(", ")})`, evidence: streamSpan(ctx.session, "client", c.start, c.end, c.inTls) });
  },
});
