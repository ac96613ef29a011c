import { defineRule } from "./define.js";
import { lineCut, q } from "./util.js";

export default defineRule({
  id: "auth-mechanism-not-advertised",
  title: "AUTH without AUTH advertised, or with a mechanism not offered",
  severity: "warning",
  side: "client",
  reference: "RFC 4954 §3",
  quote: "The AUTH EHLO keyword contains as a parameter a space-separated list of the names of available [SASL] mechanisms.",
  meaning: "The client sent AUTH although the EHLO reply in effect had no AUTH keyword, or named a mechanism that was not in its list.",
  why: "The server answers 504 or 503; a client that guesses mechanisms may also fall back to weaker ones.",
  fix: "Pick a mechanism from the server's AUTH list, after a complete EHLO reply.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: ["AUTH"],
    visit({ command: c }, ctx) {
      if (c.kind !== "command" || c.afterStartTls || lineCut(c)) return;
      const caps = ctx.conversation.capsAt(c.index);
      if (!caps) return;
      const mech = (c.line.split(" ")[1] ?? "").toUpperCase();
      const list = caps.keywords.get("AUTH");
      const legacy = caps.keywords.get("AUTH=" + mech) !== undefined || [...caps.keywords.keys()].some((k) => k.startsWith("AUTH=") && k.slice(5).split(" ").includes(mech));
      if (list === undefined && ![...caps.keywords.keys()].some((k) => k.startsWith("AUTH="))) {
        ctx.report({ frames: c.frames, time: c.time, message: `AUTH ${q(mech, 30)} was sent, but the EHLO reply did not advertise AUTH`, evidence: `EHLO reply in frame ${caps.reply.frames[0]}` });
      } else if (list !== undefined && !list.toUpperCase().split(/\s+/).includes(mech) && !legacy) {
        ctx.report({ frames: c.frames, time: c.time, message: `AUTH ${q(mech, 30)} was sent, but the server offered only ${q(list, 80)}`, evidence: `EHLO reply in frame ${caps.reply.frames[0]}` });
      }
    },
  },
});
