import { defineRule } from "./define.js";
import type { Command } from "../smtp/model.js";
import { maskedBanner, q } from "./util.js";

export default defineRule({
  id: "middlebox-esmtp-rewriting",
  title: "A firewall's SMTP inspection rewrote the dialogue",
  severity: "warning",
  side: "middlebox",
  reference: "RFC 5321 §2.3.10",
  quote: "For the purposes of this specification, firewalls that rewrite addresses should be considered as gateways, even if SMTP is used on both sides of them (see RFC 2979 [27]).",
  meaning: "The greeting's text is masked with asterisks (`220 ****…`, Cisco ASA/PIX ESMTP inspection), or a command arrived as a row of X's (commands the box disallows are \"replaced by Xs\"). Masked EHLO keywords are reported by starttls-unavailable-or-stripped.",
  why: "The endpoints no longer see what the other side sent: banners, extensions and commands change in transit, and the box, not the MTA, is then the cause of what follows.",
  fix: "Turn off the firewall's ESMTP inspection (Cisco: `no inspect esmtp`) or exempt the mail servers from it.",
  plaintext: true,
}, (ctx) => {
  const g = ctx.conversation.greeting;
  const m = g && g.complete ? maskedBanner(g.lines) : null;
  if (g && m !== null) {
    ctx.report({ frames: g.frames, time: g.firstTime, message: `the greeting ${q(g.lines[0] ?? "", 60)} is masked with asterisks: a firewall's SMTP inspection (such as Cisco ASA/PIX) rewrote it`, evidence: `${m.stars} of ${m.length} characters are *` });
  }
  let masked: Command[] | null = null;
  const exs = ctx.conversation.exchanges;
  for (let ix = 0; ix < exs.length; ix++) {
    const c = exs[ix].command;
    if (c.kind === "command" && c.verb.startsWith("XXXX") && !c.afterStartTls && /^X{4,}\b/.test(c.line)) (masked ??= []).push(c);
  }
  if (masked !== null) {
    const c = masked[0];
    ctx.report({ frames: masked.slice(0, 10).flatMap((x) => x.frames), time: c.time, message: `${masked.length > 1 ? `${masked.length} commands` : "a command"} arrived as ${q(c.line, 40)}: a firewall replaced a command it does not allow with X's`, evidence: `command ${c.index}` });
  }
});
