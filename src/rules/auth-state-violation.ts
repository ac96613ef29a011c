import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "auth-state-violation",
  title: "AUTH after authenticating, or inside a mail transaction",
  severity: "error",
  side: "server",
  reference: "RFC 4954 §4",
  quote: "After a successful AUTH command completes, a server MUST reject any further AUTH commands with a 503 reply.",
  quoteFor: {
    client: { reference: "RFC 4954 §4", quote: "The AUTH command is not permitted during a mail transaction." },
  },
  meaning: "The client sent AUTH after a 235, or between an accepted MAIL and the end of the message (warning, client); the server did not answer it 503 (error, server). RFC 4954 §4 also: \"An AUTH command issued during a mail transaction MUST be rejected with a 503 reply.\"",
  why: "A second authentication could change the identity in the middle of a session or transaction; the server must refuse it.",
  fix: "Client: authenticate once, before MAIL. Server: answer such AUTH commands 503.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: ["AUTH"],
    visit(ex, ctx) {
      const c = ex.command;
      if (c.kind !== "command" || c.afterStartTls) return;
      const why = ex.phase === "post-auth" ? "after the client had already authenticated (235)" : ex.open ? "inside a mail transaction (after an accepted MAIL)" : null;
      if (why === null) return;
      ctx.report({ severity: "warning", side: "client", frames: c.frames, time: c.time, message: `the client sent ${q(c.line, 40)} ${why}`, evidence: `command ${c.index}` });
      const r = ex.final;
      if (r && ex.outcome !== "none" && r.code !== 503) ctx.report({ frames: [...c.frames, ...r.frames], time: r.firstTime, message: `the server answered the AUTH sent ${why} with ${r.code}, not 503`, evidence: `reply ${q(r.lines[0] ?? "")}` });
    },
  },
});
