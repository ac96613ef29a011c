/**
 * The conversation model: what the dialogue of one session means, computed once from the session
 * model and read by every rule. Exchanges (a command with its first and final reply, the
 * capabilities in force when it was sent, the phase), mail transactions with one definition of the
 * RFC 5321 §4.1.4 reset rules, the commands the client sent before the reply it had to wait for
 * (ACK proof), and trust: from the first capture gap on either side, pairing replies with commands
 * by counting is not trusted.
 */
import type { Command, Gap, Reply, Segment, Session } from "./model.js";
import { isPositive, outcomeOf, parseCapabilities, type Capabilities, type Outcome } from "./vocabulary.js";
import { tcpFactsOf, type TcpFacts } from "./tcp-facts.js";
import { unreadFrom } from "../tls/describe.js";

export type Phase = "pre-tls" | "tls" | "post-auth";

/** How a transaction ended (RFC 5321 §4.1.4, RFC 3030 §2, RFC 3207 §4.2). */
export type TransactionEndKind = "message" | "bdat-last" | "bdat-refused" | "rset" | "ehlo" | "helo" | "starttls" | "mail" | "quit";

export interface Transaction {
  index: number;
  mail: Command;
  /** the MAIL's final reply was positive (null: no complete reply in the capture) */
  mailAccepted: boolean | null;
  /** every RCPT sent in the transaction, in order */
  rcpts: Command[];
  /** RCPTs answered positively */
  accepted: Command[];
  /** RCPTs without a complete reply */
  unanswered: Command[];
  /** how the message was sent: DATA (answered 354, or followed by content) or BDAT */
  body: "DATA" | "BDAT" | null;
  /** DATA, message content and BDAT commands of the transaction */
  bodyCommands: Command[];
  /** MAIL carried BODY=BINARYMIME (RFC 3030 §3) */
  binary: boolean;
  /** null: still open when the capture ends */
  end: { kind: TransactionEndKind; command: Command } | null;
}

export interface Exchange {
  command: Command;
  /** the first reply paired with the command, and the one that concludes it (235 after 334s, say) */
  first: Reply | undefined;
  final: Reply | undefined;
  /** what the final reply says ("none": no complete reply) */
  outcome: Outcome;
  /** the EHLO/HELO capabilities in force when the command was sent: from the last EHLO or HELO
   * reply the client had fully received (ACK proof) by then, since the last accepted STARTTLS */
  caps: Capabilities | null;
  /** the server's view: the capabilities of the last EHLO/HELO it had accepted before this command
   * (whether or not the client had received that reply yet) */
  advertised: Capabilities | null;
  phase: Phase;
  /** sent inside TLS: after the STARTTLS 220, in the TLS phase of a decrypted capture (whatever
   * `phase` says after AUTH) */
  inTls: boolean;
  /** the transaction the command belongs to (MAIL, RCPT, DATA, BDAT, message content) or that was
   * in progress when it was sent; null outside a transaction */
  transaction: Transaction | null;
  /** the most recent transaction that had ended before this command, unless a RSET, EHLO, HELO,
   * STARTTLS or QUIT came after it (null: none) */
  previous: Transaction | null;
  /** the server's view before this command: a MAIL was accepted and the transaction not concluded */
  open: boolean;
  /** an EHLO or HELO was accepted (or went unanswered) before this command, since the last accepted STARTTLS */
  greeted: boolean;
  /** pairing of this command with its replies is trusted: no lost client bytes before it, no lost
   * server bytes before its replies (and it was answered, when the session has a gap), and so for
   * every command before it */
  trusted: boolean;
}

export type Knowledge = "ack" | "time" | "segment";

/** A command the client sent before the reply it had to wait for was complete (or ever arrived). */
export interface EarlyCommand {
  cmd: Command;
  /** the command whose reply was outstanding; null for the greeting */
  prev: Command | null;
  /** the awaited reply; null when it never arrived */
  reply: Reply | null;
  /** how it is known: the ACK field, capture timestamps, or the command shared a segment with the previous one */
  by: Knowledge;
  /** the relative seq the client had acknowledged when it sent cmd */
  acked: number | null;
  /** complete lines of `reply` the client had received */
  linesHad: number;
  /** PIPELINING was in force (an EHLO reply the client had fully received offered it) */
  pipelining: boolean;
}

export interface Conversation {
  /** one per command, same index, in the order the client sent them: exchange i's neighbours (the
   * command before and after it) are exchanges[i - 1] and exchanges[i + 1] */
  exchanges: Exchange[];
  /** every reply in the order the server sent it (RFC 5321 §4.2): the greeting, the replies paired
   * with commands (`Reply.command` is the index of their exchange) and those paired with none */
  replies: readonly Reply[];
  /** the replies no command asked for, in order (RFC 5321 §4.2: apart from the greeting, a reply
   * answers a command): unsolicited ones, a 421 before the close, plaintext after a STARTTLS 220 */
  unpairedReplies: readonly Reply[];
  /** every reply paired with exchange `i`'s command, in order: 334 challenges (RFC 4954 §4), then
   * the one that concludes it (first ... final) */
  repliesOf(i: number): readonly Reply[];
  /** the exchange whose command a reply answers (FIFO pairing); undefined for the greeting and the
   * unpaired replies */
  exchangeOf(r: Reply): Exchange | undefined;
  transactions: Transaction[];
  early: EarlyCommand[];
  greeting: Reply | null;
  /** replies no command asked for that the server sent after a message with a non-standard
   * end-of-data and hidden commands, before the client's next command: in the server's view they
   * answer the commands it found after the fake end (message index → reply indexes) */
  smuggledReplies: Map<number, number[]>;
  /** the first capture gap (by frame) on either side: pairing is not trusted from its frame on */
  untrustedFrom: Gap | null;
  /** the first frame from which a side's stream is not wholly known without a byte gap of the
   * session showing it: TLS records not read (a record that fails to decrypt: wrong key, damaged
   * capture; bytes lost inside TLS; bytes that are not TLS records), or an ACK covering a FIN (or
   * one byte) the capture lacks. Pairing is not trusted from it either */
  unreadFrom: number | null;
  /** a finding that shows these frames rests only on trusted pairing */
  trustedFrames(frames: number[]): boolean;
  /** the capabilities in force when command `i` was sent (the client's view) */
  capsAt(i: number): Capabilities | null;
  /** the capabilities the server had advertised when it processed command `i` (the server's view) */
  advertisedAt(i: number): Capabilities | null;
  /** ACKs, windows, handshake and TTLs from the TCP layer, read against the dialogue (tcp-facts.ts) */
  tcp: TcpFacts;
}

/**
 * The conversation of the session judged last. Sessions are judged one at a time, so one entry is
 * the whole cache; a WeakMap keyed by every session kept each conversation alive until a full
 * garbage collection (ephemerons survive the young-generation collector), a third more CPU for
 * the SMTP layer and ~40 MB of peak memory on a 200 MB capture.
 */
const NONE: readonly Reply[] = [];

let cachedSession: Session | null = null;
let cachedConversation: Conversation | null = null;

/** Server-stream position just after the reply's final line, as a relative seq. */
export function replyEndSeq(s: Session, r: Reply): number {
  return r.end + (s.sawSyn ? 1 : 0);
}

/**
 * Had the client received all of `reply` when it sent `cmd`? Proven from the ACK field of the
 * segment that carried the command's first octet (catalog §0); timestamps only when there is no ACK.
 * Returns null when the capture cannot decide.
 */
export function sentBeforeEnd(s: Session, cmd: Command, reply: Reply): { before: boolean; by: "ack" | "time"; acked: number | null } | null {
  const seg = cmd.segments[0];
  if (!seg) return null;
  // an abandoned reply never ended: whatever came after it came before its end
  if (reply.abandoned && seg.start >= 0 && seg.time >= reply.firstTime) return { before: true, by: seg.ack !== null ? "ack" : "time", acked: seg.ack };
  if (!reply.complete) return ackedBeforeOpenEnd(s, seg, reply) ? { before: true, by: "ack", acked: seg.ack } : null;
  const end = replyEndSeq(s, reply);
  if (seg.ack !== null) return { before: seg.ack < end, by: "ack", acked: seg.ack };
  return { before: seg.time < reply.lastTime, by: "time", acked: null };
}

/**
 * A reply whose final line is not in the capture (the capture ends, or the server closes, inside
 * it): the client sent `seg` before that final line when its ACK field shows it had received no
 * more than the captured bytes of the reply, none of which is a final line. Bytes acknowledged
 * beyond the capture are a gap (Session.gaps) and stop the proof: the final line may be among them.
 * Not after the server closed its side: the reply then ended without a final line.
 */
function ackedBeforeOpenEnd(s: Session, seg: Segment, reply: Reply): boolean {
  // after the server closed its side the reply is over without its final line (the server's fault)
  if (reply.abandoned || seg.ack === null || seg.start < 0 || (s.close.server !== null && s.close.server.frame < seg.frame)) return false;
  return seg.ack <= replyEndSeq(s, reply);
}

/**
 * The reply command `prev` waited for: its first paired reply; or, when none is paired with it, an
 * open reply (no final line) that no command claims, the session's last, begun after `prev` was
 * sent while every earlier command had its reply: by FIFO order it can only be `prev`'s.
 */
export function awaitedReply(s: Session, prev: Command): Reply | undefined {
  if (prev.replies.length > 0) return s.replies[prev.replies[0]];
  const r = s.replies[s.replies.length - 1];
  if (!r || r.complete || r.abandoned || r.greeting || r.command !== null || r.afterStartTls || prev.afterStartTls || r.firstTime < prev.time) return undefined;
  for (let k = 0; k < prev.index; k++) {
    const c = s.commands[k];
    if (!c.afterStartTls && c.replies.length === 0) return undefined;
  }
  return r;
}

/** Complete lines of `reply` the client had acknowledged, given an ACK seq. */
export function linesCovered(s: Session, reply: Reply, ackSeq: number): number {
  const base = s.sawSyn ? 1 : 0;
  let n = 0;
  for (let ix = 0; ix < reply.lineInfo.length; ix++) {
    const l = reply.lineInfo[ix];
    if (l.end + base <= ackSeq) n++;
    else break;
  }
  return n;
}

export function conversationOf(s: Session): Conversation {
  if (s === cachedSession && cachedConversation !== null) return cachedConversation;
  const conv = build(s);
  cachedSession = s;
  cachedConversation = conv;
  return conv;
}

/**
 * The conversation of one session. The capabilities, trust and transaction state are computed in
 * `build`; the TCP facts and the replies answering smuggled commands on first read (most sessions
 * pipeline nothing and smuggle nothing, and a rule may never ask). Methods, not per-session closures.
 */
class SessionConversation implements Conversation {
  readonly exchanges: Exchange[] = [];
  readonly transactions: Transaction[] = [];
  readonly early: EarlyCommand[] = [];
  private smuggled: Map<number, number[]> | null = null;
  private facts: TcpFacts | null = null;
  private unpaired: readonly Reply[] | null = null;

  constructor(private readonly s: Session, readonly greeting: Reply | null, readonly untrustedFrom: Gap | null, readonly unreadFrom: number | null,
    /** frames from this one on rest on pairing that is not trusted (Infinity: all trusted) */
    readonly limit: number) {}

  get replies(): readonly Reply[] {
    return this.s.replies;
  }

  get unpairedReplies(): readonly Reply[] {
    if (this.unpaired !== null) return this.unpaired;
    // most sessions have none: no list is made for them
    let out: Reply[] | null = null;
    const rs = this.s.replies;
    for (let ix = 0; ix < rs.length; ix++) if (rs[ix].command === null && !rs[ix].greeting) (out ??= []).push(rs[ix]);
    return (this.unpaired = out ?? NONE);
  }

  repliesOf(i: number): readonly Reply[] {
    const rs = this.s.commands[i]?.replies;
    if (rs === undefined || rs.length === 0) return NONE;
    // a reply past the timeline's cap (DissectOptions.maxItemsPerSession) is paired but not kept
    const all = this.s.replies;
    const out: Reply[] = [];
    for (let k = 0; k < rs.length; k++) {
      const r = all[rs[k]];
      if (r !== undefined) out.push(r);
    }
    return out;
  }

  exchangeOf(r: Reply): Exchange | undefined {
    return r.command === null ? undefined : this.exchanges[r.command];
  }

  get smuggledReplies(): Map<number, number[]> {
    return (this.smuggled ??= smuggledReplies(this.s));
  }

  get tcp(): TcpFacts {
    return (this.facts ??= this.tcpFacts());
  }

  trustedFrames(frames: number[]): boolean {
    for (let i = 0; i < frames.length; i++) if (!(frames[i] < this.limit)) return false;
    return true;
  }

  capsAt(i: number): Capabilities | null {
    return this.exchanges[i]?.caps ?? null;
  }

  advertisedAt(i: number): Capabilities | null {
    return this.exchanges[i]?.advertised ?? null;
  }

  private tcpFacts(): TcpFacts {
    const exchanges = this.exchanges;
    const pipelined: EarlyCommand[] = [];
    for (const e of this.early) if (e.pipelining) pipelined.push(e);
    // anyPipelining is only read when some command was pipelined
    let anyPipelining = false;
    if (pipelined.length > 0) for (const e of exchanges) if (e.advertised?.keywords.has("PIPELINING")) { anyPipelining = true; break; }
    return tcpFactsOf(this.s, {
      pipeliningOffered: (i) => exchanges[i]?.advertised?.keywords.has("PIPELINING") ?? false,
      trusted: (i) => exchanges[i]?.trusted ?? false,
      anyPipelining,
      pipelined,
    });
  }
}

/** The dialogue state while the commands are walked (RFC 5321 §4.1.4, RFC 3207 §4.2). */
class DialogueState {
  /** EHLO/HELO replies (positive, complete) since the last accepted STARTTLS, in order */
  offered: Capabilities[] = [];
  tx: Transaction | null = null;
  previous: Transaction | null = null;
  authed = false;
  greeted = false;

  end(kind: TransactionEndKind, command: Command): void {
    const tx = this.tx;
    // a reset with no transaction in progress also clears what the client's state referred to
    if (tx === null) {
      if (kind !== "message" && kind !== "mail") this.previous = null;
      return;
    }
    tx.end = { kind, command };
    this.previous = tx;
    this.tx = null;
  }
}

function build(s: Session): Conversation {
  let greeting: Reply | null = null;
  for (const r of s.replies) if (r.greeting) { greeting = r; break; }
  let untrustedFrom: Gap | null = null;
  for (const g of s.gaps) if (untrustedFrom === null || g.frame < untrustedFrom.frame) untrustedFrom = g;
  const unreadFrom = unreadStart(s);
  const limit = untrustedFrom === null && unreadFrom === null ? Infinity : trustLimit(s, unreadFrom ?? Infinity);
  const conv = new SessionConversation(s, greeting, untrustedFrom, unreadFrom, limit);
  const { exchanges, transactions, early } = conv;
  const st = new DialogueState();
  const gaps = s.gaps.length > 0;
  const tls = s.tls;
  let stillTrusted = true;

  for (let i = 0; i < s.commands.length; i++) {
    const cmd = s.commands[i];
    const rs = cmd.replies;
    const first = rs.length > 0 ? s.replies[rs[0]] : undefined;
    const final = rs.length > 0 ? s.replies[rs[rs.length - 1]] : undefined;
    const outcome = outcomeOf(final);
    const offered = st.offered;
    const caps = offered.length > 0 ? capsInForce(s, cmd, offered) : null;
    // the FIFO pairing of this command is trusted when no lost client bytes precede it and no lost
    // server bytes precede its replies; every later state depends on it, so trust never comes back
    if (stillTrusted && gaps) stillTrusted = pairedBeforeGaps(s, cmd);
    // past a decryption failure or a FIN not captured a reply (or command) may be among what was not read;
    // trustLimit() put the limit before the first command not answered before it
    if (stillTrusted && unreadFrom !== null) stillTrusted = (cmd.frames[0] ?? Infinity) < limit;
    const inTls = tls !== null && !cmd.afterStartTls && (cmd.frames[0] ?? 0) > tls.frame;
    const phase: Phase = st.authed ? "post-auth" : inTls ? "tls" : "pre-tls";
    const tx = st.tx;
    const open = tx !== null && tx.mailAccepted === true;
    const advertised = offered.length > 0 ? offered[offered.length - 1] : null;
    const ex: Exchange = { command: cmd, first, final, outcome, caps, advertised, phase, inTls, transaction: tx, previous: st.previous, open, greeted: st.greeted, trusted: stillTrusted };
    exchanges.push(ex);
    if (!cmd.afterStartTls) {
      const e = earlyFor(s, i, greeting, caps, limit);
      if (e !== null) early.push(e);
    }
    if (cmd.kind === "message") {
      if (tx !== null) {
        tx.body ??= "DATA";
        tx.bodyCommands.push(cmd);
      }
      st.end("message", cmd);
      continue;
    }
    // a command line the server took as a SASL response (takenAsAuthResponse) is one, in the server's view
    if (cmd.kind === "auth-response" || cmd.takenAsAuthResponse) {
      if (final?.code === 235) st.authed = true;
      continue;
    }
    if (cmd.kind !== "command" || cmd.afterStartTls) continue;
    apply(s, st, transactions, ex, i, outcome);
  }
  return conv;
}

/** What command `i` (a command line, in plaintext) does to the dialogue state. */
function apply(s: Session, st: DialogueState, transactions: Transaction[], ex: Exchange, i: number, outcome: Outcome): void {
  const cmd = ex.command, final = ex.final, tx = st.tx;
  switch (cmd.verb) {
    case "MAIL": {
      // a MAIL refused inside an open transaction (503 nested MAIL) leaves that transaction as it was
      if (ex.open && (outcome === "transient" || outcome === "permanent")) break;
      st.end("mail", cmd);
      const t: Transaction = {
        index: transactions.length, mail: cmd, mailAccepted: outcome === "none" ? null : outcome === "positive",
        rcpts: [], accepted: [], unanswered: [], body: null, bodyCommands: [], binary: /\sBODY=BINARYMIME\b/i.test(cmd.line), end: null,
      };
      st.tx = t;
      transactions.push(t);
      ex.transaction = t;
      break;
    }
    case "RCPT":
      if (tx !== null) {
        tx.rcpts.push(cmd);
        if (outcome === "positive") tx.accepted.push(cmd);
        else if (outcome === "none") tx.unanswered.push(cmd);
      }
      break;
    case "DATA":
      if (tx !== null) {
        tx.bodyCommands.push(cmd);
        const next = s.commands[i + 1];
        if (final?.code === 354 || (outcome === "none" && next?.kind === "message")) tx.body = "DATA";
      }
      break;
    case "BDAT":
      if (tx !== null) {
        tx.body = "BDAT";
        tx.bodyCommands.push(cmd);
        // a refused chunk fails the transaction (RFC 3030 §2); BDAT LAST concludes it
        if (cmd.bdat?.last && outcome !== "none") st.end("bdat-last", cmd);
        else if (cmd.bdat && (outcome === "transient" || outcome === "permanent")) st.end("bdat-refused", cmd);
      }
      break;
    // RSET: the server MUST accept a RSET without arguments (RFC 5321 §4.1.1.5), so an unanswered
    // one counts as done; a refused one (501 for arguments) leaves the transaction as it was
    case "RSET":
      if (outcome === "positive" || outcome === "none") st.end("rset", cmd);
      break;
    // an EHLO or HELO the server accepted resets the state exactly as RSET does (RFC 5321 §4.1.4);
    // a refused one leaves it as it was
    case "EHLO":
    case "HELO":
      if (outcome === "positive" || outcome === "none") st.end(cmd.verb === "EHLO" ? "ehlo" : "helo", cmd);
      if (outcome === "positive" && final) st.offered.push(parseCapabilities(final, i, cmd.verb === "HELO"));
      if (outcome === "positive" || outcome === "none") st.greeted = true;
      break;
    // RFC 3207 §4.2: both sides discard what they knew: transaction, capabilities, authentication
    case "STARTTLS":
      if (final?.code === 220) {
        st.end("starttls", cmd);
        st.offered = [];
        st.authed = false;
        st.greeted = false;
      }
      break;
    case "QUIT":
      st.end("quit", cmd);
      break;
    case "AUTH":
      if (final?.code === 235) st.authed = true;
      break;
    default:
      break;
  }
}

/**
 * The first frame from which pairing is not trusted (the session has a capture gap, or a side
 * was not wholly read from frame `unreadFrom` on: its limit to start with). Pairing is
 * not trusted from where lost bytes could matter, nor from the first command whose pairing reaches
 * past that point (its reply may be a later command's): every later state (transaction, phase,
 * capabilities) depends on that command's outcome. Lost bytes matter from the first captured
 * segment of their side that comes after them, and from the first segment in which the peer
 * acknowledges them (only then can the peer have answered or acted on them); what either side sent
 * before that cannot depend on them.
 */
function trustLimit(s: Session, unreadFrom: number): number {
  const base = s.sawSyn ? 1 : 0;
  let limit = unreadFrom;
  for (const g of s.gaps) {
    const own = g.side === "client" ? s.commands : s.replies;
    const peer = g.side === "client" ? s.replies : s.commands;
    for (const it of own) {
      if (it.start >= g.offset) {
        limit = Math.min(limit, it.segments[0]?.frame ?? g.frame);
        break;
      }
    }
    for (const it of peer) {
      const seg = it.segments.find((x) => x.ack !== null && x.ack > g.offset + base);
      if (seg) {
        limit = Math.min(limit, seg.frame);
        break;
      }
    }
    // the peer's acknowledgement that showed the gap (a pure ACK or FIN is in no item), and the
    // side's own FIN or RST, which it sent after the lost bytes
    if (g.frame > 0) limit = Math.min(limit, g.frame);
    const close = s.close[g.side];
    if (close) limit = Math.min(limit, close.frame);
  }
  for (const c of s.commands) {
    if ((c.frames[0] ?? Infinity) >= limit) break;
    const frames = c.replies.flatMap((r) => s.replies[r]?.frames ?? []);
    if (c.replies.length === 0 || frames.some((f) => f >= limit)) {
      limit = c.frames[0] ?? limit;
      break;
    }
  }
  return limit;
}

/** Conversation.unreadFrom: the earliest of the TLS layer's and a FIN not captured. */
function unreadStart(s: Session): number | null {
  // TCP bytes lost inside TLS are also in Session.gaps, but at TCP offsets, which plaintext
  // offsets cannot be compared with: the TLS layer's frames count
  let from = s.tls?.facts !== undefined ? unreadFrom(s.tls.facts) ?? Infinity : Infinity;
  for (const l of s.limits) if (l.kind === "fin-not-captured" && l.frame !== undefined) from = Math.min(from, l.frame);
  return from === Infinity ? null : from;
}

function smuggledReplies(s: Session): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const m of s.commands) {
    if (m.kind !== "message" || !m.message || m.message.nonstandardEnds.length === 0 || m.message.smuggledCommands.length === 0 || m.replies.length === 0) continue;
    const after = m.replies[m.replies.length - 1];
    const next = s.commands.slice(m.index + 1).find((c) => c.replies.length > 0);
    const until = next ? next.replies[0] : s.replies.length;
    const extra: number[] = [];
    for (let i = after + 1; i < until; i++) {
      const r = s.replies[i];
      if (r.command === null && !r.greeting && r.complete && !r.afterStartTls) extra.push(i);
    }
    if (extra.length > 0) out.set(m.index, extra);
  }
  return out;
}

/** No capture gap can have shifted this command's pairing: lost client bytes all come after it, lost server bytes after its replies. */
function pairedBeforeGaps(s: Session, cmd: Command): boolean {
  if (cmd.replies.length === 0) return false;
  return s.gaps.every((g) => g.side === "client" ? cmd.end <= g.offset : cmd.replies.every((r) => (s.replies[r]?.end ?? Infinity) <= g.offset));
}

/** sentBeforeEnd(s, cmd, reply)?.before === true, without the result object. */
function sentBefore(s: Session, cmd: Command, reply: Reply): boolean {
  const seg = cmd.segments[0];
  if (!seg) return false;
  if (reply.abandoned && seg.start >= 0 && seg.time >= reply.firstTime) return true;
  if (!reply.complete) return ackedBeforeOpenEnd(s, seg, reply);
  if (seg.ack !== null) return seg.ack < replyEndSeq(s, reply);
  return seg.time < reply.lastTime;
}

/** The last EHLO/HELO capabilities whose reply the client had fully received when it sent `cmd`. */
function capsInForce(s: Session, cmd: Command, offered: Capabilities[]): Capabilities | null {
  for (let k = offered.length - 1; k >= 0; k--) {
    if (!sentBefore(s, cmd, offered[k].reply)) return offered[k];
  }
  return null;
}

/**
 * Command `i` (not after STARTTLS) if the client sent it before the reply it had to wait for (the
 * greeting for the first); null if not. `limit`: the first frame whose pairing is not trusted.
 */
function earlyFor(s: Session, i: number, greeting: Reply | null, caps: Capabilities | null, limit: number): EarlyCommand | null {
  const cmd = s.commands[i];
  const prev = i > 0 ? s.commands[i - 1] : null;
  const reply = prev ? awaitedReply(s, prev) : greeting ?? undefined;
  if (reply) {
    if (!((cmd.frames[0] ?? 0) < limit) || !((reply.frames[reply.frames.length - 1] ?? 0) < limit)) return null;
    if (!sentBefore(s, cmd, reply)) return null;
    // sentBeforeEnd's answer: by the ACK field when the segment has one, else by timestamps
    const ack = cmd.segments[0].ack;
    const pipelining = caps !== null && caps.keywords.has("PIPELINING");
    return { cmd, prev, reply, by: ack !== null ? "ack" : "time", acked: ack, linesHad: ack === null ? 0 : linesCovered(s, reply, ack), pipelining };
  }
  return unansweredEarly(s, cmd, prev, caps, limit);
}

/**
 * The awaited reply never arrived. Proof that the client did not wait for it: the command
 * travelled in the same segment as the end of the previous one, or (the greeting) the client's
 * ACK shows it had received no server byte at all.
 */
function unansweredEarly(s: Session, cmd: Command, prev: Command | null, caps: Capabilities | null, limit: number): EarlyCommand | null {
  const seg = cmd.segments[0];
  // after the server closed its side no reply can come: what the client sends then is not judged as early
  if (!seg || !((cmd.frames[0] ?? 0) < limit) || s.gaps.length > 0 || (s.close.server !== null && s.close.server.frame < seg.frame)) return null;
  if (prev) {
    const last = prev.segments[prev.segments.length - 1];
    if (prev.kind === "message" || prev.afterStartTls || !last || last.frame !== seg.frame) return null;
    const pipelining = caps !== null && caps.keywords.has("PIPELINING");
    return { cmd, prev, reply: null, by: "segment", acked: seg.ack, linesHad: 0, pipelining };
  }
  if (!s.sawSyn || seg.ack === null || seg.ack > 1 || s.replies.some((r) => r.command === null && !r.afterStartTls && r.firstTime <= cmd.time)) return null;
  return { cmd, prev: null, reply: null, by: "ack", acked: seg.ack, linesHad: 0, pipelining: false };
}

/** A positive final reply (convenience for rules that read exchanges). */
export function accepted(ex: Exchange): boolean {
  return isPositive(ex.final);
}

/** The client had at least one complete `NNN-` line of a multi-line reply, not its end. */
export function partialMultiline(e: EarlyCommand): boolean {
  return e.reply !== null && e.reply.lineInfo[0]?.sep === "-" && e.linesHad >= 1;
}
