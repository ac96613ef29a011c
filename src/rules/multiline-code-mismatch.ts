import { defineRule } from "./define.js";
import { q, streamSpan } from "./util.js";

export default defineRule({
  id: "multiline-code-mismatch",
  title: "Lines of one multi-line reply carry different codes",
  severity: "error",
  side: "server",
  traits: ["own-octets", "reply-text"],
  reference: "RFC 5321 §4.2.1",
  quote: "In a multiline reply, the reply code on each of the lines MUST be the same.",
  meaning: "After a `NNN-` line, a line with another code arrived; smtpcap ends the reply there.",
  why: "Clients that act on the code of the first or of the last line will disagree about what the server said.",
  fix: "Use one reply code for every line of a reply.",
  plaintext: true,
  pairing: true,
}, {
  reply(r, ctx) {
    const lines = r.lineInfo;
    const first = lines[0];
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i];
      if (l.gap || l.code === null || first.code === null || l.code === first.code) continue;
      ctx.report({ frames: [first.frame, l.frame], time: l.time, message: `reply starting ${q(first.text, 40)} continues with code ${l.code} in ${q(l.text, 40)}`, evidence: `codes ${first.code} and ${l.code} in one reply (${streamSpan(ctx.session, "server", r.start, r.end, r.inTls)})` });
    }
  },
});
