import { defineRule } from "./define.js";
import { authMechanism } from "../smtp/vocabulary.js";
import { plural } from "../text/plural.js";
import { q } from "./util.js";

/** SASL mechanisms that answer a challenge with a value derived from the password, never the password */
const CHALLENGE_RESPONSE = /^(?:NTLM|CRAM-MD5|DIGEST-MD5|SCRAM-[A-Z0-9-]+)$/;

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
  // a challenge-response mechanism puts no password on the wire: the RFC 4954 §4 sentence about
  // plaintext password mechanisms does not apply; what is true is that the exchange can be recorded
  citations: {
    challengeResponse: { reference: "RFC 3207 §1", quote: "Such an untrusted router might allow a third party to monitor or alter the communications between the server and client." },
  },
  meaning: "An AUTH exchange took place in plaintext. With PLAIN or LOGIN the password itself is on the wire (smtpcap redacts it). Both sides share the fault: the client sent it, the server allowed it. With a challenge-response mechanism (NTLM, CRAM-MD5, DIGEST-MD5, SCRAM) no password is sent: an info, since the exchange is still outside TLS and a recorded response can be attacked offline to recover the password (NTLM and CRAM-MD5 responses are fast to test against guesses).",
  why: "Anyone on the path can read the credentials.",
  fix: "Authenticate only after STARTTLS (or on port 465); servers should not offer PLAIN/LOGIN before TLS.",
  plaintext: true,
  // sending credentials in clear needs no reply to prove: the rule reads the client's own lines and
  // says the outcome (235) only where the exchange's pairing is trusted (Exchange.trusted)
}, {
  exchange: {
    verbs: ["AUTH"],
    visit(ex, ctx) {
      const c = ex.command;
      if (c.kind !== "command" || c.afterStartTls || c.inTls) return;
      const exs = ctx.conversation.exchanges;
      const { mech } = authMechanism(c);
      // the AUTH command and the SASL responses that directly follow it; a command line the server
      // took as a response (takenAsAuthResponse) is no credential and ends the exchange here
      const chain = [c];
      for (let k = c.index + 1; k < exs.length && exs[k].command.kind === "auth-response"; k++) chain.push(exs[k].command);
      const credentials = chain.filter((x) => x.secret);
      if (credentials.length === 0) return; // only credentials count: none was sent
      const last = exs[chain[chain.length - 1].index];
      const r = last?.trusted ? last.final : undefined;
      const accepted = r?.code === 235 ? "; the server accepted it (235)" : r && r.code !== null ? `; the server answered ${r.code}` : "";
      const who = c.authUser !== undefined ? ` for user ${q(c.authUser, 40)}` : "";
      if (CHALLENGE_RESPONSE.test(mech)) {
        ctx.report({
          severity: "info",
          cite: "challengeResponse",
          frames: chain.flatMap((x) => x.frames.slice(0, 1)),
          time: c.time,
          message: `AUTH ${q(mech, 30)}${who} took place without TLS: ${mech} is challenge-response and sent no password, but anyone on the path can record the exchange and attack the password offline${mech === "NTLM" ? " (NTLM responses are derived from the password hash)" : ""}${accepted}`,
          evidence: `${plural(chain.length - 1, "SASL response line")} after the AUTH command, redacted in this report`,
        });
        return;
      }
      const password = mech === "PLAIN" || (mech === "LOGIN" && credentials.length >= 2);
      const what = password ? ": the password is on the wire in clear"
        : mech === "LOGIN" ? ": the user name is on the wire in clear (no password followed)"
          : "";
      ctx.report({ frames: chain.flatMap((x) => x.frames.slice(0, 1)), time: c.time, message: `AUTH ${q(mech, 30)}${who} was sent without TLS${what}${accepted}`, evidence: `${plural(chain.length - 1, "SASL response line")} after the AUTH command, redacted in this report` });
    },
  },
});
