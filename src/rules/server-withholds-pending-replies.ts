import { defineRule } from "./define.js";
import { plural } from "../text/plural.js";
import { cmdLabel, ms } from "./util.js";

/** Default threshold: no reply octet for longer than this after the server's input was drained. */
export const WITHHOLD_MS = 1000;

export default defineRule({
  id: "server-withholds-pending-replies",
  title: "No replies while the server's input was drained",
  severity: "warning",
  side: "server",
  reference: "RFC 2920 §3.2",
  quote: "(7) MUST send all pending responses immediately whenever the local TCP input buffer is emptied.",
  meaning: "The server had offered PIPELINING and acknowledged every client octet sent so far (its input was drained, the client had nothing in flight), it owed replies to two or more commands it had received in full (a pipelined group, not one slow reply), and yet no reply octet followed for longer than the threshold (default 1 s). The reply to the end of a message is not counted: it comes once the message is processed. A capture cannot tell a server that holds finished replies back from one still working out the first of them (a slow DNS or policy lookup): both leave the client waiting.",
  why: "A pipelining client waits for the replies to the commands it sent; a server that buffers them until more input arrives stalls the session, and clients time out.",
  fix: "Server: flush pending replies whenever the input buffer is empty (Postfix, Exim and Sendmail do); look for a proxy or filter in front of the server that buffers replies.",
  plaintext: true,
  pairing: true,
  // listed, never decides a verdict: an ACK shows the kernel took the octets, not that the server
  // read them, and a server still working out the first owed reply looks the same on the wire
  hazard: true,
}, (ctx) => {
  const tcp = ctx.conversation.tcp;
  const threshold = (ctx.opts.withholdMs ?? WITHHOLD_MS) / 1000;
  for (const w of tcp.waits) {
    const silence = w.until.time - w.drained.time;
    if (!(silence > threshold)) continue;
    const A = w.drained.frame, R = w.until.frame;
    const owed = w.owed.slice(0, 4).map(cmdLabel).join(", ") + (w.owed.length > 4 ? ", …" : "");
    const until = w.until.kind === "reply" ? `the next reply octet came in frame ${R}`
      : w.until.kind === "client" ? `until the client sent more in frame ${R}`
        : w.until.kind === "close" ? `until the connection was closed in frame ${R}`
          : `to the session's last frame in the capture, ${R}`;
    const caps = ctx.conversation.advertisedAt(w.owed[0].index);
    ctx.report({
      frames: [A, R],
      time: w.until.time,
      message: `in frame ${A} the server acknowledged every client octet sent so far while it owed replies to ${plural(w.owed.length, "command")} (${owed}), then sent no reply octet for ${ms(silence)} (${until})`,
      evidence: `server frame ${A} carried ack ${w.drained.ack! + tcp.relBase}: it had received all ${w.clientSent} client octets sent by then, and the client had nothing in flight; `
        + `PIPELINING was offered in the EHLO reply${caps ? ` in frame ${caps.reply.frames[caps.reply.frames.length - 1]}` : ""}; `
        + "a server still working out the first owed reply looks the same in a capture",
    });
  }
}, (s, conv) => {
  const why = conv.tcp.waitsUnknown;
  if (why === null) return null;
  const offered = conv.exchanges.some((e) => e.advertised?.keywords.has("PIPELINING"));
  const oneSided = s.limits.some((l) => l.kind === "no-client-bytes" || l.kind === "no-server-bytes");
  return offered || oneSided ? why : null;
});
