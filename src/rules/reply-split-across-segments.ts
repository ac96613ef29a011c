import { defineRule } from "./define.js";
import { replyLabel, streamSpan } from "./util.js";
import { plural } from "../text/plural.js";

export default defineRule({
  id: "reply-split-across-segments",
  title: "One reply carried by several TCP segments",
  severity: "info",
  side: "server",
  traits: ["not-caused", "split-reply"],
  reference: "RFC 793 §2.8; RFC 5321 §1.1",
  quote: "There is no necessary relationship between push functions and segment boundaries.",
  meaning: "A logical reply arrived in two or more TCP segments. This is legal: SMTP runs over a byte stream and ends replies in-band, by the line with a space after the code.",
  why: "Clients that treat each read as one reply break on it; it is worth seeing which segments carried which lines.",
  fix: "Nothing is wrong on the wire. If a broken client must be kept working, have the server (or proxy) write each reply with one send().",
  plaintext: true,
}, {
  reply(r, ctx) {
    if (r.segments.length < 2 || r.afterStartTls) return;
    const parts = r.segments.map((g) => `frame ${g.frame}: ${plural(g.bytes, "byte")}${g.lines.length === 1 ? `, line ${g.lines[0] + 1}` : g.lines.length ? `, lines ${g.lines[0] + 1}–${g.lines[g.lines.length - 1] + 1}` : ""}${g.midLine ? " (ends mid-line)" : ""}`);
    const mid = r.segments.some((g) => g.midLine);
    ctx.report({
      side: "server",
      frames: r.frames,
      time: r.firstTime,
      message: `${replyLabel(r)} was carried in ${r.segments.length} segments${mid ? ", with a boundary inside a line" : ""}: ${parts.join("; ")}`,
      evidence: streamSpan(ctx.session, "server", r.start, r.end, r.inTls),
    });
  },
});
