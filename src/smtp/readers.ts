import type { SegmentMeta } from "../tcp/reassembly.js";
import { DialogueState } from "./dialogue-state.js";
import { addPiece, isAnyTlsRecord, isTlsRecord, replyCode, startsCommand, startsReply, uniqueFrames, type LinePiece } from "./lines.js";
import type { Command, Line, Reply, ReplyLine } from "./model.js";

/**
 * The two sides' line readers: server bytes into reply lines and logical replies, client bytes
 * into command lines, SASL responses, message content and BDAT chunks, each with the segments
 * that carried it; resynchronisation after a gap; where TLS begins on each side.
 */
export abstract class LineReaders extends DialogueState {
  // ---- server side -------------------------------------------------------------------------

  protected serverData(buf: Buffer, pos: number, end: number, rel: number, meta: SegmentMeta): void {
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
        // TLS may follow: the client's STARTTLS was accepted or it spoke TLS; or a complete 220
        // after the greeting (only STARTTLS is answered 220) when the capture lacks the client's
        // STARTTLS (one direction only): a TLS record there is TLS, never a reply
        const rs = this.s.replies;
        const prev = rs.length >= 2 ? rs[rs.length - 1] : undefined;
        const after220 = prev !== undefined && prev.complete && prev.code === 220;
        const tlsMayFollow = mode === "after-starttls" || this.clientMode === "tls" || after220;
        if ((isTlsRecord(buf, pos, end) || (tlsMayFollow && isAnyTlsRecord(buf, pos, end))) && (tlsMayFollow || (rs.length === 0 && (this.s.tls === null || this.s.tls.mode === "implicit")))) {
          const fresh = this.s.tls === null;
          this.startTls("server", meta, base + pos);
          // TLS after a 220 that answered STARTTLS, not TLS from the first byte
          if (fresh && after220 && this.s.tls !== null) this.s.tls.mode = "starttls";
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
  protected replyStartsMidReply(buf: Buffer, pos: number, meta: SegmentMeta): void {
    const pieces = this.serverLines.pieces;
    if (this.serverLines.inLine && replyCode(this.serverLines.head) !== null && pieces.length > 0 && pieces[pieces.length - 1].ackRel < meta.ackRel) {
      // a segment that starts like a new reply line while the previous line was never terminated,
      // and it acknowledges client bytes the line's last segment did not (the server wrote it
      // after the client spoke): the server left out the CRLF (bare-cr-lf-in-reply reports it);
      // end the line here. With the same ACK it is the same write cut by TCP ("… +0" "200\r\n").
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
  protected serverResync(buf: Buffer, pos: number, end: number, base: number, meta: SegmentMeta): number {
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

  protected newReply(start: number, time: number, afterStartTls: boolean): Reply {
    const reply: Reply = {
      index: this.s.replies.length, code: null, lines: [], lineInfo: [], linesDropped: 0, frames: [], segments: [],
      complete: false, command: null, greeting: false, afterStartTls, start, end: start, firstTime: time, lastTime: time,
    };
    if (this.inner) reply.inTls = true;
    if (this.s.replies.length < this.opts.maxItemsPerSession) this.s.replies.push(reply);
    else this.dropped++;
    return reply;
  }

  protected serverLine(line: Line, pieces: LinePiece[], cut = false): void {
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


  // ---- client side -------------------------------------------------------------------------

  protected clientData(buf: Buffer, pos: number, end: number, rel: number, meta: SegmentMeta): void {
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
          const stop = this.data_.feed(buf, pos, end, base, meta, this.relBase);
          if (stop < 0) return;
          this.clientMode = "command";
          pos = stop;
          continue;
        }
        case "bdat":
          pos = this.bdat.chunk(pos, end, base, meta, this.relBase);
          if (this.bdat.left === 0) this.clientMode = "command";
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
  protected clientResync(buf: Buffer, pos: number, end: number, base: number, meta: SegmentMeta): number {
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


  protected clientLine(line: Line, pieces: LinePiece[]): void {
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
    const time = pieces[0]?.time ?? line.time;
    const auth = this.auth.classify(text);
    if (auth === "response") {
      cmd = this.auth.response(text, line, time);
    } else {
      const sp = text.indexOf(" ");
      const verb = (sp < 0 ? text : text.slice(0, sp)).toUpperCase();
      const args = sp < 0 ? "" : text.slice(sp + 1);
      cmd = verb === "AUTH" ? this.auth.command(text, sp, args, line, time, auth === "verb") : this.newCommand("command", verb, text, line.start, time);
      if (auth === "verb") {
        this.auth.tookResponseSlot(cmd);
      } else if (line.terminator !== "none") {
        if (verb === "DATA" && args === "") {
          this.clientMode = "data";
          this.data_.begin(line.end);
        } else if (verb === "BDAT") {
          if (this.bdat.command(cmd, args)) this.clientMode = "bdat";
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
}
