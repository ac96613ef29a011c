import { defineRule } from "./define.js";
import { MANDATORY_REPLY } from "../smtp/vocabulary.js";
import { lineCut, q } from "./util.js";


export default defineRule({
  id: "mandatory-reply-wrong",
  title: "RSET, QUIT or NOOP not answered with the reply the RFC prescribes",
  severity: "error",
  side: "server",
  reference: "RFC 5321 §4.1.1.5, §4.1.1.9, §4.1.1.10",
  quote: "The receiver MUST send a \"250 OK\" reply to a RSET command with no arguments.",
  meaning: "RSET (without arguments) did not get 250, QUIT did not get 221 (421 is tolerated), or NOOP did not get 250 (a warning).",
  why: "Clients rely on these replies to resynchronise or to end the session cleanly; anything else suggests the server lost track of the dialogue.",
  fix: "Answer RSET and NOOP with 250 and QUIT with 221, whatever state the session is in.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: Object.keys(MANDATORY_REPLY),
    visit(ex, ctx) {
      const c = ex.command;
      // a line the server took as a SASL response (QUIT as the AUTH LOGIN user name) is answered as one
      if (c.kind !== "command" || c.afterStartTls || ex.first === undefined || c.takenAsAuthResponse) return;
      const want = MANDATORY_REPLY[c.verb];
      if (c.verb === "RSET" && (c.line.trim().toUpperCase() !== "RSET" || lineCut(c))) return; // arguments (or a line cut short): 501 may be right
      const r = ex.first!;
      if (!r.complete || r.code === null || r.code === want || r.code === 421) return;
      if (r.code === 500 || r.code === 501 || r.code === 530) return; // syntax or policy replies, judged elsewhere
      ctx.report({ severity: c.verb === "NOOP" ? "warning" : undefined, frames: [c.frames[0], ...r.frames.slice(0, 1)], time: r.firstTime, message: `${c.verb} was answered ${r.code} (${q(r.lines[0] ?? "", 50)}); it must get ${want}`, evidence: `reply ${r.index} paired with command ${c.index} by counting` });
    },
  },
});
