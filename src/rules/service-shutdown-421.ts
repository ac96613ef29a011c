import { defineRule } from "./define.js";
import type { Command } from "../smtp/model.js";
import { ackEvidence, q, replyEndSeq } from "./util.js";

export default defineRule({
  id: "service-shutdown-421",
  title: "421: the server is closing the connection",
  severity: "info",
  side: "server",
  traits: ["not-caused"],
  reference: "RFC 5321 §3.8, §4.3.2",
  quote: "421 Service shutting down and closing transmission channel",
  quoteFor: {
    client: { reference: "RFC 5321 §3.8", quote: "The SMTP client will normally read the 421 response code after sending its next command." },
  },
  meaning: "The server sent 421 (info). A server that goes on answering commands after its 421 (warning, server), and a client that sends commands other than QUIT after the 421 reached it (warning, client; proven by the ACK field), are reported too.",
  why: "421 tells the client to stop and try later; which side did what after it decides whether the message was deferred cleanly.",
  fix: "Server: close the connection after 421. Client: stop sending (a QUIT at most), close, and retry later.",
  plaintext: true,
  pairing: true,
}, {
  reply: {
    codes: [421],
    visit(r, ctx) {
      if (!r.complete || r.afterStartTls) return;
      const s = ctx.session;
      const conv = ctx.conversation;
      const what = r.command === null ? "unprompted" : `in reply to ${q(conv.exchangeOf(r)?.command.line ?? "", 40)}`;
      ctx.report({ frames: r.frames, time: r.firstTime, message: `the server sent ${q(r.lines[0] ?? "", 60)} (${what}): it is closing the connection`, evidence: `reply ${r.index}` });
      if (!ctx.conversation.trustedFrames([r.frames[0] ?? 0])) return "stop";
      const end = replyEndSeq(s, r);
      const later = conv.replies.filter((x) => x.index > r.index && x.command !== null && !x.afterStartTls && conv.exchangeOf(x)?.command.verb !== "QUIT");
      if (later.length > 0) {
        ctx.report({ severity: "warning", frames: [...r.frames, ...later.flatMap((x) => x.frames)].slice(0, 20), time: later[0].firstTime, message: `after its 421 the server answered ${later.length} more command${later.length > 1 ? "s" : ""} (first ${q(later[0].lines[0] ?? "", 40)}) instead of closing`, evidence: `reply ${r.index}, then replies ${later.map((x) => x.index).join(", ")}` });
      }
      const sent: Command[] = [];
      for (const { command: c } of conv.exchanges) if (c.kind === "command" && !c.afterStartTls && c.verb !== "QUIT" && c.segments[0]?.ack != null && c.segments[0].ack >= end) sent.push(c);
      if (sent.length > 0) {
        const c = sent[0];
        ctx.report({ severity: "warning", side: "client", frames: [...r.frames, ...sent.flatMap((x) => x.frames)].slice(0, 20), time: c.time, message: `the client sent ${sent.length} command${sent.length > 1 ? "s" : ""} (first ${q(c.line, 40)}) after the 421 had reached it`, evidence: ackEvidence(s, c, r, "ack", c.segments[0].ack) });
      }
      return "stop"; // the first 421 tells the story
    },
  },
});
