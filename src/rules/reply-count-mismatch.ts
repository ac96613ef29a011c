import { defineRule } from "./define.js";
import type { RuleContext } from "./types.js";
import { cmdLabel } from "./util.js";

export default defineRule({
  id: "reply-count-mismatch",
  title: "Command left without a reply",
  severity: "error",
  side: "server",
  traits: ["pairing-judge"],
  reference: "RFC 5321 §4.2",
  quote: "Every command MUST generate exactly one reply.",
  meaning: "Counting replies against commands in order, a command got none although the server answered later commands or closed the connection.",
  why: "The client's count of outstanding replies is off by one from then on (RFC 2920 §3.1 pairs replies by counting).",
  fix: "Answer every command; look for a server or proxy that swallows a command line.",
  plaintext: true,
  pairing: true,
}, {
  // the first command without a reply: the session's unanswered commands are judged once
  exchange(ex, ctx) {
    if (ex.first !== undefined) return;
    whole(ctx);
    return "stop";
  },
});

/** The session's commands that got no reply although the server went on or closed. */
function whole(ctx: RuleContext): void {
  const s = ctx.session;
  if (s.gaps.length > 0) return;
  const conv = ctx.conversation;
  if (conv.replies.some((r) => r.code === 421)) return;
  const cmds = conv.exchanges.filter((e) => !e.command.afterStartTls);
  let lastAnswered = -1;
  for (const e of cmds) if (e.first !== undefined && e.command.index > lastAnswered) lastAnswered = e.command.index;
  const serverClosed = s.close.server !== null;
  for (const e of cmds) {
    const c = e.command;
    if (e.first !== undefined) continue;
    if (c.kind === "message" && c.message?.endOfData === null) continue; // never finished sending
    if (c.bdat && c.bdat.received < c.bdat.size) continue;
    const later = c.index < lastAnswered;
    // the server closing first counts; a client that closed before waiting for the reply ended it itself
    const clientFirst = s.close.client !== null && s.close.client.frame < (s.close.server?.frame ?? Infinity);
    // after the command in capture order too: a frame whose timestamp went back proves nothing
    const closedAfter = serverClosed && !clientFirst && s.close.server!.time >= c.time && s.close.server!.frame > (c.frames[0] ?? 0) && !(s.tls && !s.tls.decrypted);
    if (!later && !closedAfter) continue;
    const how = later ? "although the server answered a later command" : `and the server closed the connection (frame ${s.close.server!.frame})`;
    ctx.report({ frames: [...c.frames.slice(0, 1), ...(closedAfter && !later ? [s.close.server!.frame] : [])], time: c.time, message: `${cmdLabel(c)} got no reply, ${how}`, evidence: `${conv.exchanges.length} commands, ${conv.replies.filter((r) => !r.greeting).length} replies after the greeting` });
  }
}
