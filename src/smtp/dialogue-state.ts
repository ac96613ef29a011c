import type { Flow } from "../tcp/flows.js";
import type { SegmentMeta } from "../tcp/reassembly.js";
import type { RecordMeta, TlsPhase, TlsSink } from "../stream/tls-slot.js";
import { plural } from "../text/plural.js";
import { AuthExchange } from "./auth-exchange.js";
import { LineAssembler, uniqueFrames } from "./lines.js";
import { BdatReader, MessageReader } from "./message.js";
import type { AckEvent, Command, Line, Reply, Session } from "./model.js";
import { DEFAULT_DISSECT, type DissectOptions, type Evidence } from "./options.js";

export type ServerMode = "smtp" | "resync" | "after-starttls" | "tls";
export type ClientMode = "command" | "resync" | "data" | "bdat" | "starttls-wait" | "tls-expected" | "tls";

/** gaps (and notes) listed per session; more are counted */
export const MAX_GAPS_KEPT = 100;

/**
 * What the SMTP dissector of one connection knows while it reads (the base of SmtpSession): the
 * model being built, both sides' modes, the FIFO pairing of replies with commands (RFC 2920 §3.1)
 * and what a reply changes, and the switch into TLS (stream/tls-slot.ts). The line readers
 * (readers.ts) and the stream entry points (session.ts) build on it.
 */
export abstract class DialogueState {
  readonly s: Session;
  protected relBase = 0;
  protected serverLines = new LineAssembler(true);
  protected clientLines = new LineAssembler(false);
  protected openReply: Reply | null = null;
  protected serverMode: ServerMode = "smtp";
  protected clientMode: ClientMode = "command";
  protected pending: number[] = [];
  protected pendingHead = 0;
  protected greetingDecided = false;
  protected readonly newCmd = this.newCommand.bind(this);
  protected readonly data_: MessageReader;
  protected readonly bdat: BdatReader;
  protected readonly auth: AuthExchange;
  /** after a STARTTLS 220 the client went on in plaintext: index of its first plaintext command (-1: not so) */
  protected plainCmdFrom = -1;
  /** the server sent plaintext SMTP after the client's ClientHello */
  protected serverPlainAfterHello = false;
  protected readonly lastClientAck: AckEvent = { frame: 0, time: 0, offset: 0 };
  protected clientAcked = false;
  protected sawServerData = false;
  protected sawClientData = false;
  protected dropped = 0;
  protected gapsDropped = 0;
  protected readonly lineOut: { line: Line | null } = { line: null };
  /** the TLS layer of this connection, once TLS began and a TLS layer is plugged in (else null) */
  protected tlsPhase: TlsPhase | null = null;
  /** the dialogue goes on in the plaintext inside TLS (a TLS layer decrypts): offsets are plaintext offsets */
  protected inner = false;
  /** per TCP direction: its bytes go to tlsPhase (TLS began there and a TLS layer is plugged in) */
  protected readonly tlsOn: [boolean, boolean] = [false, false];
  /** what the TLS layer feeds the plaintext into: the same line, command and reply machinery */
  protected readonly sink: TlsSink = {
    data: (dir, buf, start, end, plainRel, meta) => this.plainData(dir, buf, start, end, plainRel, meta),
    gap: (dir, plainRel, len, frame, time) => this.streamGap(dir === this.serverDir ? "server" : "client", plainRel, len, frame, time),
  };
  /** while resynchronising after a gap: the next byte starts a line (the gap's end, or after an LF) */
  protected serverResyncAtLine = false;
  protected clientResyncAtLine = false;

  constructor(protected readonly flow: Flow, protected readonly onDone: (s: Session) => void, protected readonly evidence: Evidence,
    protected readonly opts: DissectOptions = DEFAULT_DISSECT, protected readonly onSkip: (why: "no-payload" | "not-smtp") => void = () => {}) {
    this.data_ = new MessageReader(opts.showData, opts.maxSegmentsPerMessage, this.newCmd);
    this.bdat = new BdatReader(opts.maxSegmentsPerItem);
    this.auth = new AuthExchange(opts, this.newCmd);
    this.s = {
      index: 0, tcpStream: flow.index, client: "", server: "", clientPort: 0, serverPort: 0,
      roles: "syn", sawSyn: false, firstFrame: flow.firstFrame, lastFrame: flow.firstFrame,
      startTime: flow.firstTime, endTime: flow.firstTime,
      bytes: { client: 0, server: 0 }, retransmitted: { client: 0, server: 0 },
      tls: null, commands: [], replies: [], gaps: [], close: { client: null, server: null }, notes: [],
      clientFirstBytes: "", serverFirstBytes: "", limits: [],
    };
  }

  protected get serverDir(): 0 | 1 {
    return this.flow.serverDir === 0 ? 0 : 1;
  }

  protected get clientDir(): 0 | 1 {
    return this.flow.serverDir === 0 ? 1 : 0;
  }


  /** server bytes buf[pos, end) at stream offset `rel` (readers.ts) */
  protected abstract serverData(buf: Buffer, pos: number, end: number, rel: number, meta: SegmentMeta): void;
  /** client bytes buf[pos, end) at stream offset `rel` (readers.ts) */
  protected abstract clientData(buf: Buffer, pos: number, end: number, rel: number, meta: SegmentMeta): void;
  /** bytes [rel, rel + len) of one side's byte stream are missing (session.ts) */
  protected abstract streamGap(side: "client" | "server", rel: number, len: number, frame: number, time: number): void;

  protected note(text: string): void {
    if (this.s.notes.length < MAX_GAPS_KEPT) this.s.notes.push(text);
  }

  protected newCommand(kind: Command["kind"], verb: string, line: string, start: number, time: number): Command {
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

  protected finishReplyFrames(reply: Reply): void {
    reply.frames = uniqueFrames(reply.segments);
  }

  /** FIFO pairing (RFC 2920 §3.1): each command line, AUTH response and message takes one reply slot. */
  protected pairReply(reply: Reply): void {
    const cmd = this.takeSlot(reply);
    if (cmd !== null) this.replied(cmd, reply);
  }

  /**
   * The capture ended inside a reply (its final line is not in the capture): it still answers the
   * oldest outstanding command when that command was complete before the reply began (the
   * reply's first segment acknowledged it, or it came earlier in the capture). It stays incomplete.
   */
  protected pairOpenReply(reply: Reply): void {
    if (!this.greetingDecided || this.pendingHead >= this.pending.length) {
      this.takeSlot(reply);
      return;
    }
    const cmd = this.s.commands[this.pending[this.pendingHead]];
    const ack = reply.segments[0]?.ack;
    const before = cmd !== undefined && ((ack !== null && ack !== undefined && ack >= cmd.end + this.relBase)
      || (cmd.frames.length > 0 && reply.frames.length > 0 && cmd.frames[cmd.frames.length - 1] < reply.frames[0]));
    if (before) this.takeSlot(reply);
  }

  /**
   * A reply the capture cut (a gap ends it): it is the greeting when it is the server's first
   * bytes of a connection whose start was captured and its code is a greeting code, as takeSlot
   * decides for a whole one; otherwise it stays unpaired.
   */
  protected cutGreeting(reply: Reply): void {
    if (this.greetingDecided || !this.flow.sawSyn || reply.index !== 0 || reply.start !== 0 || reply.afterStartTls) return;
    const code = reply.code;
    if (code !== 220 && code !== 554 && code !== 521 && code !== 421) return;
    this.greetingDecided = true;
    reply.greeting = true;
  }

  /** The command slot `reply` takes (FIFO), or null: the greeting, unsolicited, or a reply after the STARTTLS 220. */
  private takeSlot(reply: Reply): Command | null {
    if (reply.afterStartTls && !this.answersPlainAfterTls(reply)) return null;
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
        return null;
      }
    }
    if (this.pendingHead >= this.pending.length) return null; // unsolicited
    const idx = this.pending[this.pendingHead++];
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.pendingHead);
      this.pendingHead = 0;
    }
    const cmd = this.s.commands[idx];
    if (!cmd) return null;
    // a reply beyond the timeline's cap is not kept: a kept command must not name it
    if (this.s.replies[reply.index] !== reply) return cmd;
    cmd.replies.push(reply.index);
    reply.command = idx;
    return cmd;
  }

  /** What the reply to `cmd` changes: the end of a message, the AUTH exchange, DATA, STARTTLS. */
  private replied(cmd: Command, reply: Reply): void {
    if (cmd === this.data_.message && this.clientMode === "data") {
      const fake = this.data_.serverEnded();
      if (fake !== null) {
        this.clientMode = "command";
        this.note(`the server answered the message after \`${fake.sequence}\` (frame ${fake.frame}): the dialogue follows the server, which took it as the end of data`);
        const t = fake.tail;
        if (t !== null) {
          this.note(`the ${plural(t.buf.length, "octet")} after it in frame ${t.meta.frame} ${t.buf.length === 1 ? "is" : "are"} read as commands, as the server read them`);
          this.clientData(t.buf, 0, t.buf.length, t.rel, t.meta);
        }
      }
    }
    const code = reply.code;
    this.auth.replied(cmd, code);
    if (reply.afterStartTls && cmd.verb === "EHLO" && code === 250 && this.s.tls?.mode === "starttls") this.decrypted(reply);
    if (cmd.takenAsAuthResponse) return;
    if (cmd.verb === "DATA" && cmd.kind === "command" && code !== 354) {
      if (this.clientMode === "data" && this.data_.message === null) {
        this.clientMode = "command";
        this.data_.cancel();
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
  protected answersPlainAfterTls(reply: Reply): boolean {
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
  protected decrypted(reply: Reply): void {
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

  /** Plaintext from the TLS layer (plaintext offsets; the records' frames and translated ACKs in `meta`). */
  protected plainData(dir: 0 | 1, buf: Buffer, start: number, end: number, plainRel: number, meta: RecordMeta): void {
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
  protected enterPlaintext(meta: RecordMeta): void {
    this.inner = true;
    if (this.openReply) this.finishReplyFrames(this.openReply);
    this.openReply = null;
    this.serverLines = new LineAssembler(true);
    this.clientLines = new LineAssembler(false);
    this.serverMode = "smtp";
    this.clientMode = "command";
    this.pendingHead = this.pending.length;
    this.auth.reset();
    this.data_.end();
    this.bdat.reset();
    this.plainCmdFrom = -1;
    this.clientAcked = false;
    const tls = this.s.tls;
    if (tls !== null) tls.decrypted = true;
    this.note(`the TLS phase is decrypted: from frame ${meta.frame} on the dialogue is read from the TLS plaintext (offsets are plaintext offsets)`);
  }

  /** TCP bytes of a side in TLS: to the TLS layer, if one is plugged in (else dropped) */
  protected tlsBytes(dir: 0 | 1, buf: Buffer, pos: number, end: number, rel: number, meta: SegmentMeta): void {
    if (this.tlsOn[dir] && pos < end) this.tlsPhase!.data(dir, buf, pos, end, rel, meta);
  }

  /** TLS begins on `side` at its stream offset `rel`: the facts, and the TLS layer's start. */
  protected startTls(side: "client" | "server", meta: { frame: number; time: number }, rel: number): void {
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
}
