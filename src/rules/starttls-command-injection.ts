import { defineRule } from "./define.js";
import { afterStartTlsCase, cmdLabel } from "./util.js";

export default defineRule({
  id: "starttls-command-injection",
  title: "Plaintext commands sent with STARTTLS, before its 220",
  severity: "error",
  side: "client",
  reference: "RFC 3207 §4",
  quote: "If the SMTP client is using pipelining as defined in RFC 2920, the STARTTLS command must be the last command in a group.",
  meaning: "After `STARTTLS`, the client (or something on the path upstream of the capture point) sent plaintext commands before the 220 had arrived: in the STARTTLS segment (e.g. `STARTTLS\\r\\nEHLO x` in one segment) or later in the same group (proven from the ACK field) — the CVE-2011-0411 class. A plaintext command sent after the 220 arrived is `plaintext-after-starttls-accepted`.",
  why: "A server that buffers the plaintext executes it inside the TLS session as if the client had sent it there: an attacker can inject commands into an encrypted session.",
  fix: "Client: send STARTTLS as the last command of a group and start TLS right after the 220. Server: discard buffered input when TLS starts.",
  plaintext: false,
  pairing: true,
}, {
  // the first STARTTLS of the session, and what the client sent after it
  exchange: {
    verbs: ["STARTTLS"],
    visit(ex, ctx) {
      const starttls = ex.command, reply = ex.first;
      if (starttls.kind !== "command") return;
      const s = ctx.session;
      for (const { command: c } of ctx.conversation.exchanges) {
        if (!c.afterStartTls) continue;
        const { early, ack, endSeq } = afterStartTlsCase(s, starttls, reply, c);
        if (!early) continue;
        ctx.report({
          frames: [starttls.frames[0], c.frames[0]],
          time: c.time,
          message: `${cmdLabel(c)} was sent in plaintext after STARTTLS, before the STARTTLS reply had arrived${ack !== null && endSeq !== null ? ` (ack ${ack} < ${endSeq})` : ""}; the client or an on-path injector is at fault.`,
          evidence: `STARTTLS in frame ${starttls.frames[0]}${reply ? `, answered ${reply.code}` : ", never answered"}`,
        });
      }
      return "stop";
    },
  },
});
