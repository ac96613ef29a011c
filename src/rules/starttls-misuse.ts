import { defineRule } from "./define.js";
import { q } from "./util.js";

/** RFC 3207 §4: 220, 501, 454; and the replies any command may get (RFC 5321 §4.3.2). */
const STARTTLS_REPLIES = new Set([220, 454, 501, 421, 500, 502, 503]);
const ALWAYS_ALLOWED = new Set(["NOOP", "EHLO", "STARTTLS", "QUIT"]);

export default defineRule({
  id: "starttls-misuse",
  title: "STARTTLS used against RFC 3207",
  severity: "warning",
  side: "client",
  reference: "RFC 3207 §4",
  quote: "The format for the STARTTLS command is: STARTTLS with no parameters.",
  quoteFor: {
    server: { reference: "RFC 3207 §4", quote: "After the client gives the STARTTLS command, the server responds with one of the following reply codes:" },
  },
  meaning: "STARTTLS with a parameter (client, error); a reply to STARTTLS other than 220, 454 or 501 (or 421/500/502/503) (server); 530 \"must issue STARTTLS first\" in reply to NOOP, EHLO, STARTTLS or QUIT, which RFC 3207 §4 excepts (server).",
  why: "A client cannot tell whether TLS is about to start; servers that demand TLS for NOOP or QUIT leave clients unable to end the session cleanly.",
  fix: "Send bare STARTTLS; answer it 220, 454 or 501; never answer NOOP, EHLO, STARTTLS or QUIT with 530.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: [...ALWAYS_ALLOWED],
    visit(ex, ctx) {
      const c = ex.command;
      if (c.kind !== "command" || c.afterStartTls) return;
      const r = ex.first;
      const code = r && r.complete ? r.code : null;
      if (c.verb === "STARTTLS") {
        if (/^STARTTLS\s+\S/i.test(c.line)) ctx.report({ severity: "error", frames: c.frames, time: c.time, message: `${q(c.line, 40)}: STARTTLS takes no parameters`, evidence: `command ${c.index}` });
        if (code !== null && !STARTTLS_REPLIES.has(code)) ctx.report({ side: "server", frames: [...c.frames, ...r!.frames], time: r!.firstTime, message: `the server answered STARTTLS with ${q(r!.lines[0] ?? "", 50)}: RFC 3207 allows 220, 454 or 501`, evidence: `reply ${r!.index}` });
      }
      if (code === 530) {
        ctx.report({ side: "server", frames: [...c.frames, ...r!.frames], time: r!.firstTime, message: `the server answered ${c.verb} with ${q(r!.lines[0] ?? "", 50)}: RFC 3207 §4 keeps NOOP, EHLO, STARTTLS and QUIT usable before TLS`, evidence: `reply ${r!.index}` });
      }
    },
  },
});
