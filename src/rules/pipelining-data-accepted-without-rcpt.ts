import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "pipelining-data-accepted-without-rcpt",
  title: "DATA accepted although every RCPT failed",
  severity: "warning",
  side: "server",
  reference: "RFC 2920 §3.2",
  quote: "(3) SHOULD issue a positive response to the DATA command if and only if one or more valid RCPT TO addresses have been previously received.",
  meaning: "In a transaction whose every RCPT was refused, the server answered DATA with 354 (warning with PIPELINING advertised; info without it, where RFC 5321 §3.3 lets the server answer 503 or 554).",
  why: "A pipelining client has already sent the message behind DATA; a 354 makes it transmit content that no recipient will get.",
  fix: "Answer DATA 503 or 554 when no recipient was accepted.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: ["DATA"],
    visit(ex, ctx) {
      const c = ex.command;
      const r = ex.final;
      const tx = ex.transaction;
      if (c.kind !== "command" || c.afterStartTls || !r || r.code !== 354 || !r.complete || tx === null) return;
      // an unanswered RCPT may have been accepted
      const rcpts = tx.rcpts.filter((x) => x.index < c.index);
      if (rcpts.length === 0 || rcpts.some((x) => tx.accepted.includes(x) || tx.unanswered.includes(x))) return;
      const pipelining = ex.advertised?.keywords.has("PIPELINING") ?? false;
      ctx.report({ severity: pipelining ? "warning" : "info", frames: [...c.frames, ...r.frames], time: r.firstTime, message: `the server answered DATA with ${q(r.lines[0] ?? "", 40)} although all ${rcpts.length} RCPT command${rcpts.length > 1 ? "s" : ""} of the transaction had failed${pipelining ? " (PIPELINING was advertised)" : ""}`, evidence: `reply ${r.index}` });
    },
  },
});
