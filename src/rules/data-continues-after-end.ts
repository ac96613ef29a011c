import { defineRule } from "./define.js";
import { KNOWN_VERBS } from "../smtp/vocabulary.js";
import { q } from "./util.js";


export default defineRule({
  id: "data-continues-after-end",
  title: "Message text went on after the end of data",
  severity: "warning",
  side: "client",
  reference: "RFC 5321 §4.5.2",
  quote: "Before sending a line of mail text, the SMTP client checks the first character of the line.",
  meaning: "Right after the end-of-data sequence the client sent lines that are not SMTP commands (header or body text), and the server refused them as commands (500/502): a line holding a lone \".\" in the message was not dot-stuffed, so the message was cut there.",
  why: "The recipient gets a truncated message, and the rest is fed to the server as commands; with crafted content the same mistake smuggles commands (see smuggled-commands-in-data).",
  fix: "Dot-stuff: send an extra \".\" before every line of the message that starts with one.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    kinds: ["message"],
    visit({ command: m }, ctx) {
      if (m.afterStartTls) return;
      const exs = ctx.conversation.exchanges;
      const run = [];
      for (let j = m.index + 1; j < exs.length; j++) {
        const c = exs[j].command;
        const r = exs[j].first;
        if (c.kind !== "command" || KNOWN_VERBS.has(c.verb) || !r || (r.code !== 500 && r.code !== 502)) break;
        run.push(c);
      }
      if (run.length === 0) return;
      ctx.report({ frames: run.slice(0, 10).flatMap((c) => c.frames), time: run[0].time, message: `after the end of the message the client sent ${run.length} line${run.length > 1 ? "s" : ""} of text (first ${q(run[0].line, 50)}) that the server refused as commands: the message held an unstuffed "." line and was cut there`, evidence: `message ${m.index} ended in frame ${m.message?.endFrame ?? "?"}` });
    },
  },
});
