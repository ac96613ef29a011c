import { defineRule } from "./define.js";
import { q } from "./util.js";
import type { Transaction } from "../smtp/conversation.js";

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
  pairing: true,
}, (ctx) => {
  const s = ctx.session;
  if (!s.sawSyn) return; // an earlier MAIL may be outside the capture
  let flagged: Transaction | null | undefined; // BDAT chunks sent outside any transaction are reported once
  for (const ex of ctx.conversation.exchanges) {
    const c = ex.command;
    if (c.kind !== "command" || c.afterStartTls) continue;
    const tx = ex.transaction;
    if (c.verb === "MAIL") {
      if (ex.open) ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 60)} was sent while the previous transaction was still open`, evidence: "a MAIL was accepted and no end-of-data reply, RSET or EHLO followed" });
    } else if (c.verb === "RCPT") {
      if (tx === null) ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 60)} was sent without a MAIL command in this transaction`, evidence: `command ${c.index}` });
    } else if (c.verb === "DATA" || c.verb === "BDAT") {
      // BDAT chunks already in flight when an earlier chunk was refused are bdat-sequence-violation's concern
      if (tx === null && c.verb === "BDAT" && ex.previous?.end?.kind === "bdat-refused") continue;
      if (tx !== null && tx.rcpts.some((r) => r.index < c.index)) continue;
      // once the body has started (BDAT, or DATA answered 354) its further chunks are not reported again
      const started = tx !== null && tx.bodyCommands.some((b) => b.index < c.index && (b.verb === "BDAT" || b.kind === "message" || ctx.conversation.exchanges[b.index].final?.code === 354));
      if (started || (tx === null && flagged === ex.previous && c.verb === "BDAT")) continue;
      flagged = tx ?? ex.previous;
      ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 40)} was sent with no ${tx !== null ? "RCPT" : "MAIL"} command in this transaction`, evidence: `command ${c.index}` });
    }
  }
});
