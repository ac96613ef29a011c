import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "reply-continuation-invalid",
  title: "Reply code followed by something other than '-', SP or CRLF",
  severity: "error",
  side: "server",
  traits: ["own-octets", "reply-text"],
  reference: "RFC 5321 §4.2.1",
  quote: "The format for multiline replies requires that every line, except the last, begin with the reply code, followed immediately by a hyphen, \"-\" (also known as minus), followed by text.",
  meaning: "The fourth octet of a reply line is neither a hyphen (more lines follow), a space (last line) nor the end of the line.",
  why: "The client cannot tell whether the reply has ended, so it either waits forever or reads the next reply as part of this one.",
  fix: "Send `NNN-` on every line but the last and `NNN ` on the last line.",
  plaintext: true,
}, {
  reply(r, ctx) {
    for (let ix = 0; ix < r.lineInfo.length; ix++) {
      const l = r.lineInfo[ix];
      if (l.gap || l.code === null || l.sep === "-" || l.sep === " " || l.sep === "") continue;
      ctx.report({ frames: [l.frame], time: l.time, message: `reply line ${q(l.text)} has ${q(l.sep)} after the code; smtpcap treated it as the end of the reply`, evidence: `server stream offset ${l.start}` });
    }
  },
});
