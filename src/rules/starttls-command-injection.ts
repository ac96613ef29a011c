import { defineRule } from "./define.js";
import { cmdLabel } from "./util.js";

export default defineRule({
  id: "starttls-command-injection",
  title: "Plaintext commands after STARTTLS",
  severity: "error",
  side: "client",
  reference: "RFC 3207 §4",
  quote: "After receiving a 220 response to a STARTTLS command, the client MUST start the TLS negotiation before giving any other SMTP commands.",
  meaning: "After `STARTTLS`, the client (or something on the path upstream of the capture point) sent plaintext commands: (a) before the 220 had arrived, e.g. `STARTTLS\\r\\nEHLO x` in one segment — the CVE-2011-0411 class, or (b) after the 220, instead of a TLS ClientHello.",
  why: "A server that buffers the plaintext executes it inside the TLS session as if the client had sent it there: an attacker can inject commands into an encrypted session.",
  fix: "Client: send STARTTLS as the last command of a group and start TLS right after the 220. Server: discard buffered input when TLS starts.",
  plaintext: false,
  pairing: true,
  needs: { afterStartTls: true },
}, (ctx) => {
  const s = ctx.session;
  const starttls = s.commands.find((c) => c.kind === "command" && c.verb === "STARTTLS");
  const reply = starttls && starttls.replies.length ? s.replies[starttls.replies[0]] : undefined;
  const endSeq = reply ? reply.end + (s.sawSyn ? 1 : 0) : null;
  const desync = starttls !== undefined && ctx.conversation.early.some((e) => e.cmd === starttls);
  for (const c of s.commands) {
    if (!c.afterStartTls) continue;
    const ack = c.segments[0]?.ack ?? null;
    const early = endSeq === null || (ack !== null ? ack < endSeq : c.time < reply!.lastTime);
    const message = early
      ? `${cmdLabel(c)} was sent in plaintext after STARTTLS, before the STARTTLS reply had arrived${ack !== null && endSeq !== null ? ` (ack ${ack} < ${endSeq})` : ""}; the client or an on-path injector is at fault.`
      : `${cmdLabel(c)} was sent in plaintext after the 220 to STARTTLS (frame ${reply!.frames[reply!.frames.length - 1]}), where a TLS handshake belongs; the client or an on-path injector is at fault.${desync ? " STARTTLS itself was sent before the previous reply was complete, so the client most likely took that reply's tail as the STARTTLS answer and abandoned TLS." : ""}`;
    ctx.report({ frames: [starttls!.frames[0], c.frames[0]], time: c.time, message, evidence: `STARTTLS in frame ${starttls!.frames[0]}${reply ? `, answered ${reply.code}` : ", never answered"}` });
  }
});
