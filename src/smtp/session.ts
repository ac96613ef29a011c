import type { Reassembler, SegmentMeta } from "../tcp/reassembly.js";
import type { TlsFacts } from "../tls/connection.js";
import type { TunnelApp, TunnelKind } from "../stream/tunnel.js";
import { markUserAsMailFrom } from "./auth.js";
import { addCompleteness } from "./completeness.js";
import { MAX_GAPS_KEPT } from "./dialogue-state.js";
import { LineReaders } from "./readers.js";
import type { Session } from "./model.js";

export { DEFAULT_DISSECT, type DissectOptions, type Evidence } from "./options.js";
export { MAX_DATA_KEPT } from "./message.js";

/**
 * The SMTP dissector for one TCP connection: turns the two reassembled byte streams into
 * commands and logical replies, each with the segments that carried it. It judges nothing;
 * the rules read the model it builds. This file holds what the stream layers call (TCP bytes,
 * gaps, ACKs, closes, a tunnel in front); readers.ts reads lines, dialogue-state.ts pairs them.
 */
export class SmtpSession extends LineReaders implements TunnelApp {
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

  tunnelReplied(meta: SegmentMeta): void {
    // (a SOCKS reply may complete before tunnelOpened, in the same segment)
    const t = (this.s.tunnel ??= { kind: "socks5", port: 0, replyFrame: null, replyTime: null });
    if (t.replyFrame === null) {
      t.replyFrame = meta.frame;
      t.replyTime = meta.time;
    }
  }

  tunnelFound(): void {
    this.evidence.found();
  }

  tunnelOpened(kind: TunnelKind, version: number, port: number): void {
    const t = (this.s.tunnel ??= { kind: "http-connect", port: 0, replyFrame: null, replyTime: null });
    t.kind = kind === "http-connect" ? kind : version === 4 ? "socks4" : "socks5";
    t.port = port;
    if (kind === "http-connect") {
      this.note("SMTP carried inside an HTTP CONNECT tunnel: the HTTP request and response are skipped");
      if (port > 0) this.evidence.tunnel(port, false);
    } else {
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
  protected streamGap(side: "client" | "server", rel: number, len: number, frame: number, time: number): void {
    if (side === "server") {
      if (this.serverMode === "tls" || this.serverMode === "after-starttls") return;
      if (this.serverLines.inLine) {
        this.serverLines.markGap();
        const line = this.serverLines.flush({ frame, time });
        if (line) this.serverLine(line, this.serverLines.takePieces());
      }
      if (this.openReply) {
        this.cutGreeting(this.openReply);
        this.openReply = null; // reply stays incomplete
      }
      this.serverMode = "resync";
      this.serverResyncAtLine = true;
      this.note(`server bytes ${rel}..${rel + len} missing (frame ${frame}): reply parsing resynchronised at the next line`);
    } else {
      switch (this.clientMode) {
        case "tls":
          return;
        case "data":
          this.data_.gap(len);
          this.note(`client bytes ${rel}..${rel + len} missing (frame ${frame}) inside message data: end-of-data detection uncertain`);
          return;
        case "bdat":
          if (this.bdat.gap(len)) {
            if (this.bdat.left === 0) this.clientMode = "command";
            return;
          }
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
    const cd = (sd ^ 1) as 0 | 1;
    if (this.serverMode !== "tls" && this.serverLines.inLine) {
      // a line still open at the end: its rest may lie beyond what the capture holds
      if (!endProven(s, "server", r, sd)) this.serverLines.markGap();
      const line = this.serverLines.flush(end);
      if (line) this.serverLine(line, this.serverLines.takePieces());
    }
    if (this.openReply) {
      this.finishReplyFrames(this.openReply);
      if (!this.openReply.complete) this.pairOpenReply(this.openReply);
    }
    if (this.clientLines.inLine && (this.clientMode === "command" || this.clientMode === "starttls-wait" || this.clientMode === "tls-expected")) {
      if (!endProven(s, "client", r, cd)) this.clientLines.markGap();
      const line = this.clientLines.flush(end);
      if (line) this.clientLine(line, this.clientLines.takePieces());
    }
    this.data_.end();
    if (s.commands.some((c) => c.authUser !== undefined)) markUserAsMailFrom(s.commands, this.opts);
    if (this.gapsDropped > 0) s.notes.push(`${this.gapsDropped} further capture gaps were counted but not listed`);
    if (this.dropped > 0) {
      // the timeline's cap: what was not kept cannot be judged, and a verdict must not claim it was
      s.limits.push({ kind: "timeline-capped", text: `${this.dropped} commands and replies beyond the first ${this.opts.maxItemsPerSession} of each kind in this session were counted but not kept, so not judged` });
    }
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
    for (let ix = 0; ix < s.commands.length; ix++) {
      const c = s.commands[ix];
      if (c.takenAsAuthResponse && c.replies.length === 0) c.takenAsAuthResponse = false;
    }
    if (r) {
      // where each side's RST lies against the bytes the capture holds of that side
      const base = s.sawSyn ? 1 : 0;
      for (const [side, dir] of [["client", cd], ["server", sd]] as const) {
        const e = s.close[side], x = r.rstSeq(dir);
        if (e !== null && e.kind === "rst" && x !== null) e.rstSeq = { seq: x.rel + base, expected: x.next + base };
      }
    }
    addCompleteness(s, {
      client: { packets: r ? r.packets(cd) : 0, unseen: r ? r.unseenAcked(cd) : null },
      server: { packets: r ? r.packets(sd) : 0, unseen: r ? r.unseenAcked(sd) : null },
    }, f.reset, f.endedBy);
    this.onDone(s);
  }
}

/**
 * The side's byte stream provably ends with the bytes the capture holds: the side closed (its FIN,
 * or an RST at the next sequence number the capture expected) and its peer acknowledged nothing
 * beyond them. Otherwise a line still open at the end may go on in bytes the capture lacks.
 */
function endProven(s: Session, side: "client" | "server", r: Reassembler | null | undefined, dir: 0 | 1): boolean {
  const e = s.close[side];
  if (e === null) return false;
  if (!r) return true;
  if (r.unseenAcked(dir) !== null) return false;
  if (e.kind === "fin") return true;
  const x = r.rstSeq(dir);
  return x !== null && x.rel === x.next;
}
