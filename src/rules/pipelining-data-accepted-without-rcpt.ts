import { defineRule } from "./define.js";
import { factsOf } from "./facts.js";
import { afterGap, finalReply, q } from "./util.js";

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
}, (ctx) => {
  const s = ctx.session;
  const f = factsOf(s);
  let rcpts = 0;
  let accepted = 0;
  for (const c of s.commands) {
    if (c.afterStartTls) continue;
    if (c.kind === "message") { rcpts = 0; accepted = 0; continue; }
    if (c.kind !== "command") continue;
    const r = finalReply(s, c);
    const code = r && r.complete ? r.code : null;
    if (c.verb === "MAIL" || c.verb === "RSET" || c.verb === "EHLO" || c.verb === "HELO") { rcpts = 0; accepted = 0; }
    else if (c.verb === "RCPT") {
      if (code === null) { accepted++; continue; } // unknown: assume it may have been accepted
      rcpts++;
      if (code >= 200 && code < 300) accepted++;
    } else if (c.verb === "DATA" && code === 354 && rcpts > 0 && accepted === 0 && !afterGap(s, r!.frames[0] ?? 0)) {
      const pipelining = f.caps[c.index]?.keywords.has("PIPELINING") ?? false;
      ctx.report({ severity: pipelining ? "warning" : "info", frames: [...c.frames, ...r!.frames], time: r!.firstTime, message: `the server answered DATA with ${q(r!.lines[0] ?? "", 40)} although all ${rcpts} RCPT command${rcpts > 1 ? "s" : ""} of the transaction had failed${pipelining ? " (PIPELINING was advertised)" : ""}`, evidence: `reply ${r!.index}` });
    }
  }
});
