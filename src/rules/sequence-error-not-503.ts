import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "sequence-error-not-503",
  title: "Out-of-order command not answered 503",
  severity: "error",
  side: "server",
  traits: ["pairing-judge"],
  reference: "RFC 5321 §3.3, §4.1.4",
  quote: "If a RCPT command appears without a previous MAIL command, the server MUST return a 503 \"Bad sequence of commands\" response.",
  meaning: "RCPT with no accepted MAIL answered with success (error) or with a failure other than 503 (warning); MAIL inside an open transaction accepted with 250 (warning: the server silently restarted the transaction).",
  why: "A client relies on 503 to know that its transaction state is wrong; success makes a broken transaction look good, and another failure code hides the cause.",
  fix: "Answer commands out of sequence with 503 and keep the transaction state unchanged.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: ["MAIL", "RCPT"],
    visit(ex, ctx) {
      if (!ctx.session.sawSyn) return "stop"; // an earlier MAIL may be outside the capture
      const c = ex.command;
      const r = ex.final;
      if (c.kind !== "command" || c.afterStartTls || r === undefined || ex.outcome === "none" || r.code === null) return;
      const ok = ex.outcome === "positive";
      if (c.verb === "MAIL" && ex.open && ok) {
        ctx.report({ severity: "warning", frames: [...c.frames, ...r.frames], time: r.firstTime, message: `${q(c.line, 60)} came inside an open transaction and was accepted with ${r.code}: the server restarted the transaction instead of answering 503`, evidence: `reply ${q(r.lines[0] ?? "")}` });
      } else if (c.verb === "RCPT" && !ex.open && r.code !== 503 && r.code !== 421) {
        ctx.report({
          severity: ok ? "error" : "warning",
          frames: [...c.frames, ...r.frames],
          time: r.firstTime,
          message: ok ? `${q(c.line, 60)} came with no accepted MAIL and was accepted with ${r.code}` : `${q(c.line, 60)} came with no accepted MAIL and was answered ${r.code}, not 503`,
          evidence: `reply ${q(r.lines[0] ?? "")}`,
        });
      }
      return;
    },
  },
});
