import { defineRule } from "./define.js";
import { afterGap, finalReply, q } from "./util.js";

export default defineRule({
  id: "auth-state-violation",
  title: "AUTH after authenticating, or inside a mail transaction",
  severity: "error",
  side: "server",
  reference: "RFC 4954 §4",
  quote: "After a successful AUTH command completes, a server MUST reject any further AUTH commands with a 503 reply.",
  meaning: "The client sent AUTH after a 235, or between an accepted MAIL and the end of the message (warning, client); the server did not answer it 503 (error, server). RFC 4954 §4 also: \"An AUTH command issued during a mail transaction MUST be rejected with a 503 reply.\"",
  why: "A second authentication could change the identity in the middle of a session or transaction; the server must refuse it.",
  fix: "Client: authenticate once, before MAIL. Server: answer such AUTH commands 503.",
  plaintext: true,
}, (ctx) => {
  const s = ctx.session;
  if (s.gaps.some((g) => g.side === "client")) return;
  let authed = false;
  let open = false;
  for (const c of s.commands) {
    if (c.afterStartTls) continue;
    if (c.kind === "message") { open = false; continue; }
    const r = finalReply(s, c);
    const code = r && r.complete ? r.code : null;
    if (c.kind === "auth-response") {
      if (code === 235) authed = true; // the end of a LOGIN or challenge exchange
      continue;
    }
    if (c.kind !== "command") continue;
    const ok = code !== null && code >= 200 && code < 300;
    if (c.verb === "AUTH") {
      const why = authed ? "after the client had already authenticated (235)" : open ? "inside a mail transaction (after an accepted MAIL)" : null;
      if (why !== null && !afterGap(s, c.frames[0] ?? 0)) {
        ctx.report({ severity: "warning", side: "client", frames: c.frames, time: c.time, message: `the client sent ${q(c.line, 40)} ${why}`, evidence: `command ${c.index}` });
        if (r && code !== null && code !== 503) ctx.report({ frames: [...c.frames, ...r.frames], time: r.firstTime, message: `the server answered the AUTH sent ${why} with ${code}, not 503`, evidence: `reply ${q(r.lines[0] ?? "")}` });
      }
      if (code === 235) authed = true;
    } else if (c.verb === "MAIL") {
      if (ok) open = true;
    } else if (c.verb === "RSET" || c.verb === "EHLO" || c.verb === "HELO") {
      if (ok) open = false;
    } else if (c.verb === "BDAT" && c.bdat?.last) {
      open = false;
    }
  }
});
