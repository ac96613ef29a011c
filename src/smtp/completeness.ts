import type { Command, Gap, Session } from "./model.js";
import { plural } from "../text/plural.js";
import { endedInHandshake, failureReason, firstFailure, fullyDecrypted } from "../tls/describe.js";
import type { TlsFacts } from "../tls/connection.js";

/** What the TCP layer knows of one direction of a connection, for completeness. */
export interface DirectionFacts {
  /** packets captured in this direction (with or without payload) */
  packets: number;
  /** bytes the peer acknowledged beyond the last byte the capture holds (null: none) */
  unseen: { bytes: number; fin: boolean; frame: number; time: number } | null;
}

/** The reason of a gap made of bytes the peer acknowledged (the reassembler's wording). */
export const ACKED_REASON = "peer acknowledged bytes never seen in the capture";

const side2 = (side: "client" | "server"): "client" | "server" => (side === "client" ? "server" : "client");

/** A verb fit for a sentence: capture text never reaches a limit's text. */
function verbOf(verb: string): string {
  return /^[A-Z]{2,12}$/.test(verb) ? verb : "a command";
}

/**
 * Adds to `s.gaps` the bytes acknowledged after the last byte captured, and fills `s.limits`
 * with what the capture lacks for this session. Runs once, when the session is finished. The
 * usual session (both sides captured, no gap, a SYN, closed, no TLS) takes none of the branches
 * that build a limit, each of which is its own function.
 */
export function addCompleteness(s: Session, dirs: { client: DirectionFacts; server: DirectionFacts }, reset: boolean, endedBy: string | null = null): void {
  const limits = s.limits;
  if (dirs.client.unseen !== null) unseenGap(s, "client", dirs.client.unseen);
  if (dirs.server.unseen !== null) unseenGap(s, "server", dirs.server.unseen);
  let missingServer = false;
  if (s.bytes.client === 0) missingSide(s, "client", dirs.client);
  if (s.bytes.server === 0) missingServer = missingSide(s, "server", dirs.server);
  if (s.gaps.length > 0) {
    gapLimits(s, "client");
    gapLimits(s, "server");
  }
  if (!s.sawSyn) startedMidSession(s, missingServer);
  const closed = s.close.client !== null || s.close.server !== null;
  const cs = s.commands;
  const last = cs.length > 0 ? cs[cs.length - 1] : undefined;
  const unanswered = last !== undefined && last.replies.length === 0 && !missingServer && (s.tls === null || !s.tls.encrypted || last.time < s.tls.time) ? last : undefined;
  if (!closed || (unanswered !== undefined && s.close.server === null && !reset)) endedOpen(s, closed, unanswered, endedBy);
  const tf = s.tls?.facts;
  const failed = tf ? firstFailure(tf) : null;
  const notTls = tf?.notTls ?? null;
  if (s.tls?.encrypted && notTls !== null && (failed !== null ? notTls.frame < failed.frame : fullyDecrypted(tf!))) {
    // the records before were read (decrypted); from here the side's bytes cannot be parsed as TLS records
    limits.push({ kind: "encrypted", side: notTls.from, frame: notTls.frame, text: `the ${notTls.from}'s bytes from frame ${notTls.frame} are not TLS records: the rest of the ${notTls.from}'s side is not read` });
  } else if (s.tls?.encrypted && tf !== undefined && failed !== null) {
    limits.push({ kind: "encrypted", frame: failed.frame, text: `cannot decrypt the ${failed.side}'s TLS records from frame ${failed.frame}: ${failureReason(failed.reason)}; the rest of ${failed.both ? "the dialogue" : `the ${failed.side}'s side`} is not read` });
  } else if (s.tls?.encrypted && tf !== undefined && (fullyDecrypted(tf) || nothingEncrypted(tf) || (endedInHandshake(tf) && tf.client.encryptedRecords + tf.server.encryptedRecords === 0))) {
    // decrypted, or the handshake failed before anything encrypted flowed, or every record of a failed handshake was read: nothing stays encrypted
  } else if (s.tls?.encrypted) {
    // TLS begins with the first TLS record (the ClientHello), not with the plaintext 220 to STARTTLS:
    // what is not read is what follows it (the ClientHello itself is read), and why
    const ch = s.tls.clientHelloFrame, shf = s.tls.serverHelloFrame;
    const from = ch ?? shf ?? s.tls.frame;
    const after = ch !== null ? `after the ClientHello in frame ${ch}` : shf !== null ? `from the ServerHello in frame ${shf}` : `from frame ${from}`;
    // a handshake known not to have completed carried no dialogue: what stays unread is its own encrypted part
    const what = tf !== undefined && endedInHandshake(tf) ? "the handshake" : "the dialogue";
    limits.push({ kind: "encrypted", frame: from, text: `${what} ${after} is encrypted and not read: ${tf !== undefined ? whyUnread(tf) : "no key"}` });
  }
}

/** Why a TLS phase's records stayed encrypted, in a few words. */
function whyUnread(t: TlsFacts): string {
  const d = t.decryption;
  if (d.status === "none") return t.serverHello === null ? "no readable ServerHello" : "no key log";
  if (d.status === "no-key") return "the key log has no key for this connection";
  if (d.status === "partial") return "the key log lacks some of its secrets";
  return "it could not be decrypted";
}

/** Bytes the peer acknowledged after the last byte the capture holds: a gap at the end of the side's stream. */
function unseenGap(s: Session, side: "client" | "server", u: NonNullable<DirectionFacts["unseen"]>): void {
  if (u.bytes === 0) {
    // no byte is known lost, but how (and when) this side closed is: pairing and the close are not judged from the ACK on
    // after a 221 or 421 the dialogue was over: the lack qualifies how it ended, no judgement of it
    const over = s.replies.some((r) => (r.code === 221 || r.code === 421) && r.complete && (r.frames[r.frames.length - 1] ?? Infinity) < u.frame);
    s.limits.push({ kind: "fin-not-captured", side, frame: u.frame, text: `the ${side2(side)}'s ACK in frame ${u.frame} covers one ${side} sequence number beyond the bytes the capture holds: the ${side}'s FIN (or one byte), which the capture does not hold`, ...(over ? { endOnly: true } : {}) });
    return;
  }
  const fin = u.fin ? ` and the ${side}'s FIN` : "";
  const gap: Gap = {
    side, offset: s.bytes[side], bytes: u.bytes, frame: u.frame,
    reason: `by the end of the capture the ${side2(side)} had acknowledged ${plural(u.bytes, `${side} byte`)}${fin} that the capture does not hold (ACK in frame ${u.frame})`,
  };
  if (s.gaps.length < 100) s.gaps.push(gap);
}

/** A side that sent no byte the capture holds: missing when no packet of it was captured or the peer acknowledged data of it. */
function missingSide(s: Session, side: "client" | "server", d: DirectionFacts): boolean {
  if (d.packets !== 0 && (d.unseen === null || d.unseen.bytes === 0)) return false;
  const other = side2(side);
  s.limits.push({
    kind: side === "client" ? "no-client-bytes" : "no-server-bytes", side,
    ...(d.unseen ? { frame: d.unseen.frame, bytes: d.unseen.bytes } : {}),
    text: d.packets === 0
      ? `the capture holds only the ${other}'s side: no packet from the ${side}`
      : `the capture holds none of the ${side}'s data, though the ${other} acknowledged ${plural(d.unseen!.bytes, `${side} byte`)}`,
  });
  return true;
}

/** The bytes of one side the peer acknowledged but the capture lacks, and those lost otherwise. */
function gapLimits(s: Session, side: "client" | "server"): void {
  let acked = 0, ackedFrame = 0, lost = 0, lostFrame = 0;
  for (const g of s.gaps) {
    if (g.side !== side) continue;
    if (g.reason === ACKED_REASON || g.reason.startsWith("by the end of the capture")) {
      if (acked === 0) ackedFrame = g.frame;
      acked += g.bytes;
    } else {
      if (lost === 0) lostFrame = g.frame;
      lost += g.bytes;
    }
  }
  if (acked > 0) {
    s.limits.push({
      kind: "acked-not-captured", side, frame: ackedFrame, bytes: acked,
      text: `the ${side2(side)} acknowledged ${plural(acked, `${side} byte`)} that the capture does not hold (from frame ${ackedFrame})`,
    });
  }
  if (lost > 0) {
    s.limits.push({ kind: "gap", side, frame: lostFrame, bytes: lost, text: `${plural(lost, `${side} byte`)} ${lost === 1 ? "is" : "are"} missing from the capture (from frame ${lostFrame})` });
  }
}

/** No SYN: the capture may have started after the session began. */
function startedMidSession(s: Session, missingServer: boolean): void {
  const first = s.replies[0];
  if (first !== undefined && !first.greeting) {
    s.limits.push({
      kind: "started-mid-session", frame: first.frames[0] ?? s.firstFrame,
      text: "the capture starts after the session began: no SYN, and the server's first bytes are not a greeting",
    });
  } else if (first === undefined && missingServer && s.commands.length > 0 && !/^(EHLO|HELO|LHLO)$/.test(s.commands[0].verb)) {
    s.limits.push({
      kind: "started-mid-session", frame: s.commands[0].frames[0] ?? s.firstFrame,
      text: `the capture starts after the session began: no SYN, and the client's first command is ${verbOf(s.commands[0].verb)}, not EHLO or HELO`,
    });
  }
}

/**
 * The capture ends while the connection is open, or before the server answered the last command;
 * or a live reader ended the connection (`endedBy`, the sentence that says why: "the capture saw
 * no end of this connection within 10 min of capture time (--idle)"), which is no proof that the
 * connection ended.
 */
function endedOpen(s: Session, closed: boolean, unanswered: Command | undefined, endedBy: string | null): void {
  const what = unanswered === undefined ? ""
    : unanswered.kind === "message" ? "the message content" : unanswered.kind === "auth-response" ? "an AUTH response" : verbOf(unanswered.verb);
  const kind = endedBy === null ? "ended-open" : "idle-closed";
  if (!closed) {
    const open = endedBy ?? "the capture ends while the connection is open";
    // a reply still without its final line: what the rest said is not in the capture
    const last = s.replies.length > 0 ? s.replies[s.replies.length - 1] : undefined;
    const cut = unanswered === undefined && last !== undefined && !last.complete ? last : undefined;
    s.limits.push(unanswered
      ? { kind, frame: s.lastFrame, text: `${open}, with ${what} (frame ${unanswered.frames[0]}) unanswered` }
      : cut !== undefined
        ? { kind, frame: s.lastFrame, text: `${open}, in the middle of a reply (frame ${cut.frames[0]}): its final line is not in the capture` }
        : { kind, frame: s.lastFrame, text: open, endOnly: true });
  } else if (unanswered && s.replies.every((r) => r.lastTime <= unanswered.time)) {
    s.limits.push({
      kind, frame: s.lastFrame,
      text: endedBy === null
        ? `the capture ends before the server answered ${what} (frame ${unanswered.frames[0]}) or closed the connection`
        : `${endedBy}, before the server answered ${what} (frame ${unanswered.frames[0]}) or closed the connection`,
    });
  }
}

/** The handshake stopped before any encrypted or application-data record flowed either way: nothing of the dialogue is hidden. */
function nothingEncrypted(t: TlsFacts): boolean {
  return t.completed === false && t.client.encryptedRecords + t.server.encryptedRecords + t.client.appRecords + t.server.appRecords === 0;
}
