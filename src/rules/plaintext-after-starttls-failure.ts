import { defineRule } from "./define.js";
import type { Command } from "../smtp/model.js";
import { q } from "./util.js";

export default defineRule({
  id: "plaintext-after-starttls-failure",
  title: "Client continued in plaintext after STARTTLS failed",
  severity: "warning",
  side: "client",
  reference: "RFC 3207 §6",
  quote: "In order to defend against such attacks both clients and servers MUST be able to be configured to require successful TLS negotiation of an appropriate cipher suite for selected hosts before messages can be successfully transferred.",
  meaning: "STARTTLS was not answered 220 and the client went on with MAIL or AUTH in plaintext (an error when it sent AUTH PLAIN or LOGIN: the password crossed the network in clear).",
  why: "This is exactly what a STARTTLS-stripping attacker wants.",
  fix: "Require TLS for peers that offer it; treat a failed STARTTLS as a failed delivery attempt.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: ["STARTTLS"],
    visit(ex, ctx) {
      const c = ex.command;
      if (c.kind !== "command" || c.afterStartTls) return;
      const r = ex.first;
      if (!r || r.code === 220) return;
      const exs = ctx.conversation.exchanges;
      let next: Command | undefined;
      for (let k = c.index + 1; k < exs.length && next === undefined; k++) {
        const x = exs[k].command;
        if (x.kind === "command" && (x.verb === "MAIL" || x.verb === "AUTH")) next = x;
      }
      if (!next) return;
      const mech = next.verb === "AUTH" ? (next.line.split(" ")[1] ?? "").toUpperCase() : "";
      const creds = mech === "PLAIN" || mech === "LOGIN";
      ctx.report({ severity: creds ? "error" : undefined, frames: [c.frames[0], ...r.frames.slice(0, 1), next.frames[0]], time: next.time, message: `STARTTLS was answered ${r.code ?? "?"} (${q(r.lines[0] ?? "", 40)}) and the client continued in plaintext with ${q(next.line, 40)}${creds ? ": credentials were sent in clear" : ""}`, evidence: `STARTTLS frame ${c.frames[0]}, continuation frame ${next.frames[0]}` });
    },
  },
});
