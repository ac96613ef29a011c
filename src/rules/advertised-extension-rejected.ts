import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "advertised-extension-rejected",
  title: "Advertised extension refused as not implemented",
  severity: "error",
  side: "server",
  reference: "RFC 5321 §4.2.4",
  quote: "Extended SMTP systems MUST NOT list capabilities in response to EHLO for which they will return 502 (or 500) replies.",
  meaning: "A command whose keyword the server advertised in its EHLO reply (STARTTLS, AUTH, BDAT/CHUNKING, VRFY, ETRN, …) was answered 500 or 502.",
  why: "Clients choose what to do from the capability list; a server that advertises what it refuses makes them fail, and a middlebox that blocks the command is a common cause.",
  fix: "Advertise only what the server accepts; check for an inspecting firewall that rewrites commands.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    kinds: ["command"],
    visit(ex, ctx) {
      const c = ex.command;
      const r = ex.first;
      if (c.afterStartTls || r === undefined || (r.code !== 500 && r.code !== 502)) return;
      const caps = ctx.conversation.advertisedAt(c.index);
      const kw = c.verb === "BDAT" ? "CHUNKING" : c.verb;
      if (!caps || !caps.keywords.has(kw)) return;
      ctx.report({ frames: [caps.reply.frames[0], c.frames[0], ...r.frames.slice(0, 1)], time: r.firstTime, message: `${q(c.line, 40)} was refused with ${r.code} although the EHLO reply advertised ${kw}`, evidence: `reply ${q(r.lines[0] ?? "", 60)}` });
    },
  },
});
