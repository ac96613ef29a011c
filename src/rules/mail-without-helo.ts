import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "mail-without-helo",
  title: "MAIL before EHLO/HELO",
  severity: "error",
  side: "client",
  reference: "RFC 5321 §4.1.1.1",
  quote: "In any event, a client MUST issue HELO or EHLO before starting a mail transaction.",
  meaning: "A MAIL command was sent before any EHLO or HELO had been accepted with 250 in this (plaintext) connection.",
  why: "Servers reject it with 503; clients that skip the greeting exchange usually skip other steps too.",
  fix: "Send EHLO (or HELO) after the greeting and again after STARTTLS.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: ["MAIL"],
    visit(ex, ctx) {
      const s = ctx.session;
      if (!s.sawSyn || s.gaps.some((g) => g.side === "client")) return "stop"; // an earlier EHLO may be outside the capture
      const c = ex.command;
      if (c.kind !== "command" || c.afterStartTls) return;
      // an EHLO without a reply in view (one-sided capture) counts as accepted
      if (ex.greeted) return;
      ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 60)} was sent before any EHLO/HELO was accepted`, evidence: `command ${c.index} of the session` });
      return "stop";
    },
  },
});
