import { defineRule } from "./define.js";
import { replyText } from "../smtp/vocabulary.js";
import { q } from "./util.js";

export default defineRule({
  id: "reply-last-line-no-sp",
  title: "Final reply line is a bare code",
  severity: "warning",
  side: "server",
  traits: ["own-octets"],
  reference: "RFC 5321 §4.2.1",
  quote: "As noted above, servers SHOULD send the <SP> if subsequent text is not sent, but clients MUST be prepared for it to be omitted.",
  meaning: "The last line of a reply is just `NNN` without the space (warning), or `NNN ` without text (info; not for `334 `, the empty challenge of RFC 4954 §4).",
  why: "Clients must accept it, but some look for `NNN ` to find the end of a reply and hang.",
  fix: "End every reply with `NNN <text>`.",
  plaintext: true,
}, {
  reply(r, ctx) {
    if (!r.complete) return;
    const l = r.lineInfo[r.lineInfo.length - 1];
    if (!l || l.gap || l.code === null) return;
    if (l.sep === "") ctx.report({ frames: [l.frame], time: l.time, message: `final reply line ${q(l.text)} has no space after the code`, evidence: `line of ${l.length} octets at server offset ${l.start}` });
    // `334 ` with empty text is how RFC 4954 §4 sends an empty challenge
    else if (l.sep === " " && l.code !== 334 && replyText(l.text).trim() === "") ctx.report({ severity: "info", frames: [l.frame], time: l.time, message: `final reply line ${q(l.text)} carries no text`, evidence: `line of ${l.length} octets at server offset ${l.start}` });
  },
});
