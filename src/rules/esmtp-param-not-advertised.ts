import { defineRule } from "./define.js";
import { lineCut, q } from "./util.js";

/** MAIL/RCPT parameter → the EHLO keyword that allows it. */
const NEEDS: Record<string, string> = {
  SIZE: "SIZE", BODY: "8BITMIME", AUTH: "AUTH", SMTPUTF8: "SMTPUTF8", RET: "DSN", ENVID: "DSN", NOTIFY: "DSN", ORCPT: "DSN",
  "MT-PRIORITY": "MT-PRIORITY", REQUIRETLS: "REQUIRETLS", BY: "DELIVERBY", HOLDFOR: "FUTURERELEASE", HOLDUNTIL: "FUTURERELEASE", MTRK: "MTRK", RRVS: "RRVS",
};

export default defineRule({
  id: "esmtp-param-not-advertised",
  title: "MAIL/RCPT parameter for an extension the server did not offer",
  severity: "error",
  side: "client",
  reference: "RFC 5321 §4.1.1.3",
  quote: "The client MUST NOT transmit parameters other than those associated with a service extension offered by the server in its EHLO response.",
  meaning: "A MAIL or RCPT parameter (SIZE=, BODY=, AUTH=, SMTPUTF8, RET=, NOTIFY=, …) belongs to an extension missing from the EHLO reply in effect, or SIZE/BODY appears twice.",
  why: "Servers answer 555 or reject the transaction.",
  fix: "Send a parameter only when its extension was advertised in the current EHLO reply.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: ["MAIL", "RCPT"],
    visit({ command: c }, ctx) {
      const f = ctx.conversation;
      if (c.kind !== "command" || (c.verb !== "MAIL" && c.verb !== "RCPT") || c.afterStartTls || lineCut(c)) return;
      const caps = f.capsAt(c.index);
      if (!caps) return;
      const close = c.line.indexOf(">");
      if (close < 0 || close === c.line.length - 1) return; // no parameters
      const params = c.line.slice(close + 1).trim().split(/\s+/).filter(Boolean);
      const seen = new Set<string>();
      for (const p of params) {
        const [k, v] = p.split("=");
        const key = k.toUpperCase();
        if (seen.has(key) && (key === "SIZE" || key === "BODY")) ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 60)} carries ${q(key, 30)} twice`, evidence: `parameters ${params.join(" ")}` });
        seen.add(key);
        let need = NEEDS[key];
        if (key === "BODY" && (v ?? "").toUpperCase() === "BINARYMIME") need = "BINARYMIME";
        if (key === "BODY" && (v ?? "").toUpperCase() === "7BIT") continue;
        if (need && !caps.keywords.has(need)) ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 60)} uses ${q(key, 30)}${v !== undefined ? "=" : ""}, but ${need} was not advertised${caps.helo ? " (the session used HELO, which offers no extensions)" : ""}`, evidence: `capabilities from frame ${caps.reply.frames[0]}: ${q([...caps.keywords.keys()].join(" ") || "none", 200)}` });
      }
    },
  },
});
