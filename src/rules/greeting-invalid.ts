import { defineRule } from "./define.js";
import { GREETING_CODES } from "../smtp/vocabulary.js";
import { maskedBanner, q } from "./util.js";

const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
const ADDRESS_LITERAL = /^\[[^\]\s]+\]$/;

export default defineRule({
  id: "greeting-invalid",
  title: "Greeting with a wrong code or without the server's name",
  severity: "error",
  side: "server",
  traits: ["own-octets", "not-caused"],
  reference: "RFC 5321 §4.3.2",
  quote: "CONNECTION ESTABLISHMENT S: 220 E: 554",
  meaning: "The first reply of the connection is not 220, 554, 521 (RFC 7504) or 421 (error); or a 220 greeting does not start with a domain or address literal (warning).",
  why: "Clients wait for 220 before speaking; a banner of asterisks is the fingerprint of a firewall rewriting the session.",
  fix: "Greet with `220 <domain> <text>`; if a firewall masks the banner, turn its SMTP inspection off.",
  plaintext: true,
}, (ctx) => {
  const g = ctx.conversation.greeting;
  if (!g || !g.complete) return;
  const first = g.lineInfo[0];
  if (g.code === null) return; // reply-code-invalid says it
  // the client bytes before the first command we saw were lost: the "greeting" may answer a lost command
  const firstCmd = ctx.conversation.exchanges[0]?.command.start ?? Infinity;
  if (ctx.session.gaps.some((x) => x.side === "client" && x.offset <= firstCmd)) return;
  if (!GREETING_CODES.has(g.code)) {
    ctx.report({ frames: g.frames, time: g.firstTime, message: `the greeting has code ${g.code}; a connection opens with 220 (or 554, 521, 421)`, evidence: `greeting ${q(first.text)}` });
    return;
  }
  if (g.code === 220) {
    const word = first.text.slice(4).split(/[ \t]/)[0] ?? "";
    if (!DOMAIN.test(word) && !ADDRESS_LITERAL.test(word)) {
      // a banner masked with asterisks is a firewall's doing: middlebox-esmtp-rewriting reports it
      // against the box, and the server that sent a proper banner is not blamed
      if (/^\*+$/.test(word) && maskedBanner(g.lines)) return;
      ctx.report({ severity: "warning", frames: g.frames, time: g.firstTime, message: `the 220 greeting starts with ${q(word || "(nothing)", 40)}, not a domain or address literal`, evidence: `greeting ${q(first.text)}` });
    }
  }
});
