import { defineRule } from "./define.js";
import { KNOWN_VERBS } from "../smtp/vocabulary.js";
import { lineCut, q, streamSpan } from "./util.js";


export default defineRule({
  id: "bdat-framing-error",
  title: "BDAT chunk size does not match the data",
  severity: "error",
  side: "client",
  reference: "RFC 3030 §2",
  quote: "Note: Correct byte counting is essential.",
  meaning: "The BDAT argument is not `chunk-size [LAST]`; or after the declared number of octets the stream does not continue with a command; or the stream ended before the chunk was complete.",
  why: "Client and server disagree on where the message ends: the rest of the message is read as commands (or commands as message).",
  fix: "Count the chunk exactly, in octets after any line-ending conversion.",
  plaintext: true,
}, {
  exchange: {
    verbs: ["BDAT"],
    visit({ command: c }, ctx) {
      if (c.kind !== "command" || c.afterStartTls) return;
      const s = ctx.session;
      if (!c.bdat) {
        if (lineCut(c)) return; // the rest of the line is not in the capture
        ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 50)} does not have the form \`BDAT chunk-size [LAST]\``, evidence: streamSpan(s, "client", c.start, c.end, c.inTls) });
        return;
      }
      if (c.bdat.received < c.bdat.size && !s.gaps.some((g) => g.side === "client") && (s.close.client !== null || s.close.server !== null)) {
        ctx.report({ frames: c.frames, time: c.time, message: `BDAT announced ${c.bdat.size} octets but only ${c.bdat.received} followed before the connection closed`, evidence: `chunk starts at client offset ${c.lineInfo?.end ?? c.start}` });
        return;
      }
      const next = ctx.conversation.exchanges[c.index + 1]?.command;
      if (next && next.kind === "command" && c.bdat.received === c.bdat.size && !KNOWN_VERBS.has(next.verb)) {
        ctx.report({ frames: [...c.frames.slice(-1), ...next.frames.slice(0, 1)], time: next.time, message: `after the ${c.bdat.size}-octet chunk the stream continues with ${q(next.line, 40)}, not a command: the chunk size is wrong`, evidence: `chunk ended at client offset ${c.end}` });
      }
    },
  },
});
