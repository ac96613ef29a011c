import { defineRule } from "./define.js";
import type { Command } from "../smtp/model.js";
import { cmdLabel, ms, replyLabel } from "./util.js";

/** A tail segment this soon after the client's ACK of the head is the Nagle/delayed-ACK signature. */
const NAGLE_REACTION = 0.01;

export default defineRule({
  id: "reply-split-delay",
  title: "Pause inside one reply",
  severity: "info",
  side: "server",
  traits: ["not-caused"],
  // no RFC forbids the pause: cite what applies (a reply ends at its marked last line; TCP is a
  // stream), not RFC 1122's delayed-ACK MUST, which next to "paused 601 ms" reads as broken
  reference: "RFC 5321 §4.2.1; RFC 793 §2.8",
  quote: "The reply text may be longer than a single line; in these cases the complete text must be marked so the SMTP client knows when it can stop reading the reply.",
  meaning: "The largest pause between two segments of one reply exceeds the threshold (--split-delay-ms, default 200). smtpcap classifies it: a tail that leaves within a few ms of the client's ACK of the head is Nagle's algorithm meeting a delayed ACK (the server writes one line per send()); otherwise the server or proxy produced the rest later. A warning when the client sent something during the pause.",
  why: "No RFC forbids the pause: TCP carries a stream of octets, not records (RFC 793 §2.8), and a reply ends only at its last line, the one with a space after the code (RFC 5321 §4.2.1), however long it takes to arrive (short of the client's timeouts, RFC 5321 §4.5.3.2). It is still a hazard: a client that takes one read as one whole reply acts on the head of the reply, and the longer the pause, the more surely its read returns only the head. Without the pause the same client usually gets the whole reply in one read, and its bug stays hidden.",
  fix: "Server/proxy: send the lines of a reply together, without holding part of it back. Client: read to the final line.",
  plaintext: true,
  hazard: true,
}, {
  reply(r, ctx) {
    if (r.segments.length < 2 || r.afterStartTls) return;
    const threshold = ctx.opts.splitDelayMs / 1000;
    let worst = 0, at = 1;
    for (let i = 1; i < r.segments.length; i++) {
      const gap = r.segments[i].time - r.segments[i - 1].time;
      if (gap > worst) { worst = gap; at = i; }
    }
    if (worst <= threshold) return;
    const head = r.segments[at - 1], tail = r.segments[at];
    const ack = tail.peerAck;
    const acked = ack !== undefined && ack.offset >= head.end && ack.time >= head.time;
    const reaction = acked ? tail.time - ack!.time : Infinity;
    const kind = acked && reaction <= NAGLE_REACTION && worst <= 0.5
      ? `TCP stack artefact (Nagle/delayed ACK): the tail left ${ms(reaction)} after the client's ACK in frame ${ack!.frame}; the server writes one line per send()`
      : acked
        ? `application stall: the client had acknowledged the head (frame ${ack!.frame}) ${ms(reaction)} before the tail was sent; the server or proxy produced the rest later`
        : "the capture shows no client ACK of the head before the tail";
    const during: Command[] = [];
    // between the two in capture order as well as in time: a timestamp that went back proves no overlap
    for (const { command: c } of ctx.conversation.exchanges) {
      const first = c.segments[0];
      if (first && first.time > head.time && first.time < tail.time && first.frame > head.frame && first.frame < tail.frame) during.push(c);
    }
    const spoke = during.length > 0;
    ctx.report({
      severity: spoke ? "warning" : undefined,
      frames: [head.frame, tail.frame, ...(acked ? [ack!.frame] : []), ...during.map((c) => c.frames[0])],
      time: tail.time,
      message: `${replyLabel(r)} paused ${ms(worst)} between frame ${head.frame} and frame ${tail.frame}${spoke ? `; the client sent ${during.map(cmdLabel).join(", ")} during the pause` : ""}`,
      evidence: kind,
    });
  },
});
