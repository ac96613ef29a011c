import { defineRule } from "./define.js";
import { q, streamSpan } from "./util.js";

export default defineRule({
  id: "reply-line-too-long",
  title: "Reply line longer than 512 octets",
  severity: "warning",
  side: "server",
  traits: ["own-octets", "reply-text"],
  reference: "RFC 5321 §4.5.3.1.5",
  quote: "The maximum total length of a reply line including the reply code and the <CRLF> is 512 octets.",
  meaning: "A server line, including its code and CRLF, exceeds 512 octets.",
  why: "Clients with fixed buffers may cut the line and read the rest as a new reply.",
  fix: "Split long text over several `NNN-` lines.",
  plaintext: true,
}, {
  reply(r, ctx) {
    for (let ix = 0; ix < r.lineInfo.length; ix++) {
      const l = r.lineInfo[ix];
      if (l.length > 512) ctx.report({ frames: [l.frame], time: l.time, message: `reply line of ${l.length} octets (limit 512): ${q(l.text, 50)}`, evidence: streamSpan(ctx.session, "server", l.start, l.end, r.inTls) });
    }
  },
});
