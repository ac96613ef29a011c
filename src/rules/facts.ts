import type { Command, Reply, Session } from "../smtp/model.js";
import { afterGap, linesCovered, sentBeforeEnd, type Knowledge } from "./util.js";

/** Service extensions from one EHLO reply: keyword (upper case) → parameters. */
export interface Caps {
  keywords: Map<string, string>;
  /** index of the EHLO/HELO command */
  command: number;
  reply: Reply;
  helo: boolean;
}

/** A command the client sent before the reply it had to wait for was complete. */
/** The client had at least one complete `NNN-` line of a multi-line reply, not its end. */
export function partialMultiline(e: EarlyCommand): boolean {
  return e.reply.lineInfo[0]?.sep === "-" && e.linesHad >= 1;
}

export interface EarlyCommand {
  cmd: Command;
  /** the command whose reply was outstanding; null for the greeting */
  prev: Command | null;
  reply: Reply;
  by: Knowledge;
  /** the relative seq the client had acknowledged when it sent cmd */
  acked: number | null;
  /** complete lines of `reply` the client had received */
  linesHad: number;
  /** PIPELINING was in an EHLO reply the client had fully received */
  pipelining: boolean;
}

export interface Facts {
  /** the capability set in effect when command `i` was sent (null: no EHLO/HELO answered yet in view) */
  caps: (Caps | null)[];
  early: EarlyCommand[];
  greeting: Reply | null;
}

const cache = new WeakMap<Session, Facts>();

export function parseCaps(reply: Reply, command: number, helo: boolean): Caps {
  const keywords = new Map<string, string>();
  if (!helo) {
    for (const line of reply.lines.slice(1)) {
      const text = line.slice(4).trim();
      if (!text) continue;
      const sp = text.indexOf(" ");
      const kw = (sp < 0 ? text : text.slice(0, sp)).toUpperCase();
      if (!keywords.has(kw)) keywords.set(kw, sp < 0 ? "" : text.slice(sp + 1).trim());
    }
  }
  return { keywords, command, reply, helo };
}

/** Commands that may be followed by another command before their reply (RFC 2920 §3.1, RFC 3030, RFC 4954 §4). */
export function pipelinable(c: Command): boolean {
  if (c.kind === "message") return true;
  if (c.kind !== "command") return false;
  if (c.verb === "RSET" || c.verb === "MAIL" || c.verb === "RCPT" || c.verb === "BDAT") return true;
  if (c.verb === "AUTH") {
    const [mech, ir] = c.line.split(" ").slice(1);
    return ir !== undefined && ["PLAIN", "EXTERNAL"].includes((mech ?? "").toUpperCase());
  }
  return false;
}

export function factsOf(s: Session): Facts {
  const hit = cache.get(s);
  if (hit) return hit;
  const greeting = s.replies.find((r) => r.greeting) ?? null;
  const caps: (Caps | null)[] = [];
  let current: Caps | null = null;
  const early: EarlyCommand[] = [];
  for (let i = 0; i < s.commands.length; i++) {
    const cmd = s.commands[i];
    caps.push(current);
    const prev = i > 0 ? s.commands[i - 1] : null;
    const reply = prev ? (prev.replies.length ? s.replies[prev.replies[0]] : undefined) : greeting ?? undefined;
    if (reply && !cmd.afterStartTls && !afterGap(s, Math.max(cmd.frames[0] ?? 0, reply.frames[reply.frames.length - 1] ?? 0))) {
      const w = sentBeforeEnd(s, cmd, reply);
      if (w && w.before) {
        const pip = current !== null && current.keywords.has("PIPELINING") && knewAt(s, cmd, current.reply);
        early.push({ cmd, prev, reply, by: w.by, acked: w.acked, linesHad: w.acked === null ? 0 : linesCovered(s, reply, w.acked), pipelining: pip });
      }
    }
    if (cmd.kind === "command" && (cmd.verb === "EHLO" || cmd.verb === "HELO")) {
      const r = cmd.replies.length ? s.replies[cmd.replies[0]] : undefined;
      if (r && r.complete && r.code !== null && r.code >= 200 && r.code < 300) current = parseCaps(r, i, cmd.verb === "HELO");
    }
  }
  const f: Facts = { caps, early, greeting };
  cache.set(s, f);
  return f;
}

/** Had the client received all of `reply` when it sent `cmd` (ACK proof, else timestamps)? */
export function knewAt(s: Session, cmd: Command, reply: Reply): boolean {
  const w = sentBeforeEnd(s, cmd, reply);
  return w !== null && !w.before;
}
