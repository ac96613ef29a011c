import { defineRule } from "./define.js";
import { cmdLabel, q } from "./util.js";

export default defineRule({
  id: "reply-before-command-complete",
  title: "Server replied before it had the whole command",
  severity: "warning",
  side: "server",
  reference: "RFC 5321 §2.4",
  quote: "The receiver will take no action until this sequence is received.",
  meaning: "The segment carrying a reply's first octet acknowledged less of the client's stream than the end (CRLF) of the command it answers: the server answered a command it had not fully received.",
  why: "The reply cannot be about the whole command; usually an inspecting middlebox answers on its own, or a server acts on a partial line.",
  fix: "Look for a device between client and server that answers early; make the server wait for CRLF.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    kinds: ["command"],
    visit(ex, ctx) {
      const c = ex.command;
      const s = ctx.session;
      const base = s.sawSyn ? 1 : 0;
      if (c.kind !== "command" || c.afterStartTls || ex.first === undefined || !c.lineInfo || c.lineInfo.terminator === "none") return;
      const r = ex.first;
      const ack = r.segments[0]?.ack;
      if (ack === null || ack === undefined || r.code === 421 || !ctx.conversation.trustedFrames([r.frames[0]])) return;
      const end = c.lineInfo.end + base;
      if (ack < end) ctx.report({ frames: [c.frames[0], r.frames[0]], time: r.firstTime, message: `${q(r.lines[0] ?? "", 40)} answered ${cmdLabel(c)} before the server had received its end`, evidence: `server frame ${r.frames[0]} carried ack ${ack}; the command ends at client seq ${end}` });
    },
  },
});
