import { defineRule } from "./define.js";
import type { RuleContext } from "./types.js";
import { cmdLabel, ms } from "./util.js";
import type { Command } from "../smtp/model.js";

/** RFC 5321 §4.5.3.2 minimum client timeouts, seconds. */
const PHASE: Record<string, number> = { greeting: 300, MAIL: 300, RCPT: 300, DATA: 120, message: 600 };
/** Shorter waits are aborts for some other reason, not timeouts. */
const MIN_WAIT = 1;

export default defineRule({
  id: "client-timeout-too-short",
  title: "Client gave up waiting sooner than RFC 5321's minimum",
  severity: "warning",
  side: "client",
  traits: ["not-caused"],
  reference: "RFC 5321 §4.5.3.2",
  quote: "Based on extensive experience with busy mail-relay hosts, the minimum per-command timeout values SHOULD be as follows:",
  meaning: "While waiting for the greeting or for the reply to MAIL, RCPT, DATA or the end of the message, the client closed the connection (FIN or RST) or sent QUIT after at least a second but less than that phase's minimum (greeting, MAIL, RCPT: 5 minutes; DATA: 2 minutes; end of data: 10 minutes).",
  why: "Busy or tarpitting servers legitimately take that long; a client that gives up early retries, and after the end of data it may deliver the message twice.",
  fix: "Use at least the RFC 5321 §4.5.3.2 timeouts.",
  plaintext: true,
  pairing: true,
}, {
  sessionEnd(ctx) {
    // the client waited for something: the greeting, or a command's reply
    if (ctx.conversation.greeting !== null && ctx.conversation.exchanges.every((e) => e.first !== undefined)) return;
    whole(ctx);
  },
});

/** What the client was waiting for when it gave up, and how long it waited. */
function whole(ctx: RuleContext): void {
  const s = ctx.session;
  const exs = ctx.conversation.exchanges;
  const close = s.close.client;
  const serverClose = s.close.server;
  const greeting = ctx.conversation.greeting;
  // what the client was waiting for when it gave up: the greeting, or the last command without a reply
  let waited: { label: string; since: number; frame: number; limit: number } | null = null;
  if (!greeting && s.sawSyn) {
    waited = { label: "the greeting", since: s.startTime, frame: s.firstFrame, limit: PHASE.greeting };
  } else {
    let open: Command | undefined;
    for (let i = exs.length - 1; i >= 0 && open === undefined; i--) {
      const c = exs[i].command;
      if (exs[i].first === undefined && c.verb !== "QUIT" && !c.afterStartTls) open = c;
    }
    const phase = open ? PHASE[open.kind === "message" ? "message" : open.verb] : undefined;
    if (open && phase !== undefined && open.segments.length > 0) {
      const later = ctx.conversation.replies.some((r) => r.firstTime > open.time);
      if (!later) waited = { label: cmdLabel(open), since: open.segments[open.segments.length - 1].time, frame: open.frames[open.frames.length - 1], limit: phase };
    }
  }
  if (!waited) return;
  if (s.tls && !s.tls.decrypted) return; // after STARTTLS was accepted the exchange is encrypted (or no longer SMTP), unless the capture holds it decrypted
  const quit = exs.find((e) => e.command.verb === "QUIT" && e.command.time > waited!.since)?.command;
  const gaveUp = quit ? { time: quit.time, frame: quit.frames[0], how: "sent QUIT" } : close ? { time: close.time, frame: close.frame, how: close.kind === "rst" ? "reset the connection" : "closed the connection" } : null;
  if (!gaveUp) return;
  if (serverClose && serverClose.time <= gaveUp.time) return; // the server left first
  const wait = gaveUp.time - waited.since;
  if (wait < MIN_WAIT || wait >= waited.limit) return;
  ctx.report({ frames: [waited.frame, gaveUp.frame], time: gaveUp.time, message: `the client ${gaveUp.how} after waiting ${ms(wait)} for the reply to ${waited.label}; RFC 5321 asks clients to wait at least ${waited.limit / 60} minutes in this phase`, evidence: `waiting since ${waited.since.toFixed(3)} s (frame ${waited.frame}), gave up at ${gaveUp.time.toFixed(3)} s (frame ${gaveUp.frame})` });
}
