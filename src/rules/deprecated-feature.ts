import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "deprecated-feature",
  title: "Deprecated SMTP feature: TURN, source routes, #-literals",
  severity: "warning",
  side: "client",
  traits: ["own-octets"],
  reference: "RFC 5321 App. F",
  quote: "Its use is deprecated; SMTP systems SHOULD NOT use it unless the server can authenticate the client.",
  meaning: "TURN (App. F.1); a source route in MAIL FROM or RCPT TO such as `<@a,@b:user@c>` (§3.3: \"contemporary SMTP clients SHOULD NOT utilize source routes\"); a `#123` host literal in EHLO/HELO (App. F.4: \"It is deprecated and MUST NOT be used.\", error).",
  why: "Servers ignore or reject these forms, and TURN lets a client take over mail meant for someone else.",
  fix: "Use ETRN instead of TURN, plain `<user@domain>` paths, and `[address]` literals.",
  plaintext: true,
}, {
  exchange: {
    verbs: ["TURN", "MAIL", "RCPT", "EHLO", "HELO"],
    visit({ command: c }, ctx) {
      if (c.kind !== "command" || c.afterStartTls) return;
      if (c.verb === "TURN") ctx.report({ frames: c.frames, time: c.time, message: "the client sent TURN, deprecated since RFC 2821 (ETRN replaces it)", evidence: `command ${c.index}` });
      else if ((c.verb === "MAIL" || c.verb === "RCPT") && c.line.includes("<@") && /^(MAIL\s+FROM|RCPT\s+TO)\s*:\s*<@/i.test(c.line)) {
        ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 60)} carries a source route (\`<@host,…:\`)`, evidence: `command ${c.index}` });
      } else if ((c.verb === "EHLO" || c.verb === "HELO") && c.line.includes("#") && /^\S+\s+#/.test(c.line)) {
        ctx.report({ severity: "error", frames: c.frames, time: c.time, message: `${q(c.line, 60)} gives a \`#\` host literal, which MUST NOT be used`, evidence: `command ${c.index}` });
      }
    },
  },
});
