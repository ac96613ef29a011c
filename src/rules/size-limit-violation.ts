import { defineRule } from "./define.js";
import { lineCut, q } from "./util.js";

/** The SIZE= a MAIL line declares, or null. */
function declaredSize(mail: string | undefined): number | null {
  if (mail === undefined) return null;
  const size = /\sSIZE=(\d+)/i.exec(mail);
  return size ? Number(size[1]) : null;
}

export default defineRule({
  id: "size-limit-violation",
  title: "Message size against the SIZE limit or declaration",
  severity: "warning",
  side: "client",
  reference: "RFC 1870 §4, §6.3",
  quote: "Any attempt by a client to transfer a message which is larger than this limit will be rejected with a permanent failure (552) reply code.",
  quoteFor: {
    server: { reference: "RFC 1870 §6.3", quote: "Once a server has agreed (via the extended MAIL command) to accept a message of a particular size, it should not return a 552 reply code after the transfer phase of the DATA command, unless the actual size of the message transferred is greater than the declared message size." },
  },
  meaning: "MAIL declared SIZE=n above the maximum the server advertised (warning); the message sent was larger than the advertised maximum or than the size the client declared (info); the server answered 552 at the end of data although the message was no larger than declared (info, server: RFC 1870 §6.3). Sizes are counted as RFC 1870 §5 does: without the final \".\" line and without stuffing dots.",
  why: "The transfer is wasted: the server refuses it after receiving it all.",
  fix: "Client: compare the message with the SIZE limit before sending and declare its true size. Server: honour a size it accepted in MAIL.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: ["MAIL"],
    kinds: ["message"],
    visit({ command: c }, ctx) {
      const f = ctx.conversation;
      if (c.afterStartTls) return;
      const mail = c.kind === "command" && c.verb === "MAIL";
      if (!mail && c.kind !== "message") return; // only a MAIL and the message it announced are judged
      const caps = f.capsAt(c.index);
      const max = caps && caps.keywords.has("SIZE") ? Number(caps.keywords.get("SIZE")) || 0 : 0;
      if (mail) {
        if (max === 0) return;
        const declared = declaredSize(f.exchanges[c.index].transaction?.mail.line);
        if (declared !== null && declared > max) ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 60)} declares ${declared} octets, more than the ${max} the server advertised`, evidence: `EHLO reply in frame ${caps!.reply.frames[0]}` });
        return;
      }
      const msg = c.message;
      if (!msg || msg.gap || msg.endOfData === null) return;
      const tm = f.exchanges[c.index].transaction?.mail;
      // a MAIL line cut short may have declared more than the capture shows
      const declared = tm === undefined || lineCut(tm) ? null : declaredSize(tm.line);
      // octets on the wire include the final ".\r\n" and one stuffing dot at most per line
      const upper = msg.bytes - 3;
      const lower = Math.max(0, upper - msg.lines);
      if (max > 0 && lower > max) ctx.report({ severity: "info", frames: c.frames.slice(0, 1), time: c.time, message: `the message (at least ${lower} octets) is larger than the ${max} octets the server advertised`, evidence: `${msg.bytes} octets sent as message data` });
      else if (declared !== null && lower > declared) ctx.report({ severity: "info", frames: c.frames.slice(0, 1), time: c.time, message: `the message (at least ${lower} octets) is larger than the SIZE=${declared} its MAIL declared`, evidence: `${msg.bytes} octets sent as message data` });
      const r = ctx.conversation.exchanges[c.index].first;
      if (r && r.complete && r.code === 552 && declared !== null && upper <= declared) {
        ctx.report({ severity: "info", side: "server", frames: [msg.endFrame ?? c.frames[0], ...r.frames], time: r.firstTime, message: `the server refused the message with ${q(r.lines[0] ?? "", 50)} although it was no larger (${upper} octets at most) than the SIZE=${declared} it had accepted`, evidence: "RFC 1870 §6.3" });
      }
    },
  },
});
