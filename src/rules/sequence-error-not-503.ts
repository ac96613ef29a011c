import { defineRule } from "./define.js";
import { afterGap, finalReply, q } from "./util.js";

export default defineRule({
  id: "sequence-error-not-503",
  title: "Out-of-order command not answered 503",
  severity: "error",
  side: "server",
  reference: "RFC 5321 §3.3, §4.1.4",
  quote: "If a RCPT command appears without a previous MAIL command, the server MUST return a 503 \"Bad sequence of commands\" response.",
  meaning: "RCPT with no accepted MAIL answered with success (error) or with a failure other than 503 (warning); MAIL inside an open transaction accepted with 250 (warning: the server silently restarted the transaction).",
  why: "A client relies on 503 to know that its transaction state is wrong; success makes a broken transaction look good, and another failure code hides the cause.",
  fix: "Answer commands out of sequence with 503 and keep the transaction state unchanged.",
  plaintext: true,
}, (ctx) => {
  const s = ctx.session;
  if (!s.sawSyn || s.gaps.some((g) => g.side === "client")) return;
  let open = false; // a MAIL was accepted and the transaction is not concluded
  for (const c of s.commands) {
    if (c.afterStartTls) continue;
    if (c.kind === "message") { open = false; continue; }
    if (c.kind !== "command") continue;
    const r = finalReply(s, c);
    if (r === undefined || !r.complete || r.code === null || afterGap(s, r.frames[0] ?? 0)) continue;
    const ok = r.code >= 200 && r.code < 300;
    switch (c.verb) {
      case "RSET": case "EHLO": case "HELO":
        if (ok) open = false;
        break;
      case "MAIL":
        if (open && ok) ctx.report({ severity: "warning", frames: [...c.frames, ...r.frames], time: r.firstTime, message: `${q(c.line, 60)} came inside an open transaction and was accepted with ${r.code}: the server restarted the transaction instead of answering 503`, evidence: `reply ${q(r.lines[0] ?? "")}` });
        if (ok) open = true;
        break;
      case "RCPT":
        if (!open && r.code !== 503 && r.code !== 421) {
          ctx.report({
            severity: ok ? "error" : "warning",
            frames: [...c.frames, ...r.frames],
            time: r.firstTime,
            message: ok ? `${q(c.line, 60)} came with no accepted MAIL and was accepted with ${r.code}` : `${q(c.line, 60)} came with no accepted MAIL and was answered ${r.code}, not 503`,
            evidence: `reply ${q(r.lines[0] ?? "")}`,
          });
        }
        break;
      case "BDAT":
        if (c.bdat?.last) open = false;
        break;
      default:
        break;
    }
  }
});
