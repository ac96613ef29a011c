import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "esc-class-mismatch",
  title: "Enhanced status code class differs from the reply code",
  severity: "error",
  side: "server",
  reference: "RFC 2034 §4",
  quote: "All status codes returned by the server must agree with the primary response code, that is, a 2xx response must incorporate a 2.X.X code, a 4xx response must incorporate a 4.X.X code, and a 5xx response must incorporate a 5.X.X code.",
  meaning: "The text starts with an enhanced status code (class.subject.detail) whose class is not the reply code's first digit, e.g. `550 4.7.1`.",
  why: "Clients that read the enhanced code retry a permanent failure or bounce a temporary one.",
  fix: "Make the enhanced code's class equal the first digit of the reply code.",
  plaintext: true,
}, {
  reply(r, ctx) {
    for (let ix = 0; ix < r.lineInfo.length; ix++) {
      const l = r.lineInfo[ix];
      if (l.code === null) continue;
      const d1 = Math.floor(l.code / 100);
      if (d1 !== 2 && d1 !== 4 && d1 !== 5) continue;
      // a code here starts with a digit and a dot: other lines need no regex
      const c4 = l.text.charCodeAt(4);
      if (c4 < 0x30 || c4 > 0x39 || l.text.charCodeAt(5) !== 0x2e) continue;
      const m = /^(\d)\.\d{1,3}\.\d{1,3}(?: |$)/.exec(l.text.slice(4));
      if (m && Number(m[1]) !== d1) ctx.report({ frames: [l.frame], time: l.time, message: `reply ${q(l.text, 60)} carries enhanced code class ${m[1]} with reply code ${l.code}`, evidence: `server offset ${l.start}` });
    }
  },
});
