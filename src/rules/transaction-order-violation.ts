import { defineRule } from "./define.js";
import { finalReply, q } from "./util.js";

export default defineRule({
  id: "transaction-order-violation",
  title: "MAIL, RCPT and DATA out of order",
  severity: "error",
  side: "client",
  reference: "RFC 5321 §3.3",
  quote: "Mail transaction commands MUST be used in the order discussed above.",
  meaning: "MAIL while a transaction was open; RCPT with no MAIL sent in the transaction; DATA or BDAT with no MAIL or no RCPT sent.",
  why: "The server answers 503 and the client's view of the transaction is wrong from then on.",
  fix: "Follow MAIL → RCPT… → DATA/BDAT, and RSET to abandon a transaction.",
  plaintext: true,
}, (ctx) => {
  const s = ctx.session;
  if (!s.sawSyn || s.gaps.some((g) => g.side === "client")) return;
  let open = false; // MAIL accepted and not concluded
  let mailSent = false;
  let rcptSent = false;
  let bodyStarted = false;
  const reset = () => { open = false; mailSent = false; rcptSent = false; bodyStarted = false; };
  for (const c of s.commands) {
    if (c.afterStartTls) continue;
    const r = finalReply(s, c);
    const ok = r !== undefined && r.code !== null && r.code >= 200 && r.code < 300;
    if (c.kind === "message") { reset(); continue; }
    if (c.kind !== "command") continue;
    switch (c.verb) {
      case "RSET": case "EHLO": case "HELO":
        // a rejected EHLO/HELO leaves the transaction as it was (RFC 5321 §4.1.4)
        if (ok || r === undefined) reset();
        break;
      case "MAIL":
        if (open) ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 60)} was sent while the previous transaction was still open`, evidence: "a MAIL was accepted and no end-of-data reply, RSET or EHLO followed" });
        mailSent = true;
        open = ok;
        rcptSent = false;
        break;
      case "RCPT":
        if (!mailSent) ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 60)} was sent without a MAIL command in this transaction`, evidence: `command ${c.index}` });
        rcptSent = true;
        break;
      case "DATA":
      case "BDAT":
        if (!bodyStarted && (!mailSent || !rcptSent)) {
          ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 40)} was sent with no ${mailSent ? "RCPT" : "MAIL"} command in this transaction`, evidence: `command ${c.index}` });
        }
        bodyStarted = true;
        if (c.verb === "BDAT" && (c.bdat?.last || !ok)) reset();
        else if (c.verb === "DATA" && r?.code !== 354) bodyStarted = false;
        break;
      default:
        break;
    }
  }
});
