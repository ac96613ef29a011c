import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "server-accepts-nonstandard-eod",
  title: "Server ended the message at a non-standard end-of-data",
  severity: "error",
  side: "server",
  reference: "RFC 5321 §4.1.1.4",
  quote: "The custom of accepting lines ending only in <LF>, as a concession to non-conforming behavior on the part of some UNIX systems, has proven to cause more interoperability problems than it solves, and SMTP server systems MUST NOT do this, even in the name of improved robustness.",
  meaning: "The server sent a reply whose ACK covers a non-standard end-of-data sequence but not the real CRLF.CRLF, or it sent more end-of-data replies than there were DATA commands (it answered the commands hidden after the look-alike): it took the look-alike as the end of the message.",
  why: "This is the receiving half of SMTP smuggling: the bytes after the look-alike become commands of a forged second message.",
  fix: "Accept only CRLF.CRLF as end of data (Postfix smtpd_forbid_bare_newline = reject; Exim ≥ 4.97.1; sendmail's fix).",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    kinds: ["message"],
    visit({ command: c }, ctx) {
      const s = ctx.session;
      const base = s.sawSyn ? 1 : 0;
      const m = c.message;
      if (!m || m.nonstandardEnds.length === 0) return;
      // second trigger: more end-of-data replies than DATA commands — after the message the server
      // answered commands the client never sent as commands (those hidden after the fake end)
      const extra = ctx.conversation.smuggledReplies.get(c.index);
      if (extra) {
        const rs = extra.map((i) => ctx.conversation.replies[i]);
        const fake = m.nonstandardEnds[0];
        ctx.report({ frames: [fake.frame, ...rs.flatMap((r) => r.frames)].slice(0, 20), time: rs[0].firstTime, message: `after the message the server sent ${rs.length} more repl${rs.length > 1 ? "ies" : "y"} (${rs.map((r) => r.code).join(", ")}) that no command asked for: it ended the message at the fake end-of-data \`${fake.sequence}\` and answered the commands hidden after it (${m.smuggledCommands.map((x) => q(x.line, 30)).join(", ")})`, evidence: `message of ${m.bytes} octets; the fake end at client offset ${fake.offset} (frame ${fake.frame}); replies ${extra.join(", ")} follow its reply` });
        return;
      }
      const fake = m.nonstandardEnds[0];
      // the real CRLF.CRLF; none when the message ended at the look-alike (the dissector followed the server)
      const realEnd = m.endOffset !== null && m.nonstandardEnds.every((f) => f.end !== m.endOffset) ? m.endOffset : null;
      // the reply to the command before the message (DATA): the replies after it may end the message
      const before = ctx.conversation.exchanges[c.index - 1]?.first?.index ?? -1;
      for (const r of ctx.conversation.replies) {
        const ack = r.segments[0]?.ack;
        if (ack === null || ack === undefined || r.index <= before) continue;
        if (ack >= fake.end + base && (realEnd === null || ack < realEnd + base)) {
          ctx.report({ frames: [fake.frame, ...r.frames], time: r.firstTime, message: `the server replied ${q(r.lines[0] ?? "", 40)} after the fake end-of-data \`${fake.sequence}\` and before the real one: it ended the message early`, evidence: `server frame ${r.frames[0]} carried ack ${ack}; the fake end ends at client seq ${fake.end + base}${realEnd !== null ? `, the real one at ${realEnd + base}` : ""}` });
          break;
        }
      }
    },
  },
});
