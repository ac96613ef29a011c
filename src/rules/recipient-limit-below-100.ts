import { defineRule } from "./define.js";
import { q } from "./util.js";

const TOO_MANY = /too many recipients|recipient limit|exceeds? .*recipients/i;

export default defineRule({
  id: "recipient-limit-below-100",
  title: "Recipients refused before the 100th RCPT",
  severity: "warning",
  side: "server",
  reference: "RFC 5321 §4.5.3.1.8",
  quote: "Rejection of messages (for excessive recipients) with fewer than 100 RCPT commands is a violation of this specification.",
  meaning: "A 452 or 552 with enhanced code x.5.3 or \"too many recipients\" text answered RCPT number n < 100 of the transaction (warning); a 552 for it is also a wrong code for an implementation limit, which §4.5.3.1.10 says MUST be 452 (info).",
  why: "Clients deliver to the first recipients and must retry the others; a 5yz makes them bounce instead.",
  fix: "Accept at least 100 recipients per transaction; answer 452 beyond an implementation limit.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: ["RCPT"],
    visit(ex, ctx) {
      const c = ex.command;
      const r = ex.final;
      if (c.kind !== "command" || c.afterStartTls || !r || !r.complete || (r.code !== 452 && r.code !== 552)) return;
      const text = r.lines.join(" ");
      if (!/^\d{3}[ -][45]\.5\.3\b/.test(r.lines[0] ?? "") && !TOO_MANY.test(text)) return;
      const n = ex.transaction ? ex.transaction.rcpts.indexOf(c) + 1 : 1;
      if (n < 100) ctx.report({ frames: [...c.frames, ...r.frames], time: r.firstTime, message: `RCPT number ${n} of the transaction was refused as one recipient too many: ${q(r.lines[0] ?? "", 60)}`, evidence: `${n} RCPT commands since MAIL` });
      if (r.code === 552) ctx.report({ severity: "info", frames: [...c.frames, ...r.frames], time: r.firstTime, message: `too many recipients was answered 552; RFC 5321 §4.5.3.1.10 asks for 452, so that the client sends the rest later`, evidence: `reply ${q(r.lines[0] ?? "")}` });
      return "stop"; // one refusal tells the story
    },
  },
});
