import { defineRule } from "./define.js";
import type { Command } from "../smtp/model.js";
import { ms, q } from "./util.js";

/** RFC 5321 §4.5.3.2.7, seconds. */
const SERVER_TIMEOUT = 300;
/** A close sooner than this after the last exchange is a reaction, not an idle timeout. */
const MIN_IDLE = 5;

export default defineRule({
  id: "server-idle-timeout-too-short",
  title: "Server timed out an idle client sooner than 5 minutes",
  severity: "warning",
  side: "server",
  traits: ["not-caused"],
  reference: "RFC 5321 §4.5.3.2.7",
  quote: "An SMTP server SHOULD have a timeout of at least 5 minutes while it is awaiting the next command from the sender.",
  meaning: "With every command answered, the client silent, the server closed the connection (FIN or RST) or sent an unprompted 421 after at least 5 seconds but less than 5 minutes of silence.",
  why: "Clients that pause (looking up the next message, waiting on their own queue) lose the connection and must reconnect; some report it as a delivery failure.",
  fix: "Wait at least 5 minutes for the next command (Postfix smtpd_timeout, Exchange connection timeout).",
  plaintext: true,
  pairing: true,
}, (ctx) => {
  const s = ctx.session;
  const close = s.close.server;
  const conv = ctx.conversation;
  const unprompted = conv.unpairedReplies.find((r) => r.code === 421 && r.complete);
  const end = unprompted ? { time: unprompted.firstTime, frame: unprompted.frames[0], how: `sent ${q(unprompted.lines[0] ?? "", 50)}` } : close ? { time: close.time, frame: close.frame, how: close.kind === "rst" ? "reset the connection" : "closed the connection" } : null;
  if (!end) return;
  if (s.tls && !s.tls.decrypted && s.tls.time <= end.time) return; // encrypted by then (unless the capture holds it decrypted): the commands are invisible
  if (s.close.client && s.close.client.time <= end.time) return; // the client left first
  let last: Command | undefined; // the client's last command before the end
  for (const ex of conv.exchanges) {
    const c = ex.command;
    if (!(c.time < end.time)) continue;
    if (ex.first === undefined || c.verb === "QUIT") return; // something was outstanding, or the client said goodbye
    last = c;
  }
  const lastClient = last ? last.segments.at(-1)?.time ?? last.time : s.startTime;
  let lastServer = s.startTime;
  for (const r of conv.replies) if (r.lastTime < end.time && r !== unprompted && r.lastTime > lastServer) lastServer = r.lastTime;
  // the idle time is measured on a clock that ran forward: the exchange latest in capture order
  // must be the latest in time too (a timestamp that went back would lengthen the pause)
  let latestFrame = -1, latestFrameTime = -Infinity, latestTime = -Infinity;
  const seen = (frame: number | undefined, time: number) => {
    if (frame === undefined || frame >= end.frame) return;
    if (frame > latestFrame) { latestFrame = frame; latestFrameTime = time; }
    if (time > latestTime) latestTime = time;
  };
  for (const r of conv.replies) if (r !== unprompted) seen(r.frames.at(-1), r.lastTime);
  for (const ex of conv.exchanges) seen(ex.command.frames.at(-1), ex.command.segments.at(-1)?.time ?? ex.command.time);
  if (latestFrameTime < latestTime) return;
  const idle = end.time - Math.max(lastClient, lastServer);
  if (idle < MIN_IDLE || idle >= SERVER_TIMEOUT) return;
  ctx.report({ frames: [end.frame], time: end.time, message: `the server ${end.how} after the client had been idle for ${ms(idle)}, with nothing outstanding; RFC 5321 asks servers to wait at least 5 minutes`, evidence: `last exchange ended at ${Math.max(lastClient, lastServer).toFixed(3)} s` });
});
