import { defineRule } from "./define.js";
import type { Session } from "../smtp/model.js";
import { ms, q } from "./util.js";

/** A greeting later than this after the connection is reported. */
const GREETING_DELAY = 5;
/** A pause inside a multi-line greeting this long is the postscreen-style teaser. */
const TEASER_GAP = 1;

export default defineRule({
  id: "greeting-delay",
  title: "Greeting delayed",
  severity: "info",
  side: "server",
  traits: ["not-caused"],
  reference: "RFC 5321 §4.5.3.2.1",
  quote: "Many SMTP servers accept a TCP connection but delay delivery of the 220 message until their system load permits more mail to be processed.",
  meaning: "The greeting's first octet came 5 s or more after the connection was set up: after the server's SYN/ACK (not the client's first SYN, which may have been retransmitted), or through a SOCKS or HTTP CONNECT tunnel after the proxy's reply that opened the path; or a `220-` line came first and the rest of the greeting a second or more later (greeting-teaser: Postfix postscreen waits 6 s, 2 s under stress, to catch clients that talk first).",
  why: "Legal, but clients with short greeting timeouts give up, and a client that talks during the pause is reported as an early talker.",
  fix: "Nothing to fix on the server if it is deliberate; clients must wait at least 5 minutes for the greeting.",
  plaintext: true,
}, (ctx) => {
  const s = ctx.session;
  const g = ctx.conversation.greeting;
  if (!g) return;
  const from = openedAt(s, g.start);
  const delay = from === null ? 0 : g.firstTime - from.time;
  if (from !== null && delay >= GREETING_DELAY) ctx.report({ frames: [from.frame, g.segments[0]?.frame ?? g.frames[0]], time: g.firstTime, message: `the greeting began ${ms(delay)} after ${from.what}`, evidence: `${from.what} in frame ${from.frame} at ${from.time.toFixed(3)} s, greeting at ${g.firstTime.toFixed(3)} s` });
  const first = g.lineInfo[0];
  if (g.lineInfo.length > 1 && first.sep === "-") {
    const next = g.lineInfo[1];
    const gap = next.time - first.time;
    if (next.frame !== first.frame && gap >= TEASER_GAP) ctx.report({ frames: [first.frame, next.frame], time: next.time, message: `the greeting's first line ${q(first.text, 50)} came ${ms(gap)} before the rest (a greeting teaser, as Postfix postscreen sends)`, evidence: `frames ${first.frame} and ${next.frame}` });
  }
});

/**
 * Where the server's wait for the greeting starts: its SYN/ACK (not the client's first SYN, which
 * may have been retransmitted for seconds before the server answered); through a tunnel, the
 * proxy's reply that opened the path to the server. Null when the capture does not show it: no
 * SYN/ACK, or server bytes before the greeting (a tunnel's replies) without the tunnel's reply time.
 */
function openedAt(s: Session, greetingStart: number): { frame: number; time: number; what: string } | null {
  if (s.tunnel !== undefined) {
    const { replyFrame, replyTime, kind } = s.tunnel;
    if (replyFrame === null || replyTime === null) return null;
    return { frame: replyFrame, time: replyTime, what: kind === "http-connect" ? "the proxy's reply to HTTP CONNECT" : "the SOCKS proxy's CONNECT reply" };
  }
  if (greetingStart > 0 || !s.sawSyn) return null;
  const synAck = s.tcp?.server.handshake;
  return synAck ? { frame: synAck.frame, time: synAck.time, what: "the server's SYN/ACK" } : null;
}
