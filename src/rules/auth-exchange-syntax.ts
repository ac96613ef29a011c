import { defineRule } from "./define.js";
import { isBase64 } from "../smtp/auth.js";
import { q } from "./util.js";

export default defineRule({
  id: "auth-exchange-syntax",
  title: "AUTH exchange outside the BASE64 grammar",
  severity: "error",
  side: "server",
  reference: "RFC 4954 §4",
  quote: "This challenge MUST NOT contain any text other than the BASE64 encoded challenge.",
  quoteFor: {
    client: { reference: "RFC 4954 §4", quote: "A client response consists of a line containing a [BASE64] encoded string." },
  },
  meaning: "A 334 challenge whose text is not BASE64 (server); a client response that is neither BASE64 nor `*` (client), not rejected with 501 (server); a `*` (cancel) answered with anything but 501 (server). RFC 4954 §4: servers \"MUST reject (and not ignore) any character not explicitly allowed by the BASE64 alphabet\".",
  why: "Clients that decode challenges strictly abort; servers that accept malformed responses decode something other than what was sent.",
  fix: "Send `334 <base64>` challenges, answer malformed responses and `*` with 501.",
  plaintext: true,
  pairing: true,
}, {
  exchange(ex, ctx) {
    const c = ex.command;
    if (c.afterStartTls) return;
    // a lone reply is first and final: the list of replies is read only when there are more (or the one is a 334)
    if (ex.first !== undefined && (ex.first !== ex.final || ex.first.code === 334)) {
      for (const r of ctx.conversation.repliesOf(c.index)) {
        if (r.code !== 334 || !r.complete) continue;
        const text = (r.lines[0] ?? "").slice(4);
        if (!isBase64(text)) ctx.report({ frames: r.frames, time: r.firstTime, message: `the challenge ${q(r.lines[0] ?? "", 50)} is not BASE64`, evidence: `reply ${r.index}` });
      }
    }
    if (c.kind !== "auth-response") return;
    const r = ex.first;
    const code = r && r.complete ? r.code : null;
    if (c.line === "*") {
      if (code !== null && code !== 501) ctx.report({ frames: [...c.frames, ...r!.frames], time: r!.firstTime, message: `the client cancelled the exchange with \`*\` and the server answered ${q(r!.lines[0] ?? "", 50)}, not 501`, evidence: `reply ${r!.index}` });
    } else if (c.saslBase64 === false) {
      ctx.report({ side: "client", frames: c.frames, time: c.time, message: `the SASL response ${q(c.line, 40)} is not BASE64`, evidence: `command ${c.index}` });
      if (code !== null && code !== 501) ctx.report({ frames: [...c.frames, ...r!.frames], time: r!.firstTime, message: `the server answered a response that is not BASE64 with ${q(r!.lines[0] ?? "", 50)}, not 501`, evidence: `reply ${r!.index}` });
    }
  },
});
