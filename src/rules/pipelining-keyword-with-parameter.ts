import { defineRule } from "./define.js";
import { ehloKeyword } from "../smtp/vocabulary.js";
import { q } from "./util.js";

export default defineRule({
  id: "pipelining-keyword-with-parameter",
  title: "PIPELINING advertised with a parameter",
  severity: "info",
  side: "server",
  reference: "RFC 2920 §2",
  quote: "(3) no parameter is used with the PIPELINING EHLO keyword;",
  meaning: "The EHLO line for PIPELINING carries a parameter.",
  why: "Strict clients may not recognise the keyword and will not pipeline.",
  fix: "Advertise `PIPELINING` alone.",
  plaintext: true,
}, (ctx) => {
  for (const r of ctx.session.replies) {
    for (let i = 1; i < r.lineInfo.length; i++) {
      const l = r.lineInfo[i];
      const c4 = l.text.charCodeAt(4); // only a line whose keyword starts with P is split into words
      if (c4 !== 0x50 && c4 !== 0x70) continue;
      const { keyword, params } = ehloKeyword(l.text);
      if (keyword.toUpperCase() === "PIPELINING" && params.some((x) => x.trim() !== "")) ctx.report({ frames: [l.frame], time: l.time, message: `EHLO line ${q(l.text, 50)} gives PIPELINING a parameter`, evidence: `reply ${r.index}` });
    }
  }
});
