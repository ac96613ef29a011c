import { defineRule } from "./define.js";
import { afterStartTlsCase, cmdLabel } from "./util.js";

export default defineRule({
  id: "plaintext-after-starttls-accepted",
  title: "Client sent plaintext after the 220 to STARTTLS",
  severity: "error",
  side: "client",
  reference: "RFC 3207 §4",
  quote: "After receiving a 220 response to a STARTTLS command, the client MUST start the TLS negotiation before giving any other SMTP commands.",
  meaning: "The 220 to STARTTLS had arrived (the ACK field of the client's next segment covers it) and the client, in that later segment, sent a plaintext command instead of a TLS ClientHello: it gave up on TLS. Nothing suggests an attacker: the command comes after the 220, not in the STARTTLS group (that is `starttls-command-injection`).",
  why: "The server is waiting for a TLS handshake and takes the line as a broken one: it closes the connection or waits, and the client's mail is not sent. A client that cannot start TLS after the 220 SHOULD abort the connection (RFC 3207 §4) rather than talk on in plaintext.",
  fix: "Client: start the TLS handshake right after the 220; when it cannot (no TLS library, a reply it misread as the 220), close the connection instead of sending more commands.",
  plaintext: false,
  pairing: true,
}, {
  // the first STARTTLS of the session, and what the client sent after its 220 had arrived
  exchange: {
    verbs: ["STARTTLS"],
    visit(ex, ctx) {
      const starttls = ex.command, reply = ex.first;
      if (starttls.kind !== "command") return;
      if (reply === undefined) return "stop";
      const s = ctx.session;
      const desync = ctx.conversation.early.some((e) => e.cmd === starttls);
      for (const { command: c } of ctx.conversation.exchanges) {
        if (!c.afterStartTls) continue;
        const { early, ack, endSeq } = afterStartTlsCase(s, starttls, reply, c);
        if (early) continue;
        const last = reply.frames[reply.frames.length - 1];
        const proof = ack !== null
          ? `client frame ${c.frames[0]} carried ack ${ack}: it had received the 220, which ends at seq ${endSeq}`
          : `by capture timestamps (the segment carried no ACK): the 220 arrived at ${reply.lastTime.toFixed(6)} s, the command left at ${c.time.toFixed(6)} s`;
        ctx.report({
          frames: [starttls.frames[0], c.frames[0]],
          time: c.time,
          message: `${cmdLabel(c)} was sent in plaintext after the 220 to STARTTLS (frame ${last}) had arrived, where the TLS handshake belongs: the client gave up on TLS.${desync ? " STARTTLS itself was sent before the previous reply was complete, so the client most likely took that reply's tail as the STARTTLS answer and abandoned TLS." : ""}`,
          evidence: `${proof}; the command is plaintext, not a TLS record`,
        });
      }
      return "stop";
    },
  },
});
