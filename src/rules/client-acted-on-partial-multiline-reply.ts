import { defineRule } from "./define.js";
import { partialMultiline } from "../smtp/conversation.js";
import { pipelinable } from "../smtp/vocabulary.js";
import { ackEvidence, cmdLabel, earlyFrames, q } from "./util.js";

const DEPENDS = new Set(["STARTTLS", "AUTH", "BDAT", "MAIL"]);
/** RFC 2920 §3.1: commands that end a group even when PIPELINING is in force */
const LAST_IN_GROUP = new Set(["EHLO", "DATA", "VRFY", "EXPN", "TURN", "QUIT", "NOOP"]);
/** RFC 5321 §4.3.1: what every client that acts on part of a reply breaks */
const WAIT_FOR = { reference: "RFC 5321 §4.3.1", quote: "Unless other arrangements are negotiated through service extensions, the sender MUST wait for this response before sending further commands." };
/** an EHLO reply line that offers PIPELINING (RFC 2920 §2) */
const PIPELINING_LINE = /^\d{3}[- ]PIPELINING(?:\s|$)/i;

export default defineRule({
  id: "client-acted-on-partial-multiline-reply",
  title: "Client acted on part of a multi-line reply",
  severity: "error",
  side: "client",
  traits: ["acted-early", "lost-step-root", "sent-early"],
  reference: "RFC 2920 §3.1; RFC 5321 §4.3.1",
  quote: "Clients MUST NOT confuse responses to multiple commands with multiline responses.",
  quoteFor: {
    client: WAIT_FOR,
  },
  // RFC 5321 §4.3.1 is what every such client breaks. Where the client may believe it is pipelining
  // (PIPELINING on a line it had, or in force from an earlier EHLO) the obvious objection is "PIPELINING
  // was negotiated": RFC 2920 §3.1 answers it (support is confirmed only by the reply, and EHLO ends a
  // group anyway), and the client breaks it too (rules-catalog §1). Without PIPELINING, RFC 2920 is not cited.
  citations: {
    waitFor: WAIT_FOR,
    lastInGroup: {
      ...WAIT_FOR,
      also: { reference: "RFC 2920 §3.1", quote: "Once the client SMTP has confirmed that support exists for the pipelining extension, the client SMTP may then elect to transmit groups of SMTP commands in batches … The EHLO, DATA, VRFY, EXPN, TURN, QUIT, and NOOP commands can only appear as the last command in a group …" },
    },
  },
  meaning: "The client had received one or more complete `NNN-` lines of a multi-line reply, but not its final `NNN ` line, when it sent its next command (proven from the ACK field of that command's segment). A reply ends only at the line with a space after the code (RFC 5321 §4.2.1); TCP segment boundaries mean nothing.",
  why: "The client takes the rest of the reply, when it arrives, as the answer to its new command (e.g. `250 …` for STARTTLS, which expects 220) and fails. Acting on a partial EHLO reply also means acting on an incomplete capability list.",
  fix: "Fix the client: keep reading until the final line of the reply. Splitting the reply across segments is legal, so the server or proxy need not change, although writing each reply with one send() avoids triggering the bug.",
  plaintext: true,
  pairing: true,
}, {
  early(e, ctx) {
    const s = ctx.session;
    if (e.prev === null || e.reply === null || !partialMultiline(e)) return;
    const reply = e.reply;
    if (e.pipelining && pipelinable(e.prev)) return;
    if (e.prev.kind === "command" && e.prev.verb === "STARTTLS") return;
    const had = reply.lineInfo.slice(0, e.linesHad);
    const rest = reply.lineInfo.slice(e.linesHad);
    const next = rest[0];
    const nextSeg = next ? reply.segments.find((g) => g.start <= next.start && g.end > next.start) : undefined;
    const depends = e.cmd.kind === "command" && DEPENDS.has(e.cmd.verb) && e.prev.verb === "EHLO" ? " It relied on a capability list it had not finished reading." : "";
    const consumed = next ? ` The next bytes it received, starting ${q(next.text, 50)} in frame ${nextSeg?.frame ?? next.frame}, are what a client that treats each read as one reply takes as the answer to ${cmdLabel(e.cmd)}.` : "";
    // the client may believe it is pipelining: PIPELINING in force, or on a line of this reply it had
    const believes = e.pipelining || had.some((l) => PIPELINING_LINE.test(l.text));
    ctx.report({
      cite: believes && e.prev.kind === "command" && LAST_IN_GROUP.has(e.prev.verb) ? "lastInGroup" : "waitFor",
      frames: earlyFrames(e),
      time: e.cmd.time,
      message: !reply.complete && !reply.abandoned
        ? `${cmdLabel(e.cmd)} was sent after ${e.linesHad} \`${reply.code}-\` continuation ${e.linesHad === 1 ? "line" : "lines"} of the reply to ${cmdLabel(e.prev)}, before its final line (not in the capture: whatever came later, the client acted on part of the reply).${depends}`
        : reply.abandoned
        ? `${cmdLabel(e.cmd)} was sent after ${e.linesHad} \`${reply.code}-\` ${e.linesHad === 1 ? "line" : "lines"} of the reply to ${cmdLabel(e.prev)}, which never got its final line.${depends}`
        : `${cmdLabel(e.cmd)} was sent after ${e.linesHad} of the ${reply.lineInfo.length} lines of the ${reply.code} reply to ${cmdLabel(e.prev)}, before its final line ${q(reply.lines[reply.lines.length - 1] ?? "", 40)}.${depends}${consumed}`,
      evidence: `${ackEvidence(s, e.cmd, reply, e.by, e.acked, e.prev)}; lines the client had: ${had.map((l) => q(l.text, 30)).join(", ")}`,
    });
  },
});
