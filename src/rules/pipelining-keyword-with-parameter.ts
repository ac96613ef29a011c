import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "pipelining-keyword-with-parameter",
  title: "PIPELINING advertised with a parameter",
  severity: "info",
  side: "server",
  traits: ["own-octets"],
  reference: "RFC 2920 §2",
  quote: "(3) no parameter is used with the PIPELINING EHLO keyword;",
  meaning: "The EHLO line for PIPELINING carries a parameter.",
  why: "Strict clients may not recognise the keyword and will not pipeline.",
  fix: "Advertise `PIPELINING` alone.",
  plaintext: true,
}, {
  reply(r, ctx) {
    for (let i = 1; i < r.lineInfo.length; i++) {
      const l = r.lineInfo[i];
      const text = l.text;
      const c4 = text.charCodeAt(4); // only a line whose keyword starts with P can name PIPELINING
      if (c4 !== 0x50 && c4 !== 0x70) continue;
      // ehloKeyword() without its arrays: the keyword up to the first space after the code; a
      // parameter is a non-blank word after it
      const sp = text.indexOf(" ", 4);
      if (sp < 0 || text.slice(4, sp).toUpperCase() !== "PIPELINING" || text.slice(sp + 1).trim() === "") continue;
      ctx.report({ frames: [l.frame], time: l.time, message: `EHLO line ${q(l.text, 50)} gives PIPELINING a parameter`, evidence: `reply ${r.index}` });
    }
  },
});
