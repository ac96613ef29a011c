import type { TlsFacts } from "../tls/connection.js";
/**
 * The session model: what the SMTP dissector builds and every rule reads.
 * Offsets (`start`, `end`) are positions in one direction's reassembled byte stream, counted
 * from its first byte; `seq`/`ack` are the same positions as Wireshark shows relative sequence
 * numbers (offset + 1 when the SYN was captured).
 */
import type { DirectionTrace, SynFacts } from "../tcp/window.js";

/** A piece of one TCP segment that carried part of a reply or command. */
export interface Segment {
  frame: number;
  time: number;
  /** relative sequence number of the first byte of this piece */
  seq: number;
  /** the segment's ACK field as a relative sequence number of the peer's stream (null: no ACK) */
  ack: number | null;
  /** stream offsets [start, end) of the bytes this piece carried */
  start: number;
  end: number;
  bytes: number;
  /** indexes (within the reply or command) of the lines whose terminator this segment carried */
  lines: number[];
  /** the segment ended inside a line (including inside the `NNN-` prefix) */
  midLine: boolean;
  /** the peer's most recent ACK before this segment (offset into this stream), if any */
  peerAck?: { frame: number; time: number; offset: number };
}

export type Terminator = "crlf" | "lf" | "none";

/** One text line as it arrived. `text` excludes the terminator and is cut at MAX_LINE_KEPT octets. */
export interface Line {
  text: string;
  /** octets on the wire including the terminator */
  length: number;
  start: number;
  end: number;
  terminator: Terminator;
  /** a CR not followed by LF inside the line */
  bareCr: boolean;
  /** frame and time of the segment that carried the terminator (or the last byte) */
  frame: number;
  time: number;
  /** the line was carried by more than one segment */
  split: boolean;
  /** part of the line was lost in a capture gap */
  gap: boolean;
}

export interface ReplyLine extends Line {
  /** the 3-digit code, or null when the line does not start with three digits */
  code: number | null;
  /** the octet after the code: "-", " ", "" (line ends after the code) or another character */
  sep: string;
}

export interface Reply {
  index: number;
  code: number | null;
  lines: string[];
  lineInfo: ReplyLine[];
  /** lines beyond the stored limit (counted, not kept) */
  linesDropped: number;
  frames: number[];
  segments: Segment[];
  /** the final line (code + SP, or a line that ends the reply) arrived */
  complete: boolean;
  /** index of the command (slot) this reply answers; null for the greeting or an unsolicited reply */
  command: number | null;
  greeting: boolean;
  /** server octets sent after a STARTTLS 220 and before TLS began */
  afterStartTls: boolean;
  /** never finished: the next reply began (with another code, in a new segment, while the client
   * waited for more replies) before this one's final line */
  abandoned?: boolean;
  /** carried inside TLS and decrypted by a TLS layer: `start`/`end` and the segments' offsets,
   * `seq` and `ack` are plaintext offsets of that direction's TLS byte space (from 0), the frames
   * are those of the segments that completed the records */
  inTls?: boolean;
  start: number;
  end: number;
  firstTime: number;
  lastTime: number;
}

export interface MessageStats {
  bytes: number;
  /** TCP segments that carried the message (only the first few are listed in `segments`) */
  segments: number;
  lines: number;
  longestLine: number;
  longLines: number;
  firstLongLine: { offset: number; frame: number; length: number } | null;
  bareLf: number;
  bareCr: number;
  firstBare: { offset: number; frame: number; kind: "lf" | "cr" } | null;
  eightBit: number;
  /** the exact end-of-data sequence, escaped ("\r\n.\r\n"), or null if the message never ended */
  endOfData: string | null;
  endFrame: number | null;
  /** offset just after the end-of-data sequence */
  endOffset: number | null;
  nonstandardEnds: { sequence: string; offset: number; end: number; frame: number }[];
  smuggledCommands: { line: string; offset: number; frame: number }[];
  /** part of the message was lost in a capture gap */
  gap: boolean;
  /** the message header's X-Mailer or User-Agent field (the first one), as a product token only
   * (see message.ts HeaderScan); absent when the header has neither */
  mailer?: Mailer;
  /** the first octets of the message, only with --show-data */
  content?: string;
}

/** The software a message header names (X-Mailer / User-Agent), and whether the message was relayed. */
export interface Mailer {
  field: "X-Mailer" | "User-Agent";
  /** the field's value cut to its product token: printable ASCII, no word with `@` or `<`, at most 80 characters */
  value: string;
  /** the frame that carried the field's line */
  frame: number;
  /** the header has a Received: field: an SMTP server handled the message before (RFC 5321 §4.4),
   * so the field names the software that wrote it, not necessarily this session's client */
  received: boolean;
}

export type CommandKind = "command" | "message" | "auth-response";

export interface Command {
  index: number;
  kind: CommandKind;
  /** upper-case command word ("" for message content and AUTH responses) */
  verb: string;
  /** the line as shown (credentials redacted unless asked for) */
  line: string;
  frames: number[];
  time: number;
  segments: Segment[];
  start: number;
  end: number;
  /** details of the command line (absent for message content) */
  lineInfo: Line | null;
  /** replies paired with this command, in order (normally one) */
  replies: number[];
  /** sent after STARTTLS was accepted, or before its reply arrived, in plaintext */
  afterStartTls: boolean;
  /** AUTH payloads and SASL responses */
  secret: boolean;
  /** carried inside TLS and decrypted by a TLS layer (offsets as in Reply.inTls) */
  inTls?: boolean;
  /** a known SMTP command line (verb kept, kind "command") sent while an AUTH exchange was open,
   * which the server took as a SASL response (e.g. `QUIT` taken as the AUTH LOGIN user name):
   * it takes the auth-response reply slot; credential rules must not treat it as a credential */
  takenAsAuthResponse?: boolean;
  /** decoded user name, where the mechanism carries one in clear (PLAIN, LOGIN) */
  authUser?: string;
  /** the redacted user name is the address of the MAIL FROM in this frame (the tag does not hide it) */
  authUserMailFrom?: number;
  /** SASL payloads (AUTH initial response, responses after 334): whether it was valid BASE64 (RFC 4954 §4); the payload itself is not kept */
  saslBase64?: boolean;
  message?: MessageStats;
  bdat?: { size: number; last: boolean; received: number; framing: string | null };
}

export interface Gap {
  side: "client" | "server";
  offset: number;
  bytes: number;
  frame: number;
  reason: string;
}

export interface CloseEvent {
  kind: "fin" | "rst";
  frame: number;
  time: number;
  /** an RST's sequence number and the next one the capture expected of that side, both Wireshark
   * relative sequence numbers: equal when no byte of that side is missing before the RST */
  rstSeq?: { seq: number; expected: number };
}

export interface TlsInfo {
  mode: "starttls" | "implicit";
  /** first frame whose payload is TLS (or the 220 reply that started it) */
  frame: number;
  time: number;
  /** first TLS record seen from each side */
  clientHelloFrame: number | null;
  serverHelloFrame: number | null;
  /** TLS really flows: a ClientHello was seen and the server answered it with TLS records (or its
   * side is absent from the capture). False when STARTTLS was accepted but the client went on in
   * plaintext, or a port-465 server answered the ClientHello in plaintext. */
  encrypted: boolean;
  /** the first plaintext client command after the STARTTLS 220 (or on the implicit-TLS port), if any */
  plaintextFrame: number | null;
  /** the capture holds the TLS phase decrypted (Wireshark "export decrypted", a TLS-terminating
   * tap): after the STARTTLS 220 no TLS record flows and the server answered a new EHLO as a
   * TLS-phase server (a capability list without STARTTLS). That phase is dissected as plaintext. */
  decrypted?: boolean;
  /** what the TLS layer read of the handshake (and, with keys, decrypted): absent when no TLS layer ran */
  facts?: TlsFacts;
}

/**
 * Something the capture lacks for this session. A judgement that needs it must say "cannot
 * judge" instead of "no violation". Bytes a peer acknowledged that the capture does not hold are
 * also listed in `Session.gaps` (reason says so), so pairing trust sees them.
 */
export type LimitKind =
  | "no-client-bytes" // the client's direction is absent from the capture
  | "no-server-bytes" // the server's direction is absent from the capture
  | "acked-not-captured" // the peer acknowledged bytes the capture does not hold
  | "fin-not-captured" // the peer acknowledged one sequence number beyond the side's data: its FIN (or one byte), not in the capture
  | "gap" // bytes missing inside a direction (out-of-order hole, lost segment)
  | "started-mid-session" // the capture starts after the session began (no SYN, no greeting)
  | "ended-open" // the capture ends while the dialogue was still waiting (command unanswered, connection open)
  | "idle-closed" // a live reader (watch) ended the connection (idle limit, --max-open-flows): the capture saw no end of it
  | "timeline-capped" // the session has more commands/replies than are kept (DissectOptions.maxItemsPerSession): the rest is counted, not judged
  | "file-damaged" // the capture file is damaged or cut; the session may continue beyond it
  | "encrypted"; // TLS records flow: the rest of the dialogue cannot be read

export interface Limit {
  kind: LimitKind;
  side?: "client" | "server";
  /** the frame where the lack shows (the ACK beyond the data, the first frame after a gap, …) */
  frame?: number;
  bytes?: number;
  /** one sentence a customer can read, e.g. "the capture holds only the client's side" */
  text: string;
  /** the lack touches only how the session ended (the connection still open, nothing unanswered):
   * it qualifies a verdict but stops no judgement of the dialogue the capture holds */
  endOnly?: boolean;
}

export interface AckEvent {
  frame: number;
  time: number;
  offset: number;
}

/** What the TCP layer traced of one side: the ACKs and windows of the segments it sent, its
 * handshake segment (the client's SYN, the server's SYN/ACK) and the TTL of its data segments. */
export interface SideTrace extends DirectionTrace {
  handshake: SynFacts | null;
}

export interface SessionTcp {
  client: SideTrace;
  server: SideTrace;
}

export interface SessionTunnel {
  kind: "socks4" | "socks5" | "http-connect";
  port: number;
  replyFrame: number | null;
  replyTime: number | null;
}

export interface Session {
  index: number;
  tcpStream: number;
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
  /** how client and server were told apart */
  roles: "syn" | "port" | "greeting";
  sawSyn: boolean;
  firstFrame: number;
  lastFrame: number;
  startTime: number;
  endTime: number;
  bytes: { client: number; server: number };
  retransmitted: { client: number; server: number };
  tls: TlsInfo | null;
  commands: Command[];
  replies: Reply[];
  gaps: Gap[];
  close: { client: CloseEvent | null; server: CloseEvent | null };
  /** things the dissector could not decide; findings near them are less certain */
  notes: string[];
  /** client octets that were not SMTP (e.g. a TLS ClientHello on a plain port), first frame */
  clientFirstBytes: string;
  serverFirstBytes: string;
  /** what the capture lacks for this session (empty: nothing known to be missing) */
  limits: Limit[];
  /** SMTP carried inside a tunnel (absent: none): its kind, the port asked for (0: not named, as
   * HTTP CONNECT on a flow recognised by it), and the server segment that completed the proxy's
   * reply (SOCKS reply, HTTP response header; null while never completed). The SMTP dialogue,
   * and its greeting's delay, start there. */
  tunnel?: SessionTunnel;
  /** the TCP layer's ACK/window records, handshake facts and TTLs, per side (absent: not traced);
   * rules read them through `Conversation.tcp` */
  tcp?: SessionTcp;
}
