import { defineRule } from "./define.js";
import { partialMultiline } from "../smtp/conversation.js";
import { pipelinable } from "../smtp/vocabulary.js";
import { ackEvidence, cmdLabel, earlyFrames, q } from "./util.js";

const DEPENDS = new Set(["STARTTLS", "AUTH", "BDAT", "MAIL"]);

export default defineRule({
  id: "client-acted-on-partial-multiline-reply",
  title: "Client acted on part of a multi-line reply",
  severity: "error",
  side: "client",
  reference: "RFC 2920 §3.1; RFC 5321 §4.3.1",
  quote: "Clients MUST NOT confuse responses to multiple commands with multiline responses.",
  quoteFor: {
    client: { reference: "RFC 5321 §4.3.1", quote: "Unless other arrangements are negotiated through service extensions, the sender MUST wait for this response before sending further commands." },
  },
  meaning: "The client had received one or more complete `NNN-` lines of a multi-line reply, but not its final `NNN ` line, when it sent its next command (proven from the ACK field of that command's segment). A reply ends only at the line with a space after the code (RFC 5321 §4.2.1); TCP segment boundaries mean nothing.",
  why: "The client takes the rest of the reply, when it arrives, as the answer to its new command (e.g. `250 …` for STARTTLS, which expects 220) and fails. Acting on a partial EHLO reply also means acting on an incomplete capability list.",
  fix: "Fix the client: keep reading until the final line of the reply. Splitting the reply across segments is legal, so the server or proxy need not change, although writing each reply with one send() avoids triggering the bug.",
  plaintext: true,
  pairing: true,
  needs: { early: true },
}, (ctx) => {
  const s = ctx.session;
  for (const e of ctx.conversation.early) {
    if (e.prev === null || e.reply === null || !partialMultiline(e)) continue;
    const reply = e.reply;
    if (e.pipelining && pipelinable(e.prev)) continue;
    if (e.prev.kind === "command" && e.prev.verb === "STARTTLS") continue;
    const had = reply.lineInfo.slice(0, e.linesHad);
    const rest = reply.lineInfo.slice(e.linesHad);
    const next = rest[0];
    const nextSeg = next ? reply.segments.find((g) => g.start <= next.start && g.end > next.start) : undefined;
    const depends = e.cmd.kind === "command" && DEPENDS.has(e.cmd.verb) && e.prev.verb === "EHLO" ? " It relied on a capability list it had not finished reading." : "";
    const consumed = next ? ` The next bytes it received, starting ${q(next.text, 50)} in frame ${nextSeg?.frame ?? next.frame}, are what a client that treats each read as one reply takes as the answer to ${cmdLabel(e.cmd)}.` : "";
    ctx.report({
      frames: earlyFrames(e),
      time: e.cmd.time,
      message: reply.abandoned
        ? `${cmdLabel(e.cmd)} was sent after ${e.linesHad} \`${reply.code}-\` ${e.linesHad === 1 ? "line" : "lines"} of the reply to ${cmdLabel(e.prev)}, which never got its final line.${depends}`
        : `${cmdLabel(e.cmd)} was sent after ${e.linesHad} of the ${reply.lineInfo.length} lines of the ${reply.code} reply to ${cmdLabel(e.prev)}, before its final line ${q(reply.lines[reply.lines.length - 1] ?? "", 40)}.${depends}${consumed}`,
      evidence: `${ackEvidence(s, e.cmd, reply, e.by, e.acked)}; lines the client had: ${had.map((l) => q(l.text, 30)).join(", ")}`,
    });
  }
});
