import { clip, escapeText } from "../text/escape.js";
import type { Command, Line, Reply, Session } from "../smtp/model.js";
import { unreadFrom } from "../tls/describe.js";
import { replyEndSeq, type EarlyCommand, type Knowledge } from "../smtp/conversation.js";

/** Wireshark display filter for the frames of a finding. */
export function filterFor(stream: number, frames: number[]): string {
  if (frames.length === 0) return `tcp.stream eq ${stream}`;
  return `tcp.stream eq ${stream} && frame.number in {${frames.join(",")}}`;
}

/** Safe, short quotation of capture text. */
export function q(text: string, max = 80): string {
  return "`" + clip(escapeText(text), max) + "`";
}

export function ms(seconds: number): string {
  const v = seconds * 1000;
  if (v >= 10000) return `${(v / 1000).toFixed(1)} s`;
  return v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`;
}

/** A command as shown in messages: its line (already redacted), or the message summary. */
export function cmdLabel(c: Command): string {
  if (c.kind === "message") return "the message content";
  if (c.kind === "auth-response") return "an AUTH response line";
  return q(c.line, 60);
}

export function replyLabel(r: Reply | null): string {
  if (r === null) return "any reply";
  const n = r.lineInfo.length + r.linesDropped;
  return n > 1 ? `the ${r.code ?? "?"} reply (${n} lines)` : `the reply ${q(r.lines[0] ?? "", 60)}`;
}

export { linesCovered, replyEndSeq, sentBeforeEnd, type Knowledge } from "../smtp/conversation.js";

/**
 * "client frame 9 acknowledged server seq 97; the reply's final line ends at seq 237 (frame 11)".
 * `prev`: the command sent before `cmd` (EarlyCommand.prev), named when no reply ever arrived.
 */
export function ackEvidence(s: Session, cmd: Command, reply: Reply | null, by: Knowledge, acked: number | null, prev: Command | null = null): string {
  if (reply === null) {
    return by === "segment" && prev
      ? `client frame ${cmd.frames[0]} carried the end of ${cmdLabel(prev)} and the start of ${cmdLabel(cmd)}: both were written at once, and no reply to the first ever arrived`
      : `client frame ${cmd.frames[0]} carried ack ${acked ?? "(none)"}: the client had received no server byte, and the capture holds no greeting`;
  }
  const last = reply.segments[reply.segments.length - 1];
  const end = replyEndSeq(s, reply);
  // inside a decrypted TLS phase the numbers are plaintext offsets (what the TCP ACK's whole records hold), not tcp.ack/tcp.seq
  const tls = cmd.inTls === true;
  const ackOf = (a: number | null) => (tls ? `ack ${a ?? "(none)"} in the TLS plaintext (the server records its TCP ACK covers)` : `ack ${a ?? "(none)"}`);
  const seq = tls ? "plaintext seq" : "seq";
  const bytes = tls ? "the server's plaintext" : "server bytes";
  if (reply.abandoned) {
    return `client frame ${cmd.frames[0]} carried ${ackOf(acked)}; the reply (last line in frame ${reply.segments[reply.segments.length - 1]?.frame ?? "?"}) never got its final line: the next reply began with another code`;
  }
  if (!reply.complete) {
    return `client frame ${cmd.frames[0]} carried ${ackOf(acked)}: it had received ${bytes} up to seq ${acked}; the capture holds the reply up to ${seq} ${end} (frame ${last?.frame}) and no final line of it: the final line is not in the capture, and the client had not received it`;
  }
  if (by === "ack") {
    return `client frame ${cmd.frames[0]} carried ${ackOf(acked)}: it had received ${bytes} up to seq ${acked}; the reply's final line ends at ${seq} ${end} (frame ${last?.frame}, ${ms(reply.lastTime - cmd.time)} later in the capture)`;
  }
  return `by capture timestamps (the segment carried no ACK): client frame ${cmd.frames[0]} at ${cmd.time.toFixed(6)} s, the reply's final line in frame ${last?.frame} at ${reply.lastTime.toFixed(6)} s`;
}

/** The frames an early-command finding shows: the command's first and the awaited reply's. */
export function earlyFrames(e: EarlyCommand): number[] {
  return [e.cmd.frames[0], ...(e.reply?.frames ?? [])];
}

/**
 * The client's plaintext after STARTTLS, split by when it was sent: before the 220 had arrived (in
 * the STARTTLS segment or group: starttls-command-injection) or in a later segment after the 220
 * had arrived (plaintext-after-starttls-accepted). `c` is a command sent after STARTTLS.
 */
export function afterStartTlsCase(s: Session, starttls: Command, reply: Reply | undefined, c: Command): { early: boolean; ack: number | null; endSeq: number | null } {
  const ack = c.segments[0]?.ack ?? null;
  const endSeq = reply ? replyEndSeq(s, reply) : null;
  // in the segment that carried STARTTLS's end, it was written together with STARTTLS
  const sameSegment = starttls.segments.length > 0 && c.frames[0] === starttls.segments[starttls.segments.length - 1].frame;
  const early = sameSegment || endSeq === null || (ack !== null ? ack < endSeq : c.time < reply!.lastTime);
  return { early, ack, endSeq };
}

/**
 * A greeting masked with asterisks (`220 ****…`, the mark of ESMTP inspection of the Cisco ASA/PIX
 * kind): at least 5 asterisks, and at least half of the text after the reply codes. Null otherwise.
 */
export function maskedBanner(lines: readonly string[]): { stars: number; length: number } | null {
  const text = lines.map((l) => l.slice(4)).join("");
  if (!text.includes("**")) return null;
  const stars = text.split("*").length - 1;
  return stars >= 5 && stars * 2 >= text.replace(/\s/g, "").length ? { stars, length: text.length } : null;
}

/**
 * Where octets [start, end) of one side's stream lie, in Wireshark's terms: the relative sequence
 * numbers of the first and the last octet (as the text report's GAP lines give them; tcp.seq of
 * the first segment, tcp.nextseq − 1 of the last); inside a decrypted TLS phase the same numbering
 * of the plaintext ("TLS plaintext seq", as the timeline's segments and `[ack N in the TLS plaintext]`).
 */
export function streamSpan(s: Session, side: "client" | "server", start: number, end: number, inTls?: boolean): string {
  const base = s.sawSyn ? 1 : 0;
  return `${side} ${inTls ? "TLS plaintext seq" : "seq"} ${start + base}..${end + base - 1}`;
}

/**
 * Whether a line's bare CR is proven: one inside the line always is; a CR that is the line's last
 * octet, with no LF after it, only when the side's stream provably ends there (the side closed,
 * by FIN or by an RST at the next expected sequence number, and the capture lacks none of the
 * side's bytes after the line, nor a FIN or byte acknowledged beyond them). Otherwise the LF may
 * have followed in a segment the capture does not hold.
 */
export function bareCrProven(s: Session, side: "client" | "server", l: Line, inTls: boolean): boolean {
  if (!l.bareCr) return false;
  if (l.terminator !== "none" || l.text.includes("\r")) return true;
  const close = s.close[side];
  if (close === null || (close.kind === "rst" && (close.rstSeq === undefined || close.rstSeq.seq !== close.rstSeq.expected))) return false;
  // TCP offsets of lost bytes cannot be compared with plaintext offsets inside TLS: any loss counts
  for (const g of s.gaps) if (g.side === side && (inTls || g.offset + g.bytes > l.end)) return false;
  for (const lim of s.limits) if (lim.kind === "fin-not-captured" && lim.side === side) return false;
  return !(inTls && s.tls?.facts !== undefined && unreadFrom(s.tls.facts, side) !== null);
}

/** The command's line was cut short by the capture (a gap, or the end of what it holds): its rest is unknown. */
export function lineCut(c: Command): boolean {
  return c.lineInfo !== null && c.lineInfo.gap;
}
