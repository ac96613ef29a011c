import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "bdat-without-chunking",
  title: "BDAT without CHUNKING",
  severity: "error",
  side: "client",
  reference: "RFC 3030 §2",
  quote: "Note: Because the receiver-SMTP does not acknowledge the BDAT command before the message data is sent, it is important to send the BDAT only to systems that have declared their capability to accept BDAT commands.",
  meaning: "The client sent BDAT although CHUNKING was not in the EHLO reply in effect.",
  why: "The server reads the chunk's octets as commands: each line gets a 500, or worse, is executed.",
  fix: "Use DATA unless the server advertises CHUNKING.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: ["BDAT"],
    visit({ command: c }, ctx) {
      if (c.kind !== "command" || c.afterStartTls) return;
      const caps = ctx.conversation.capsAt(c.index);
      if (!caps || caps.keywords.has("CHUNKING")) return;
      ctx.report({ frames: c.frames.slice(0, 1), time: c.time, message: `${q(c.line, 40)} was sent, but CHUNKING was not advertised`, evidence: `capabilities from frame ${caps.reply.frames[0]}: ${q([...caps.keywords.keys()].join(" ") || "none", 200)}` });
      return "stop";
    },
  },
});
