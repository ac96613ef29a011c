import { defineRule } from "./define.js";
import { authMechanism, isVerb } from "../smtp/vocabulary.js";
import { plural } from "../text/plural.js";
import { q } from "./util.js";

export default defineRule({
  id: "auth-cleartext-credentials",
  title: "SASL authentication outside TLS",
  severity: "warning",
  side: "client",
  reference: "RFC 4954 §4",
  quote: "Server sites SHOULD NOT use any configuration which permits a plaintext password mechanism without such a protection mechanism against password snooping.",
  quoteFor: {
    client: { reference: "RFC 3207 §1", quote: "Such an untrusted router might allow a third party to monitor or alter the communications between the server and client." },
  },
  meaning: "An AUTH exchange took place in plaintext. With PLAIN or LOGIN the password itself is on the wire (smtpcap redacts it). Both sides share the fault: the client sent it, the server allowed it.",
  why: "Anyone on the path can read the credentials.",
  fix: "Authenticate only after STARTTLS (or on port 465); servers should not offer PLAIN/LOGIN before TLS.",
  plaintext: true,
  pairing: true,
  needs: { verbs: ["AUTH"] },
}, (ctx) => {
  const s = ctx.session;
  for (const c of s.commands) {
    if (!isVerb(c, "AUTH") || c.afterStartTls || c.inTls) continue;
    const { mech } = authMechanism(c);
    // the AUTH command and the SASL responses that directly follow it; a command line the server
    // took as a response (takenAsAuthResponse) is no credential and ends the exchange here
    const chain = [c];
    for (let k = c.index + 1; k < s.commands.length && s.commands[k].kind === "auth-response"; k++) chain.push(s.commands[k]);
    const credentials = chain.filter((x) => x.secret);
    if (credentials.length === 0) continue; // only credentials count: none was sent
    const r = ctx.conversation.exchanges[chain[chain.length - 1].index]?.final;
    const accepted = r?.code === 235 ? "; the server accepted it (235)" : r && r.code !== null ? `; the server answered ${r.code}` : "";
    const who = c.authUser !== undefined ? ` for user ${q(c.authUser, 40)}` : "";
    const password = mech === "PLAIN" || (mech === "LOGIN" && credentials.length >= 2);
    const what = password ? ": the password is on the wire in clear"
      : mech === "LOGIN" ? ": the user name is on the wire in clear (no password followed)"
        : "";
    ctx.report({ frames: chain.flatMap((x) => x.frames.slice(0, 1)), time: c.time, message: `AUTH ${q(mech, 30)}${who} was sent without TLS${what}${accepted}`, evidence: `${plural(chain.length - 1, "SASL response line")} after the AUTH command, redacted in this report` });
  }
});
