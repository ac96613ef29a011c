import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "auth-cleartext-credentials",
  title: "SASL authentication outside TLS",
  severity: "warning",
  side: "client",
  reference: "RFC 4954 §4",
  quote: "Server sites SHOULD NOT use any configuration which permits a plaintext password mechanism without such a protection mechanism against password snooping.",
  meaning: "An AUTH exchange took place in plaintext. With PLAIN or LOGIN the password itself is on the wire (smtpcap redacts it). Both sides share the fault: the client sent it, the server allowed it.",
  why: "Anyone on the path can read the credentials.",
  fix: "Authenticate only after STARTTLS (or on port 465); servers should not offer PLAIN/LOGIN before TLS.",
  plaintext: true,
  pairing: true,
}, (ctx) => {
  const s = ctx.session;
  for (const c of s.commands) {
    if (c.kind !== "command" || c.verb !== "AUTH" || c.afterStartTls) continue;
    const mech = (c.line.split(" ")[1] ?? "").toUpperCase();
    const chain = s.commands.slice(c.index).filter((x, i) => i === 0 || x.kind === "auth-response");
    const last = chain.flatMap((x) => x.replies).pop();
    const r = last !== undefined ? s.replies[last] : undefined;
    const accepted = r?.code === 235 ? "; the server accepted it (235)" : r ? `; the server answered ${r.code}` : "";
    const who = c.authUser !== undefined ? ` for user ${q(c.authUser, 40)}` : "";
    ctx.report({ frames: chain.flatMap((x) => x.frames.slice(0, 1)), time: c.time, message: `AUTH ${q(mech, 30)}${who} was sent without TLS${mech === "PLAIN" || mech === "LOGIN" ? " with a mechanism that carries the password in clear" : ""}${accepted}`, evidence: `${chain.length - 1} SASL response line(s) after the AUTH command, redacted in this report` });
  }
});
