import { defineRule } from "./define.js";
import { ms, q } from "./util.js";

/** A server may give up on a silent client: RFC 5321 §4.5.3.2.7 (server timeout, 5 minutes). */
const SERVER_TIMEOUT = 300;

export default defineRule({
  id: "server-close-after-554-greeting",
  title: "Server with a 554 greeting closed before QUIT",
  severity: "error",
  side: "server",
  reference: "RFC 5321 §3.1",
  quote: "A server taking this approach MUST still wait for the client to send a QUIT (see Section 4.1.1.10) before closing the connection and SHOULD respond to any intervening commands with \"503 bad sequence of commands\".",
  meaning: "After a 554 greeting the server closed the connection before it had answered a QUIT with 221 (error; not after five idle minutes), or answered commands other than QUIT with something other than 503 (warning). A 521 greeting may close at once (RFC 7504 §3).",
  why: "A client that sees the connection drop cannot tell a refusal from a network failure and retries; the 554 then 503s let it log the refusal and stop.",
  fix: "After a 554 greeting, answer 503 to every command but QUIT, and close after replying 221 to QUIT.",
  plaintext: true,
  pairing: true,
}, {
  sessionEnd(ctx) {
    const s = ctx.session;
    const g = ctx.conversation.greeting;
    if (!g || g.code !== 554 || !g.complete) return;
    const exs = ctx.conversation.exchanges;
    const wrong = exs.filter(({ command: c, final: r }) => c.kind === "command" && c.verb !== "QUIT" && r !== undefined && r.complete && r.code !== 503);
    if (wrong.length > 0) {
      const c = wrong[0].command;
      const r = wrong[0].final!;
      ctx.report({ severity: "warning", frames: [...g.frames, ...c.frames, ...r.frames], time: r.firstTime, message: `after its 554 greeting the server answered ${q(c.line, 40)} with ${q(r.lines[0] ?? "", 40)}, not 503${wrong.length > 1 ? ` (and ${wrong.length - 1} more)` : ""}`, evidence: `greeting ${q(g.lines[0] ?? "", 60)}` });
    }
    const close = s.close.server;
    if (!close) return;
    const client = s.close.client;
    if (client && client.frame < close.frame) return; // the client left first
    const quit = exs.find(({ command: c }) => c.kind === "command" && c.verb === "QUIT" && ctx.conversation.repliesOf(c.index).some((r) => r.code === 221));
    if (quit) return;
    const lastClient = exs.length ? exs[exs.length - 1].command.time : g.lastTime;
    if (close.time - Math.max(lastClient, g.lastTime) >= SERVER_TIMEOUT) return;
    ctx.report({ frames: [...g.frames, close.frame], time: close.time, message: `after its 554 greeting the server closed the connection (${close.kind.toUpperCase()}, ${ms(close.time - g.lastTime)} after the greeting) without waiting for QUIT`, evidence: `greeting ${q(g.lines[0] ?? "", 60)}; server ${close.kind.toUpperCase()} in frame ${close.frame}` });
  },
});
