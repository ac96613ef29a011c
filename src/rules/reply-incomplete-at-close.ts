import { defineRule } from "./define.js";
import { q, streamSpan } from "./util.js";
import { unreadFrom } from "../tls/describe.js";

export default defineRule({
  id: "reply-incomplete-at-close",
  title: "Connection closed in the middle of a reply",
  severity: "warning",
  side: "server",
  traits: ["not-caused"],
  reference: "RFC 5321 §4.2.1",
  quote: "The reply text may be longer than a single line; in these cases the complete text must be marked so the SMTP client knows when it can stop reading the reply.",
  meaning: "The server closed (FIN or RST), before the client closed or reset, while a reply was still open: `NNN-` lines without a final line, or a last line without CRLF; or the next reply (another code, in a new segment) began where the final line should have been.",
  why: "The client never learns the outcome of its command.",
  fix: "Finish every reply, including the one before closing (e.g. `421` or `221`), with a final `NNN ` line and CRLF.",
  plaintext: true,
}, {
  reply(r, ctx) {
    if (!r.abandoned) return;
    const last = r.lineInfo[r.lineInfo.length - 1];
    ctx.report({ frames: r.frames, time: r.lastTime, message: `the ${r.code} reply ends with ${q(last.text, 40)}, which announces more lines, but the next reply (another code) followed instead of its final line`, evidence: `reply of ${r.lineInfo.length} lines at ${streamSpan(ctx.session, "server", r.start, r.end, r.inTls)}` });
  },
  sessionEnd(ctx) {
    const s = ctx.session;
    // the server's own close, before any of the client: a client that closed or reset first cut the
    // reply itself (and a server closing after it may be answering that)
    // (without the client's packets, whether it closed first cannot be told)
    if (s.limits.some((l) => l.kind === "no-client-bytes")) return;
    const closed = s.close.server !== null && (s.close.client === null || s.close.server.frame < s.close.client.frame) ? s.close.server : null;
    if (!closed) return; // the capture just ended, or the client left first: nothing proves the server stopped mid-reply
    for (let ix = 0; ix < ctx.conversation.replies.length; ix++) {
      const r = ctx.conversation.replies[ix];
      if (r.abandoned) continue;
      if (r.complete || r.afterStartTls) continue;
      const last = r.lineInfo[r.lineInfo.length - 1];
      // a reply the capture cut (a server gap right after its last line) is not known to be open
      if (!last || r.lineInfo.some((l) => l.gap) || s.gaps.some((g) => g.side === "server" && g.offset >= r.start && g.offset <= r.end)) continue;
      // inside TLS, the rest of the reply may be in server records the capture lost or could not decrypt
      if (r.inTls && s.tls?.facts !== undefined && unreadFrom(s.tls.facts, "server") !== null) continue;
      // the server's last sequence number is not in the capture: a FIN, or the reply's last byte
      if (s.limits.some((l) => l.kind === "fin-not-captured" && l.side === "server")) continue;
      const why = last.terminator === "none" ? `its last line ${q(last.text)} has no CRLF` : `the last line ${q(last.text)} announces more lines`;
      ctx.report({ frames: [...r.frames, closed.frame], time: closed.time, message: `the connection was closed (${closed.kind.toUpperCase()}, frame ${closed.frame}) while a reply was open: ${why}`, evidence: `reply of ${r.lineInfo.length} lines at ${streamSpan(ctx.session, "server", r.start, r.end, r.inTls)}` });
    }
  },
});
