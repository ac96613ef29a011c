import { defineRule } from "./define.js";
import type { RuleContext } from "./types.js";

const FAILED = new Set([535, 534, 454]);

export default defineRule({
  id: "auth-lockout-too-early",
  title: "Connection dropped after fewer than 3 failed AUTH attempts",
  severity: "warning",
  side: "server",
  reference: "RFC 4954 §9",
  quote: "If they do so, they SHOULD NOT drop the connection until at least 3 attempts to authenticate have failed.",
  meaning: "The server closed the connection (FIN, RST or 421) after one or two failed AUTH attempts (535, 534, 454), with no successful one.",
  why: "A user who mistyped a password once is cut off; clients report a connection error instead of a wrong password.",
  fix: "Allow at least three failed attempts before closing.",
  plaintext: true,
  pairing: true,
}, {
  // an AUTH command or a SASL response: the whole session's AUTH attempts are judged once
  exchange: {
    verbs: ["AUTH"],
    kinds: ["auth-response"],
    visit(_ex, ctx) {
      whole(ctx);
      return "stop";
    },
  },
});

/** The session's failed AUTH attempts, and how the server ended them. */
function whole(ctx: RuleContext): void {
  const s = ctx.session;
  const conv = ctx.conversation;
  const fails: number[] = [];
  let authed = false;
  for (const ex of conv.exchanges) {
    const c = ex.command;
    if (c.afterStartTls) return;
    if (c.verb !== "AUTH" && c.kind !== "auth-response") continue;
    const r = ex.final;
    if (!r || !r.complete) continue;
    if (r.code === 235) authed = true;
    if (r.code !== null && FAILED.has(r.code)) fails.push(...r.frames.slice(-1));
  }
  if (authed || fails.length === 0 || fails.length >= 3) return;
  const last = fails[fails.length - 1];
  const bye = conv.replies.find((r) => r.code === 421 && r.complete && (r.frames[0] ?? 0) > last);
  const close = s.close.server;
  const clientFirst = s.close.client && (!close || s.close.client.frame < close.frame);
  if (clientFirst && !bye) return;
  // a close after the client's QUIT is what the client asked for (RFC 5321 §4.1.1.10), not a lockout
  const quit = conv.exchanges.find((e) => e.command.verb === "QUIT" && (e.command.frames[0] ?? 0) > last)?.command;
  if (quit !== undefined && (!bye || (bye.frames[0] ?? 0) > (quit.frames[0] ?? 0))) return;
  const end = bye ? { frame: bye.frames[0], time: bye.firstTime, how: "sent 421" } : close ? { frame: close.frame, time: close.time, how: close.kind === "rst" ? "reset the connection" : "closed the connection" } : null;
  if (!end) return;
  ctx.report({ frames: [...fails, end.frame], time: end.time, message: `the server ${end.how} after ${fails.length} failed AUTH attempt${fails.length > 1 ? "s" : ""}; RFC 4954 asks for at least 3`, evidence: `failures in frames ${fails.join(", ")}` });
}
