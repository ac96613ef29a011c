import { defineRule } from "./define.js";
import type { RuleContext } from "./types.js";
import { bareCrProven, q } from "./util.js";
import { plural } from "../text/plural.js";

export default defineRule({
  id: "bare-cr-lf-in-reply",
  title: "Reply line ended by a bare LF or containing a bare CR",
  severity: "error",
  side: "server",
  traits: ["own-octets", "reply-text"],
  reference: "RFC 5321 §2.3.8",
  quote: "Conforming implementations MUST NOT recognize or generate any other character or character sequence as a line terminator.",
  meaning: "A server line ends with LF alone, or carries a CR that is not followed by LF.",
  why: "Strict clients do not see the end of the line and wait; lenient ones split differently from strict ones.",
  fix: "End every line with CR LF.",
  plaintext: true,
}, {
  // the first reply with a line not ended by CRLF: the session's server lines are counted once
  reply(r, ctx) {
    const lines = r.lineInfo;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (l.terminator !== "crlf" || l.bareCr) {
        whole(ctx);
        return "stop";
      }
    }
    return;
  },
});

/** Every server line of the session without a proper CRLF, in one finding. */
function whole(ctx: RuleContext): void {
  let first: { frame: number; time: number; text: string; kind: string } | null = null;
  let count = 0;
  const frames: number[] = [];
  const replies = ctx.conversation.replies;
  for (const r of replies) {
    for (const l of r.lineInfo) {
      // a line the capture cut short may have had its terminator in the bytes it lacks; a CR
      // inside it is bare all the same
      if (l.gap && !bareCrProven(ctx.session, "server", l, r.inTls === true)) continue;
      const unterminated = l.terminator === "none" && r.complete && l !== r.lineInfo[r.lineInfo.length - 1] ? false : l.terminator === "none" && (r.complete || r.index < replies.length - 1);
      const kind = l.terminator === "lf" ? "ends with a bare LF" : bareCrProven(ctx.session, "server", l, r.inTls === true) ? "contains a bare CR" : unterminated ? "has no line terminator before the next reply line" : "";
      if (!kind) continue;
      count++;
      if (frames.length < 16) frames.push(l.frame);
      if (!first) first = { frame: l.frame, time: l.time, text: l.text, kind };
    }
  }
  if (first) ctx.report({ frames, time: first.time, message: `${plural(count, "server line")} without a proper CRLF; the first, ${q(first.text)}, ${first.kind}`, evidence: `first in frame ${first.frame}` });
}
