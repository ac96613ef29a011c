import { defineRule } from "./define.js";
import { cmdLabel, ms } from "./util.js";

const IDLE_TIMEOUT = 300; // RFC 5321 §4.5.3.2.7: at least 5 minutes

export default defineRule({
  id: "connection-close-violation",
  title: "Connection closed without the QUIT/221 exchange",
  severity: "warning",
  side: "server",
  traits: ["not-caused"],
  reference: "RFC 5321 §3.8; §4.1.1.10",
  quote: "An SMTP server MUST NOT intentionally close the connection under normal operational circumstances (see Section 7.8) except: …",
  quoteFor: {
    client: { reference: "RFC 5321 §4.1.1.10", quote: "The sender MUST NOT intentionally close the transmission channel until it sends a QUIT command, and it SHOULD wait until it receives the reply (even if there was an error response to a previous command)." },
  },
  meaning: "The server closed first (FIN or RST) without a 221 or 421 and not after 5 minutes of client silence — an error after RSET, an unknown command or inside a mail transaction, else a warning (info right after a 5yz reply, §7.8); or the client closed without QUIT (warning), or right after QUIT before the 221 (info).",
  why: "A server that hangs up mid-dialogue makes clients retry and duplicate; a client that drops the connection leaves the server guessing whether the message was meant to be sent.",
  fix: "Servers: answer QUIT with 221, time out only after 5 minutes, shut down with 421. Clients: end with QUIT and wait for the 221.",
  plaintext: true,
  pairing: true,
}, (ctx) => {
  const s = ctx.session;
  // the end of the dialogue is not visible, or a side's close is not in the capture (its FIN only acknowledged)
  if ((s.tls !== null && !s.tls.decrypted) || !s.sawSyn || s.gaps.length > 0 || s.limits.some((l) => l.kind === "fin-not-captured")) return;
  const server = s.close.server, client = s.close.client;
  const first = server && (!client || server.frame < client.frame) ? "server" : client ? "client" : null;
  if (first === null) return;
  const conv = ctx.conversation;
  const exs = conv.exchanges;
  const closing = conv.replies.some((r) => r.code === 221 || r.code === 421);
  if (first === "server" && closing) return; // the usual end: 221 (or 421), then the server closes
  const cmds = exs.filter((e) => e.command.kind === "command");
  const quit = cmds.find((e) => e.command.verb === "QUIT");
  if (first === "server") {
    const lastClient = exs.length ? exs[exs.length - 1].command.time : s.startTime;
    if (server!.time - lastClient >= IDLE_TIMEOUT) return;
    const before = cmds.filter((e) => (e.command.frames[0] ?? 0) < server!.frame);
    const lastEx = before.length > 0 ? before[before.length - 1] : undefined;
    const last = lastEx?.command;
    // RFC 5321 §7.8: a server may give up on a client after permanent failures
    const replies = conv.replies.filter((r) => !r.greeting && r.code !== null && (r.frames[0] ?? 0) < server!.frame);
    const all5yz = replies.length > 0 && replies[replies.length - 1].code! >= 500;
    // a transaction was in progress at the last command: not concluded (message answered, RSET, …) before the close
    const tx = lastEx?.transaction ?? null;
    const end = tx?.end ?? null;
    const mailOpen = tx !== null && !(end !== null && (end.command.frames[0] ?? Infinity) < server!.frame && (end.kind !== "message" || exs[end.command.index].first !== undefined));
    const afterQuit = last !== undefined && last.verb === "QUIT";
    const severe = !afterQuit && last !== undefined && (last.verb === "RSET" || mailOpen || lastEx?.first?.code === 500);
    ctx.report({
      severity: all5yz ? "info" : severe ? "error" : "warning",
      side: "server",
      frames: [server!.frame, ...(last ? last.frames.slice(0, 1) : [])],
      time: server!.time,
      message: `the server closed the connection (${server!.kind.toUpperCase()}, frame ${server!.frame}) without a 221 or 421${last ? `, ${ms(server!.time - last.time)} after ${cmdLabel(last)}` : ""}${all5yz ? "; the last reply was a 5yz (RFC 5321 §7.8 lets a server give up on a misbehaving client)" : ""}`,
      evidence: `${cmds.length} commands, no QUIT answered`,
    });
    return;
  }
  if (!quit) {
    ctx.report({ side: "client", frames: [client!.frame], time: client!.time, message: `the client closed the connection (${client!.kind.toUpperCase()}, frame ${client!.frame}) without sending QUIT`, evidence: `${cmds.length} commands sent` });
  } else if (!closing && quit.first === undefined) {
    ctx.report({ side: "client", severity: "info", frames: [quit.command.frames[0], client!.frame], time: client!.time, message: `the client closed the connection (frame ${client!.frame}) right after QUIT, before the 221 arrived`, evidence: `QUIT in frame ${quit.command.frames[0]}` });
  }
});
