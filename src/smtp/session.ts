import type { Flow } from "../tcp/flows.js";
import type { SegmentMeta } from "../tcp/reassembly.js";
import type { RecordMeta, TlsPhase, TlsPhaseFactory, TlsSink } from "../stream/tls-slot.js";
import type { TlsFacts } from "../tls/connection.js";
import type { TunnelApp, TunnelKind } from "../stream/tunnel.js";
import { DataScanner } from "./data.js";
import { LineAssembler, addPiece, replyCode, type LinePiece } from "./lines.js";
import type { AckEvent, Command, Line, Reply, ReplyLine, Segment, Session } from "./model.js";
import { describeAuth, isBase64 } from "./auth.js";
import { addCompleteness } from "./completeness.js";
import { COMMAND_RE, VERBS } from "./vocabulary.js";

export interface DissectOptions {
  /** show AUTH payloads instead of "[redacted N bytes]" */
  showSecrets: boolean;
  /** keep the first octets of each message (MAX_DATA_KEPT) so reports can show them */
  showData: boolean;
  /** reply lines kept per reply; the rest are counted */
  maxLinesPerReply: number;
  /** commands and replies kept per session; the rest are counted in notes */
  maxItemsPerSession: number;
  /** segment pieces kept per command or reply */
  maxSegmentsPerItem: number;
  /** segment pieces kept per message (the rest are counted in message.segments) */
  maxSegmentsPerMessage: number;
  /** the TLS layer (see stream/tls-slot.ts): absent, TLS bytes are noticed and dropped */
  tls?: TlsPhaseFactory;
}

export const DEFAULT_DISSECT: DissectOptions = {
  showSecrets: false,
  showData: false,
  maxLinesPerReply: 1000,
  maxItemsPerSession: 100000,
  maxSegmentsPerItem: 256,
  maxSegmentsPerMessage: 16,
};

type ServerMode = "smtp" | "resync" | "after-starttls" | "tls";
type ClientMode = "command" | "resync" | "data" | "bdat" | "starttls-wait" | "tls-expected" | "tls";

/** octets of message content kept with --show-data */
export const MAX_DATA_KEPT = 64 * 1024;
/** gaps (and notes) listed per session; more are counted */
const MAX_GAPS_KEPT = 100;
/**
 * Whether a followed connection is SMTP (detect.ts answers it; the session asks as it goes).
 */
export interface Evidence {
  /** not SMTP: nothing that follows is dissected */
  readonly rejected: boolean;
  /** a complete client line; false: it proves the connection is not SMTP (the session forgets all) */
  clientLine(text: string): boolean;
  /** a tunnel opened to `port`; `failed`: the proxy refused it or it was no tunnel */
  tunnel(port: number, failed: boolean): void;
  /** at the end: SMTP, or why not */
  decide(s: Session): "smtp" | "no-payload" | "not-smtp";
}
const VERB_SET: ReadonlySet<string> = new Set(VERBS);
/** After a gap, a line is taken as a command only when it starts with a known verb and a space or its end. */
function startsCommand(buf: Buffer, pos: number, end: number): boolean {
  const m = /^([A-Za-z]{4,8})[ \r\n]/.exec(buf.toString("latin1", pos, Math.min(end, pos + 10)));
  return m !== null && VERB_SET.has(m[1].toUpperCase());
}
/** the start of a reply line: a new segment that begins like this ends an unterminated line */
function startsReply(buf: Buffer, pos: number, end: number): boolean {
  if (end - pos < 4) return false;
  const a = buf[pos], b = buf[pos + 1], c = buf[pos + 2], d = buf[pos + 3];
  return a >= 0x32 && a <= 0x35 && b >= 0x30 && b <= 0x39 && c >= 0x30 && c <= 0x39 && (d === 0x20 || d === 0x2d || d === 0x0d);
}

function isTlsRecord(buf: Buffer, pos: number, end: number): boolean {
  return buf[pos] === 0x16 && (pos + 1 >= end || buf[pos + 1] === 0x03);
}

/**
 * Any TLS record header (ChangeCipherSpec, alert, handshake, application data: 0x14-0x17, version
 * 3.x): what a server sends once its peer spoke TLS or it accepted STARTTLS — a fatal alert
 * answering a ClientHello is TLS, never an SMTP reply.
 */
function isAnyTlsRecord(buf: Buffer, pos: number, end: number): boolean {
  const t = buf[pos];
  return t >= 0x14 && t <= 0x17 && (pos + 1 >= end || buf[pos + 1] === 0x03) && (pos + 2 >= end || buf[pos + 2] <= 0x04);
}

/**
 * The SMTP dissector for one TCP connection: turns the two reassembled byte streams into
 * commands and logical replies, each with the segments that carried it. It judges nothing;
 * the rules read the model it builds.
 */
export class SmtpSession implements TunnelApp {
  readonly s: Session;
  private relBase = 0;
  private serverLines = new LineAssembler(true);
  private clientLines = new LineAssembler(false);
  private openReply: Reply | null = null;
  private serverMode: ServerMode = "smtp";
  private clientMode: ClientMode = "command";
  private pending: number[] = [];
  private pendingHead = 0;
  private greetingDecided = false;
  private scanner: DataScanner | null = null;
  private message: Command | null = null;
  private bdat: Command | null = null;
  private bdatLeft = 0;
  private auth: { cmd: number; expectResponse: boolean; mech: string } | null = null;
  /** after a STARTTLS 220 the client went on in plaintext: index of its first plaintext command (-1: not so) */
  private plainCmdFrom = -1;
  /** the server sent plaintext SMTP after the client's ClientHello */
  private serverPlainAfterHello = false;
  private readonly lastClientAck: AckEvent = { frame: 0, time: 0, offset: 0 };
  private clientAcked = false;
  private sawServerData = false;
  private sawClientData = false;
  private dropped = 0;
  private gapsDropped = 0;
  private readonly lineOut: { line: Line | null } = { line: null };
  /** the TLS layer of this connection, once TLS began and a TLS layer is plugged in (else null) */
  private tlsPhase: TlsPhase | null = null;
  /** the dialogue goes on in the plaintext inside TLS (a TLS layer decrypts): offsets are plaintext offsets */
  private inner = false;
  /** per TCP direction: its bytes go to tlsPhase (TLS began there and a TLS layer is plugged in) */
  private readonly tlsOn: [boolean, boolean] = [false, false];
  /** what the TLS layer feeds the plaintext into: the same line, command and reply machinery */
  private readonly sink: TlsSink = {
    data: (dir, buf, start, end, plainRel, meta) => this.plainData(dir, buf, start, end, plainRel, meta),
    gap: (dir, plainRel, len, frame, time) => this.streamGap(dir === this.serverDir ? "server" : "client", plainRel, len, frame, time),
  };
  /** while resynchronising after a gap: the next byte starts a line (the gap's end, or after an LF) */
  private serverResyncAtLine = false;
  private clientResyncAtLine = false;

  constructor(private readonly flow: Flow, private readonly onDone: (s: Session) => void, private readonly evidence: Evidence,
    private readonly opts: DissectOptions = DEFAULT_DISSECT, private readonly onSkip: (why: "no-payload" | "not-smtp") => void = () => {}) {
    this.s = {
      index: 0, tcpStream: flow.index, client: "", server: "", clientPort: 0, serverPort: 0,
      roles: "syn", sawSyn: false, firstFrame: flow.firstFrame, lastFrame: flow.firstFrame,
      startTime: flow.firstTime, endTime: flow.firstTime,
      bytes: { client: 0, server: 0 }, retransmitted: { client: 0, server: 0 },
      tls: null, commands: [], replies: [], gaps: [], close: { client: null, server: null }, notes: [],
      clientFirstBytes: "", serverFirstBytes: "", limits: [],
    };
  }

  private get serverDir(): 0 | 1 {
    return this.flow.serverDir === 0 ? 0 : 1;
  }

  private get clientDir(): 0 | 1 {
    return this.flow.serverDir === 0 ? 1 : 0;
  }

  // ---- what a tunnel layer in front reports (stream/tunnel.ts) ----------------------------------

  tunnelBytes(dir: 0 | 1, n: number): void {
    if (dir === this.serverDir) {
      this.s.bytes.server += n;
      this.sawServerData = true;
    } else {
      this.s.bytes.client += n;
      this.sawClientData = true;
    }
  }

  tunnelOpened(kind: TunnelKind, version: number, port: number): void {
    if (kind === "http-connect") this.note("SMTP carried inside an HTTP CONNECT tunnel: the HTTP request and response are skipped");
    else {
      this.note(`SMTP carried inside a SOCKS${version} tunnel to port ${port}: the SOCKS handshake is skipped`);
      this.evidence.tunnel(port, false);
    }
  }

  tunnelFailed(): void {
    this.evidence.tunnel(0, true);
  }

  // ---- TCP bytes ----------------------------------------------------------------------------

  data(dir: 0 | 1, buf: Buffer, start: number, end: number, rel: number, meta: SegmentMeta): void {
    this.relBase = this.flow.sawSyn ? 1 : 0;
    if (this.evidence.rejected) {
      if (dir === this.serverDir) this.s.bytes.server += end - start; else this.s.bytes.client += end - start;
      return;
    }
    if (dir === this.serverDir) {
      this.s.bytes.server += end - start;
      if (!this.sawServerData) {
        this.sawServerData = true;
        this.s.serverFirstBytes = buf.toString("hex", start, Math.min(end, start + 8));
      }
      if (this.tlsOn[dir]) this.tlsPhase!.data(dir, buf, start, end, rel, meta);
      else this.serverData(buf, start, end, rel, meta);
    } else {
      this.s.bytes.client += end - start;
      if (!this.sawClientData) {
        this.sawClientData = true;
        this.s.clientFirstBytes = buf.toString("hex", start, Math.min(end, start + 8));
      }
      if (this.tlsOn[dir]) this.tlsPhase!.data(dir, buf, start, end, rel, meta);
      else this.clientData(buf, start, end, rel, meta);
    }
  }

  /** Plaintext from the TLS layer (plaintext offsets; the records' frames and translated ACKs in `meta`). */
  private plainData(dir: 0 | 1, buf: Buffer, start: number, end: number, plainRel: number, meta: RecordMeta): void {
    if (!this.inner) this.enterPlaintext(meta);
    this.relBase = this.flow.sawSyn ? 1 : 0;
    if (this.evidence.rejected || start >= end) return;
    if (dir === this.serverDir) this.serverData(buf, start, end, plainRel, meta);
    else this.clientData(buf, start, end, plainRel, meta);
  }

  /**
   * The first decrypted byte: the dialogue goes on inside TLS, in a second byte space. RFC 3207
   * §4.2: both sides discard what they knew; the client starts again with EHLO (no greeting).
   * Lines, modes, the AUTH/DATA/BDAT machines and the pairing queue start afresh (a command sent
   * before TLS and not answered stays unanswered); the greeting stays decided.
   */
  private enterPlaintext(meta: RecordMeta): void {
    this.inner = true;
    if (this.openReply) this.finishReplyFrames(this.openReply);
    this.openReply = null;
    this.serverLines = new LineAssembler(true);
    this.clientLines = new LineAssembler(false);
    this.serverMode = "smtp";
    this.clientMode = "command";
    this.pendingHead = this.pending.length;
    this.auth = null;
    if (this.message) this.finishMessage(this.message);
    this.message = null;
    this.scanner = null;
    this.bdat = null;
    this.bdatLeft = 0;
    this.plainCmdFrom = -1;
    this.clientAcked = false;
    const tls = this.s.tls;
    if (tls !== null) tls.decrypted = true;
    this.note(`the TLS phase is decrypted: from frame ${meta.frame} on the dialogue is read from the TLS plaintext (offsets are plaintext offsets)`);
  }

  private note(text: string): void {
    if (this.s.notes.length < MAX_GAPS_KEPT) this.s.notes.push(text);
  }

  gap(dir: 0 | 1, rel: number, len: number, frame: number, time: number, reason: string): void {
    const side = dir === this.serverDir ? "server" : "client";
    if (this.s.gaps.length < MAX_GAPS_KEPT) this.s.gaps.push({ side, offset: rel, bytes: len, frame, reason });
    else this.gapsDropped++;
    if (side === "server" && this.serverMode === "after-starttls" && this.clientMode === "tls") {
      // the client already sent its ClientHello: the lost bytes held the start of the server's TLS
      this.startTls("server", { frame, time }, rel);
      this.serverMode = "tls";
    }
    if (this.tlsOn[dir]) this.tlsPhase!.gap(dir, rel, len, frame, time, reason);
    else this.streamGap(side, rel, len, frame, time);
  }

  /** Bytes [rel, rel + len) of one side's byte stream (TCP, or the plaintext inside TLS) are missing. */
  private streamGap(side: "client" | "server", rel: number, len: number, frame: number, time: number): void {
    if (side === "server") {
      if (this.serverMode === "tls" || this.serverMode === "after-starttls") return;
      if (this.serverLines.inLine) {
        this.serverLines.markGap();
        const line = this.serverLines.flush({ frame, time });
        if (line) this.serverLine(line, this.serverLines.takePieces());
      }
      if (this.openReply) this.openReply = null; // reply stays incomplete
      this.serverMode = "resync";
      this.serverResyncAtLine = true;
      this.note(`server bytes ${rel}..${rel + len} missing (frame ${frame}): reply parsing resynchronised at the next line`);
    } else {
      switch (this.clientMode) {
        case "tls":
          return;
        case "data":
          if (this.scanner) this.scanner.markGap(len);
          if (this.message?.message) this.message.message.gap = true;
          this.note(`client bytes ${rel}..${rel + len} missing (frame ${frame}) inside message data: end-of-data detection uncertain`);
          return;
        case "bdat":
          if (len <= this.bdatLeft) {
            this.bdatLeft -= len;
            if (this.bdat?.bdat) this.bdat.bdat.received += len;
            if (this.bdatLeft === 0) this.clientMode = "command";
            return;
          }
          this.bdatLeft = 0;
          break;
        default:
          break;
      }
      if (this.clientLines.inLine) {
        this.clientLines.markGap();
        const line = this.clientLines.flush({ frame, time });
        if (line) this.clientLine(line, this.clientLines.takePieces());
      }
      this.clientMode = "resync";
      this.clientResyncAtLine = true;
      this.note(`client bytes ${rel}..${rel + len} missing (frame ${frame}): command parsing resynchronised at the next line`);
    }
  }

  ack(dir: 0 | 1, ackRel: number, frame: number, time: number): void {
    if (dir !== this.serverDir) {
      // updated in place for every ACK; copied where a segment keeps it
      const a = this.lastClientAck;
      a.frame = frame;
      a.time = time;
      // inside TLS: the plaintext the ACK covers (records wholly acknowledged)
      a.offset = this.inner ? this.tlsPhase!.plainAck((dir ^ 1) as 0 | 1, ackRel) : ackRel;
      this.clientAcked = true;
    }
  }

  close(dir: 0 | 1, kind: "fin" | "rst", frame: number, time: number): void {
    const side = dir === this.serverDir ? "server" : "client";
    if (this.s.close[side] === null) this.s.close[side] = { kind, frame, time };
  }

  finish(): void {
    const s = this.s;
    const f = this.flow;
    const sd = this.serverDir;
    const ends = f.endpoints;
    s.server = ends[sd];
    s.client = ends[sd ^ 1];
    s.serverPort = sd === 0 ? f.initPort : f.respPort;
    s.clientPort = sd === 0 ? f.respPort : f.initPort;
    s.sawSyn = f.sawSyn;
    s.roles = f.sawSyn ? "syn" : f.tag === "greeting" ? "greeting" : "port";
    s.lastFrame = f.lastFrame;
    s.endTime = f.lastTime;
    const r = f.reasm;
    if (r) {
      const server = r.summary(sd), client = r.summary((sd ^ 1) as 0 | 1);
      s.retransmitted.server = server.retransmitted;
      s.retransmitted.client = client.retransmitted;
    }
    const end = { frame: f.lastFrame, time: f.lastTime };
    if (this.serverMode !== "tls" && this.serverLines.inLine) {
      const line = this.serverLines.flush(end);
      if (line) this.serverLine(line, this.serverLines.takePieces());
    }
    if (this.openReply) this.finishReplyFrames(this.openReply);
    if (this.clientLines.inLine && (this.clientMode === "command" || this.clientMode === "starttls-wait" || this.clientMode === "tls-expected")) {
      const line = this.clientLines.flush(end);
      if (line) this.clientLine(line, this.clientLines.takePieces());
    }
    if (this.message) this.finishMessage(this.message);
    if (this.gapsDropped > 0) s.notes.push(`${this.gapsDropped} further capture gaps were counted but not listed`);
    if (this.dropped > 0) s.notes.push(`${this.dropped} commands/replies beyond the per-session limit were counted but not kept`);
    const smtp = this.evidence.decide(s);
    if (smtp !== "smtp") {
      this.onSkip(smtp);
      return;
    }
    const tls = s.tls;
    if (tls !== null) {
      const clientTls = tls.clientHelloFrame !== null;
      const serverTls = tls.serverHelloFrame !== null;
      tls.encrypted = (clientTls && (serverTls || !this.serverPlainAfterHello)) || (serverTls && !clientTls && s.bytes.client === 0);
      if (this.tlsPhase !== null) {
        const facts = this.tlsPhase.facts as TlsFacts | null;
        // the connection's first FIN or RST, as the TLS layer's account of who closed
        const c = s.close.client, sv = s.close.server;
        const first = c !== null && (sv === null || c.frame <= sv.frame) ? { from: "client" as const, e: c } : sv !== null ? { from: "server" as const, e: sv } : null;
        if (first !== null && facts !== null && typeof facts === "object" && "decryption" in facts) facts.firstClose = { from: first.from, kind: first.e.kind, frame: first.e.frame };
        // only a TLS layer's account (TlsFacts) that saw a record: other phases (tests) keep theirs
        if (facts !== null && typeof facts === "object" && "decryption" in facts && facts.firstFrame !== null) tls.facts = facts;
      }
    }
    // what the server took a line for shows only in its reply: with none captured, claim nothing
    for (const c of s.commands) if (c.takenAsAuthResponse && c.replies.length === 0) c.takenAsAuthResponse = false;
    const cd = (sd ^ 1) as 0 | 1;
    addCompleteness(s, {
      client: { packets: r ? r.packets(cd) : 0, unseen: r ? r.unseenAcked(cd) : null },
      server: { packets: r ? r.packets(sd) : 0, unseen: r ? r.unseenAcked(sd) : null },
    }, f.reset);
    this.onDone(s);
  }

  // ---- server side -------------------------------------------------------------------------

  private serverData(buf: Buffer, pos: number, end: number, rel: number, meta: SegmentMeta): void {
    const base = rel - pos;
    // a segment that starts like a reply line in the middle of a line or of a reply
    if (this.serverMode === "smtp" && (this.serverLines.inLine || this.openReply !== null) && startsReply(buf, pos, end)) this.replyStartsMidReply(buf, pos, meta);
    while (pos < end) {
      const mode = this.serverMode;
      if (mode === "tls") {
        this.tlsBytes(this.serverDir, buf, pos, end, base + pos, meta);
        return;
      }
      if (mode === "resync") {
        pos = this.serverResync(buf, pos, end, base, meta);
        if (pos < 0) return;
        continue;
      }
      if (!this.serverLines.inLine) {
        if ((isTlsRecord(buf, pos, end) || ((mode === "after-starttls" || this.clientMode === "tls") && isAnyTlsRecord(buf, pos, end))) && (mode === "after-starttls" || this.clientMode === "tls" || (this.s.replies.length === 0 && (this.s.tls === null || this.s.tls.mode === "implicit")))) {
          this.startTls("server", meta, base + pos);
          this.serverMode = "tls";
          this.tlsBytes(this.serverDir, buf, pos, end, base + pos, meta);
          return;
        }
        if (this.openReply === null) this.openReply = this.newReply(base + pos, meta.time, mode === "after-starttls");
      }
      pos = this.serverLines.feed(buf, pos, end, base + pos, meta, this.lineOut);
      const pieces = this.serverLines.pieces;
      const last = pieces[pieces.length - 1];
      if (last.peerFrame === -2) {
        // the client's most recent ACK when this piece began (copied: lastClientAck changes in place)
        if (this.clientAcked) {
          const a = this.lastClientAck;
          last.peerFrame = a.frame;
          last.peerTime = a.time;
          last.peerOffset = a.offset;
        } else last.peerFrame = -1;
      }
      if (this.lineOut.line) this.serverLine(this.lineOut.line, this.serverLines.takePieces());
    }
  }

  /** A server segment that starts like a reply line (startsReply) while a line or a reply is open. */
  private replyStartsMidReply(buf: Buffer, pos: number, meta: SegmentMeta): void {
    if (this.serverLines.inLine && replyCode(this.serverLines.head) !== null) {
      // a segment that starts like a new reply line while the previous line was never terminated:
      // the server left out the CRLF (bare-cr-lf-in-reply reports it); end the line here
      const line = this.serverLines.flush(meta);
      if (line) this.serverLine(line, this.serverLines.takePieces(), true);
    }
    const open = this.openReply;
    if (this.serverMode === "smtp" && open !== null && !this.serverLines.inLine && open.lineInfo.length > 0
      && this.pending.length - this.pendingHead >= 2 && (buf[pos] - 48) * 100 + (buf[pos + 1] - 48) * 10 + (buf[pos + 2] - 48) !== open.code) {
      // A new segment starts a reply with another code while a multi-line reply is open and the
      // client is waiting for the replies to two commands: the open reply was never finished.
      // It keeps its command's place, so the new reply answers the next command.
      open.abandoned = true;
      this.openReply = null;
      this.finishReplyFrames(open);
      this.pairReply(open);
    }
  }

  /** After a gap in the server's stream: skip to a line that starts like a reply line (or TLS). Returns where to go on, -1 when the segment is used up. */
  private serverResync(buf: Buffer, pos: number, end: number, base: number, meta: SegmentMeta): number {
    // the client already speaks TLS: the lost server bytes held the STARTTLS 220 (or the
    // start of the TLS handshake), and what follows is TLS
    if (this.clientMode === "tls") {
      this.startTls("server", meta, base + pos);
      this.serverMode = "tls";
      this.tlsBytes(this.serverDir, buf, pos, end, base + pos, meta);
      return -1;
    }
    // resume at a line that starts like a reply line (a complete line that begins exactly at
    // the gap's end is kept); skip the rest of a line the gap cut
    if (this.serverResyncAtLine && startsReply(buf, pos, end)) {
      this.serverMode = "smtp";
      return pos;
    }
    const lf = buf.indexOf(10, pos);
    if (lf < 0 || lf >= end) {
      this.serverResyncAtLine = false;
      return -1;
    }
    this.serverResyncAtLine = true;
    return lf + 1;
  }

  private newReply(start: number, time: number, afterStartTls: boolean): Reply {
    const reply: Reply = {
      index: this.s.replies.length, code: null, lines: [], lineInfo: [], linesDropped: 0, frames: [], segments: [],
      complete: false, command: null, greeting: false, afterStartTls, start, end: start, firstTime: time, lastTime: time,
    };
    if (this.inner) reply.inTls = true;
    if (this.s.replies.length < this.opts.maxItemsPerSession) this.s.replies.push(reply);
    else this.dropped++;
    return reply;
  }

  private serverLine(line: Line, pieces: LinePiece[], cut = false): void {
    if (this.s.tls !== null && this.s.tls.clientHelloFrame !== null) this.serverPlainAfterHello = true;
    const reply = this.openReply ?? this.newReply(line.start, line.time, this.serverMode === "after-starttls");
    this.openReply = reply;
    // the server's line assembler makes reply lines (code and separator read once, in the line's shape)
    const rl = line as ReplyLine;
    const code = rl.code;
    const sep = rl.sep;
    const idx = reply.lineInfo.length + reply.linesDropped;
    if (reply.lineInfo.length < this.opts.maxLinesPerReply) {
      reply.lineInfo.push(rl);
      reply.lines.push(line.text);
    } else reply.linesDropped++;
    const complete = line.terminator !== "none" || cut;
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      if (addPiece(reply.segments, p.frame, p.time, p.start, p.end, p.ackRel, this.relBase, idx, complete && i === pieces.length - 1, this.opts.maxSegmentsPerItem)) {
        const seg = reply.segments[reply.segments.length - 1];
        if (seg.peerAck === undefined && p.peerFrame >= 0) seg.peerAck = { frame: p.peerFrame, time: p.peerTime, offset: p.peerOffset };
      }
    }
    if (idx === 0) reply.code = code;
    reply.end = line.end;
    reply.lastTime = line.time;
    if (!complete) return; // closed or cut by a gap in mid-line: the reply stays incomplete
    // A hyphen announces more lines even when the code differs from the first line's
    // (multiline-code-mismatch reports that); ending the reply there would make its tail look unsolicited.
    const continues = code !== null && sep === "-";
    if (continues) return;
    reply.complete = true;
    this.openReply = null;
    this.finishReplyFrames(reply);
    this.pairReply(reply);
  }

  private finishReplyFrames(reply: Reply): void {
    reply.frames = uniqueFrames(reply.segments);
  }

  /** FIFO pairing (RFC 2920 §3.1): each command line, AUTH response and message takes one reply slot. */
  private pairReply(reply: Reply): void {
    if (reply.afterStartTls && !this.answersPlainAfterTls(reply)) return;
    if (!this.greetingDecided) {
      this.greetingDecided = true;
      const nothingPending = this.pendingHead >= this.pending.length;
      const greetingCode = reply.code === 220 || reply.code === 554 || reply.code === 521 || reply.code === 421;
      // A first reply that is no greeting code and came after the server had the first command's
      // CRLF (by its ACK) answers that command: the server sent no greeting at all.
      const first = nothingPending ? undefined : this.s.commands[this.pending[this.pendingHead]];
      const ack = reply.segments[0]?.ack;
      const answersCommand = !greetingCode && first !== undefined && ack !== null && ack !== undefined && ack >= first.end + this.relBase;
      if (answersCommand) this.note(`the server sent no greeting: its first reply (frame ${reply.frames[0]}) answers the first command`);
      if (!answersCommand && (this.flow.sawSyn || (nothingPending && reply.code === 220))) {
        reply.greeting = true;
        return;
      }
    }
    if (this.pendingHead >= this.pending.length) return; // unsolicited
    const idx = this.pending[this.pendingHead++];
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.pendingHead);
      this.pendingHead = 0;
    }
    const cmd = this.s.commands[idx];
    if (!cmd) return;
    cmd.replies.push(reply.index);
    reply.command = idx;
    if (cmd === this.message && this.clientMode === "data") this.serverEndedMessage(cmd);
    const code = reply.code;
    // a QUIT sent where a SASL response was due and answered 221: the server took it as QUIT after all
    if (cmd.takenAsAuthResponse && cmd.verb === "QUIT" && code === 221) cmd.takenAsAuthResponse = false;
    if (this.auth && (cmd.index === this.auth.cmd || cmd.kind === "auth-response" || cmd.takenAsAuthResponse)) {
      if (code === 334) this.auth.expectResponse = true;
      else this.auth = null;
    }
    if (reply.afterStartTls && cmd.verb === "EHLO" && code === 250 && this.s.tls?.mode === "starttls") this.decrypted(reply);
    if (cmd.takenAsAuthResponse) return;
    if (cmd.verb === "DATA" && cmd.kind === "command" && code !== 354) {
      if (this.clientMode === "data" && this.message === null) {
        this.clientMode = "command";
        this.scanner = null;
      }
    }
    if (cmd.verb === "STARTTLS" && cmd.kind === "command") {
      if (code === 220) {
        this.serverMode = "after-starttls";
        this.s.tls = {
          mode: "starttls", frame: reply.segments[reply.segments.length - 1]?.frame ?? 0, time: reply.lastTime,
          clientHelloFrame: null, serverHelloFrame: null, encrypted: false, plaintextFrame: null,
        };
        if (this.clientMode === "starttls-wait") this.clientMode = "tls-expected";
      } else if (this.clientMode === "starttls-wait") {
        this.clientMode = "command";
      }
    }
  }

  /**
   * A reply sent after the STARTTLS 220 answers a plaintext command the client sent after that 220
   * (the client went on in plaintext, or the capture holds the TLS phase decrypted) when the
   * server had received that command (its ACK covers it) before the reply began.
   */
  private answersPlainAfterTls(reply: Reply): boolean {
    if (this.plainCmdFrom < 0 || this.pendingHead >= this.pending.length) return false;
    const idx = this.pending[this.pendingHead];
    if (idx < this.plainCmdFrom) return false;
    const cmd = this.s.commands[idx];
    const ack = reply.segments[0]?.ack;
    return cmd !== undefined && (ack === null || ack === undefined || ack >= cmd.end + this.relBase);
  }

  /**
   * The server answered a plaintext EHLO after the STARTTLS 220 with a capability list: when that
   * list no longer offers STARTTLS, this is the TLS phase as a TLS-phase server answers it, and the
   * capture holds it decrypted. From the 220 on, the dialogue is dissected as plain SMTP.
   */
  private decrypted(reply: Reply): void {
    const tls = this.s.tls!;
    if (tls.decrypted || reply.lines.some((l) => /^250[- ]STARTTLS\b/i.test(l))) return;
    tls.decrypted = true;
    for (let i = this.plainCmdFrom; i < this.s.commands.length; i++) this.s.commands[i].afterStartTls = false;
    for (const r of this.s.replies) {
      if (r.afterStartTls && r.command !== null && r.command >= this.plainCmdFrom) r.afterStartTls = false;
    }
    this.plainCmdFrom = -1;
    if (this.serverMode === "after-starttls") this.serverMode = "smtp";
    this.note(`the capture holds the TLS phase decrypted: after the STARTTLS 220 (frame ${tls.frame}) no TLS record flows and the server answered EHLO (frame ${reply.frames[0]}) with a capability list without STARTTLS`);
  }

  /** TCP bytes of a side in TLS: to the TLS layer, if one is plugged in (else dropped) */
  private tlsBytes(dir: 0 | 1, buf: Buffer, pos: number, end: number, rel: number, meta: SegmentMeta): void {
    if (this.tlsOn[dir] && pos < end) this.tlsPhase!.data(dir, buf, pos, end, rel, meta);
  }

  /** TLS begins on `side` at its stream offset `rel`: the facts, and the TLS layer's start. */
  private startTls(side: "client" | "server", meta: { frame: number; time: number }, rel: number): void {
    const make = this.opts.tls;
    const dir = side === "server" ? this.serverDir : this.clientDir;
    if (make !== undefined && !this.inner && !this.tlsOn[dir]) {
      this.tlsPhase ??= make(this.sink, this.flow.index, this.clientDir);
      if (this.tlsPhase !== null) {
        this.tlsOn[dir] = true;
        this.tlsPhase.start(dir, rel);
      }
    }
    if (this.s.tls === null) {
      // a STARTTLS whose 220 the capture lost still started TLS by STARTTLS
      const mode = this.s.commands.some((c) => c.kind === "command" && c.verb === "STARTTLS") ? "starttls" : "implicit";
      this.s.tls = { mode, frame: meta.frame, time: meta.time, clientHelloFrame: null, serverHelloFrame: null, encrypted: false, plaintextFrame: null };
    }
    if (side === "client" && this.s.tls.clientHelloFrame === null) this.s.tls.clientHelloFrame = meta.frame;
    if (side === "server" && this.s.tls.serverHelloFrame === null) this.s.tls.serverHelloFrame = meta.frame;
  }

  // ---- client side -------------------------------------------------------------------------

  private clientData(buf: Buffer, pos: number, end: number, rel: number, meta: SegmentMeta): void {
    const base = rel - pos;
    while (pos < end) {
      switch (this.clientMode) {
        case "tls":
          this.tlsBytes(this.clientDir, buf, pos, end, base + pos, meta);
          return;
        case "resync":
          pos = this.clientResync(buf, pos, end, base, meta);
          if (pos < 0) return;
          continue;
        case "data": {
          if (this.message === null) this.message = this.newMessage(base + pos, meta.time);
          const msg = this.message;
          const stop = this.scanner!.scan(buf, pos, end, base + pos, meta.frame);
          const until = stop < 0 ? end : stop;
          if (this.opts.showData) {
            const st = msg.message!;
            const kept = st.content ?? "";
            if (kept.length < MAX_DATA_KEPT) st.content = kept + buf.toString("latin1", pos, Math.min(until, pos + MAX_DATA_KEPT - kept.length));
          }
          const st = msg.message!;
          st.segments++;
          const segs = msg.segments;
          const last = segs.length > 0 ? segs[segs.length - 1] : null;
          if (segs.length < this.opts.maxSegmentsPerMessage || (last !== null && last.frame === meta.frame && last.end === base + pos)) {
            addPiece(segs, meta.frame, meta.time, base + pos, base + until, meta.ackRel, this.relBase, 0, stop >= 0, this.opts.maxSegmentsPerMessage);
          }
          msg.end = base + until;
          if (stop < 0) return;
          this.finishMessage(msg);
          this.message = null;
          this.scanner = null;
          this.clientMode = "command";
          pos = stop;
          continue;
        }
        case "bdat":
          pos = this.bdatChunk(pos, end, base, meta);
          continue;
        default: {
          if (!this.clientLines.inLine && isTlsRecord(buf, pos, end)) {
            if (this.clientMode !== "command" || this.s.commands.length === 0 || this.plainCmdFrom >= 0) {
              this.startTls("client", meta, base + pos);
              this.clientMode = "tls";
              this.tlsBytes(this.clientDir, buf, pos, end, base + pos, meta);
              return;
            }
          }
          pos = this.clientLines.feed(buf, pos, end, base + pos, meta, this.lineOut);
          if (this.lineOut.line) this.clientLine(this.lineOut.line, this.clientLines.takePieces());
        }
      }
    }
  }

  /** After a gap in the client's stream: skip to a line that starts with a known verb (or TLS). Returns where to go on, -1 when the segment is used up. */
  private clientResync(buf: Buffer, pos: number, end: number, base: number, meta: SegmentMeta): number {
    if (this.clientResyncAtLine) {
      // a ClientHello after a lost STARTTLS (or its lost 220): the session switches to TLS
      // (a TLS handshake record is no command line)
      if (isTlsRecord(buf, pos, end) && (buf[pos + 2] ?? 0) <= 0x04) {
        this.startTls("client", meta, base + pos);
        this.clientMode = "tls";
        this.tlsBytes(this.clientDir, buf, pos, end, base + pos, meta);
        return -1;
      }
      // resume at a line that starts with a known verb (a complete line that begins exactly
      // at the gap's end is kept); lines of a message whose DATA was lost are skipped
      if (startsCommand(buf, pos, end)) {
        this.clientMode = "command";
        return pos;
      }
    }
    const lf = buf.indexOf(10, pos);
    if (lf < 0 || lf >= end) {
      this.clientResyncAtLine = false;
      return -1;
    }
    this.clientResyncAtLine = true;
    return lf + 1;
  }

  /** Octets of a BDAT chunk (client stream offset of `pos`: base + pos). Returns the position after them. */
  private bdatChunk(pos: number, end: number, base: number, meta: SegmentMeta): number {
    const n = Math.min(this.bdatLeft, end - pos);
    const cmd = this.bdat!;
    cmd.bdat!.received += n;
    addPiece(cmd.segments, meta.frame, meta.time, base + pos, base + pos + n, meta.ackRel, this.relBase, 0, false, this.opts.maxSegmentsPerItem);
    cmd.end = base + pos + n;
    this.bdatLeft -= n;
    if (this.bdatLeft === 0) {
      this.clientMode = "command";
      cmd.frames = uniqueFrames(cmd.segments);
    }
    return pos + n;
  }

  private newCommand(kind: Command["kind"], verb: string, line: string, start: number, time: number): Command {
    const cmd: Command = {
      index: this.s.commands.length, kind, verb, line, frames: [], time, segments: [], start, end: start,
      lineInfo: null, replies: [], afterStartTls: this.clientMode === "starttls-wait" || this.clientMode === "tls-expected" || this.plainCmdFrom >= 0,
      secret: false,
    };
    if (this.inner) cmd.inTls = true;
    if (this.s.commands.length < this.opts.maxItemsPerSession) {
      this.s.commands.push(cmd);
      this.pending.push(cmd.index);
    } else this.dropped++;
    return cmd;
  }

  private newMessage(start: number, time: number): Command {
    const cmd = this.newCommand("message", "", "", start, time);
    cmd.message = this.scanner!.stats;
    return cmd;
  }

  /**
   * The server answered the message while the client had not sent CRLF.CRLF. If the message so far
   * ends exactly with a non-standard end-of-data (a bare-LF ".", say), the server took that as the
   * end (server-accepts-nonstandard-eod reports it): the dialogue follows the server's view, the
   * message ends there and the client's next bytes are commands again.
   */
  private serverEndedMessage(msg: Command): void {
    const st = msg.message!;
    const fake = st.nonstandardEnds[st.nonstandardEnds.length - 1];
    if (!fake || fake.end !== msg.end || st.endOfData !== null) return;
    st.endOfData = fake.sequence;
    st.endFrame = fake.frame;
    st.endOffset = fake.end;
    this.finishMessage(msg);
    this.message = null;
    this.scanner = null;
    this.clientMode = "command";
    this.note(`the server answered the message after \`${fake.sequence}\` (frame ${fake.frame}): the dialogue follows the server, which took it as the end of data`);
  }

  private finishMessage(msg: Command): void {
    const st = msg.message!;
    msg.frames = uniqueFrames(msg.segments);
    msg.line = `<message: ${st.bytes} bytes, ${st.lines} lines${st.endOfData === null ? ", no end-of-data" : ""}>`;
  }

  private clientLine(line: Line, pieces: LinePiece[]): void {
    const text = line.text;
    let cmd: Command;
    if (!this.evidence.clientLine(text)) {
      // a 220 banner, then a client that does not speak SMTP (FTP USER/PASS, …): nothing of it is kept
      this.s.commands.length = 0;
      this.s.replies.length = 0;
      return;
    }
    if (this.clientMode === "tls-expected") {
      // STARTTLS was accepted, yet the client goes on in plaintext: dissected as plain SMTP
      this.clientMode = "command";
      this.plainCmdFrom = this.s.commands.length;
      if (this.s.tls && this.s.tls.plaintextFrame === null) this.s.tls.plaintextFrame = pieces[0]?.frame ?? line.frame;
    }
    // A known SMTP command line where the server expects a SASL response (a client that lost track
    // of the dialogue, e.g. `QUIT` after 334): shown as the command it is, taking the response's slot.
    const verbLine = this.auth !== null && this.auth.expectResponse && isCommandLine(text);
    // Inside an AUTH exchange every line that is not plainly a command is a SASL response:
    // when a 334 went missing, guessing "command" would print a password.
    if (this.auth && !verbLine && (this.auth.expectResponse || !COMMAND_RE.test(text))) {
      cmd = this.authResponse(this.auth, text, line, pieces);
    } else {
      const sp = text.indexOf(" ");
      const verb = (sp < 0 ? text : text.slice(0, sp)).toUpperCase();
      const args = sp < 0 ? "" : text.slice(sp + 1);
      cmd = verb === "AUTH" ? this.authCommand(text, sp, args, line, pieces, verbLine)
        : this.newCommand("command", verb, text, line.start, pieces[0]?.time ?? line.time);
      if (verbLine) {
        cmd.takenAsAuthResponse = true;
        this.auth!.expectResponse = false;
      } else if (line.terminator !== "none") {
        if (verb === "DATA" && args === "") {
          this.clientMode = "data";
          this.scanner = new DataScanner(line.end);
          this.message = null;
        } else if (verb === "BDAT") {
          this.bdatCommand(cmd, args);
        } else if (verb === "STARTTLS") {
          this.clientMode = "starttls-wait";
        }
      }
    }
    // the model never keeps a secret the reports would have to remember to hide
    cmd.lineInfo = cmd.secret && !this.opts.showSecrets ? { ...line, text: cmd.line } : line;
    cmd.end = line.end;
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      addPiece(cmd.segments, p.frame, p.time, p.start, p.end, p.ackRel, this.relBase, 0, line.terminator !== "none" && i === pieces.length - 1, this.opts.maxSegmentsPerItem);
    }
    cmd.frames = uniqueFrames(cmd.segments);
  }

  /** A line inside an AUTH exchange taken as a SASL response (redacted unless --show-secrets). */
  private authResponse(auth: { cmd: number; expectResponse: boolean; mech: string }, text: string, line: Line, pieces: LinePiece[]): Command {
    auth.expectResponse = false;
    const shown = text === "*" ? "*" : this.opts.showSecrets ? text : `[redacted ${text.length} bytes]`;
    const cmd = this.newCommand("auth-response", "", shown, line.start, pieces[0]?.time ?? line.time);
    cmd.secret = text !== "*";
    if (text !== "*") cmd.saslBase64 = isBase64(text);
    if (auth.mech === "LOGIN" && auth.cmd === cmd.index - 1) {
      const user = describeAuth("LOGIN", text).user;
      if (user !== undefined) cmd.authUser = user;
    }
    return cmd;
  }

  /** An AUTH command: its initial response redacted unless --show-secrets; the exchange begins unless the line took a SASL response's slot. */
  private authCommand(text: string, sp: number, args: string, line: Line, pieces: LinePiece[], verbLine: boolean): Command {
    const parts = args.split(" ");
    const mech = (parts[0] ?? "").toUpperCase();
    const ir = parts.length > 1 ? parts.slice(1).join(" ") : null;
    let shown = text;
    if (ir !== null && ir !== "" && ir !== "=" && !this.opts.showSecrets) shown = `${text.slice(0, sp)} ${parts[0]} [redacted ${ir.length} bytes]`;
    const cmd = this.newCommand("command", "AUTH", shown, line.start, pieces[0]?.time ?? line.time);
    if (ir !== null && ir !== "=") {
      cmd.secret = true;
      cmd.saslBase64 = isBase64(ir);
      const user = describeAuth(mech, ir).user;
      if (user !== undefined) cmd.authUser = user;
    }
    if (!verbLine) this.auth = { cmd: cmd.index, expectResponse: ir === null, mech };
    return cmd;
  }

  /** A complete BDAT command line: its chunk follows when the size is well-formed and not zero. */
  private bdatCommand(cmd: Command, args: string): void {
    const m = /^([0-9]{1,15})(?: +(LAST))? *$/i.exec(args);
    if (!m) return;
    const size = Number(m[1]);
    cmd.bdat = { size, last: m[2] !== undefined, received: 0, framing: null };
    if (size > 0) {
      this.clientMode = "bdat";
      this.bdatLeft = size;
      this.bdat = cmd;
    }
  }
}

/**
 * A line that is plainly an SMTP command and cannot be a SASL response: a known verb, and not a
 * BASE64 string that decodes to readable text (a user name or password).
 */
function isCommandLine(text: string): boolean {
  if (!COMMAND_RE.test(text)) return false;
  if (!isBase64(text)) return true;
  const decoded = Buffer.from(text, "base64").toString("utf8");
  return !/^[\x20-\x7e]+$/.test(decoded);
}

function uniqueFrames(segs: Segment[]): number[] {
  const out: number[] = [];
  for (const s of segs) if (out.length === 0 || out[out.length - 1] !== s.frame) out.push(s.frame);
  return out;
}
