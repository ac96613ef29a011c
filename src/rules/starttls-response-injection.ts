import { defineRule } from "./define.js";
import { replyLabel, streamSpan } from "./util.js";

export default defineRule({
  id: "starttls-response-injection",
  title: "Plaintext server output after the STARTTLS 220",
  severity: "error",
  side: "server",
  reference: "RFC 3207 §6",
  quote: "For this reason, clients and servers MUST discard any knowledge obtained prior to the start of the TLS handshake upon completion of the TLS handshake.",
  meaning: "The server (or a middlebox) sent more plaintext after the `220` to STARTTLS and before TLS began.",
  why: "A client that buffers these bytes takes them as its post-TLS EHLO reply (CVE-2021-38371 class): an attacker controls what the client believes the server offers.",
  fix: "Find the source of the extra bytes; clients must drop buffered input when TLS starts.",
  plaintext: false,
  pairing: true,
}, {
  reply(r, ctx) {
    if (!r.afterStartTls) return;
    ctx.report({ frames: r.frames, time: r.firstTime, message: `${replyLabel(r)} was sent in plaintext after the STARTTLS 220, before the TLS handshake`, evidence: streamSpan(ctx.session, "server", r.start, r.end, r.inTls) });
  },
});
