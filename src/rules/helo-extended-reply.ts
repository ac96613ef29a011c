import { defineRule } from "./define.js";
import { replyText } from "../smtp/vocabulary.js";
import { q } from "./util.js";

export default defineRule({
  id: "helo-extended-reply",
  title: "EHLO-style capability list in reply to HELO",
  severity: "error",
  side: "server",
  reference: "RFC 5321 §3.2",
  quote: "Servers MUST NOT return the extended EHLO-style response to a HELO command.",
  meaning: "The client said HELO (no extensions wanted) and the server answered with a multi-line 250 listing extension keywords.",
  why: "A HELO client does not parse capability lists; some take the extra lines as replies to later commands.",
  fix: "Answer HELO with a single `250 domain` line.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: ["HELO"],
    visit(ex, ctx) {
      const c = ex.command, r = ex.first;
      // each plaintext HELO answered with 250
      if (c.kind !== "command" || c.afterStartTls || r === undefined || r.code !== 250) return;
      if (r.lineInfo.length < 2) return;
      ctx.report({ frames: [c.frames[0], ...r.frames], time: r.firstTime, message: `HELO was answered with a ${r.lineInfo.length}-line 250 reply listing ${r.lines.slice(1, 4).map((l) => q(replyText(l), 20)).join(", ")}${r.lineInfo.length > 4 ? ", …" : ""}`, evidence: `reply ${r.index}, frames ${r.frames.join(", ")}` });
    },
  },
});
