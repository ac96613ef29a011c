import type { SegmentMeta } from "../tcp/reassembly.js";
import { Tls12Opener, Tls13Opener, keyBlock12, type RecordOpener } from "./crypto.js";
import { Malformed, parseCertificate, parseClientHello, parseServerHello, type CertificateMessageFacts, type ClientHelloFacts, type ServerHelloFacts } from "./handshake.js";
import type { KeyLog } from "./keylog.js";
import { CIPHER_SUITES, alertName, handshakeName } from "./names.js";

export type TlsSide = "client" | "server";

/** Where a decrypted record came from: the segment that carried its last byte, and every frame that carried a part of it. */
export interface RecordMeta extends SegmentMeta {
  /** frames that carried the record, in order */
  frames: number[];
  /** index of the record among this direction's records (0 = first TLS record) */
  record: number;
}

/** Receives the decrypted application data of each direction, in order. */
export interface TlsSink {
  /** `ackRel` of `meta` is the peer's PLAINTEXT offset the segment's ACK covered (NaN when unknown) */
  data(dir: 0 | 1, buf: Buffer, start: number, end: number, plainRel: number, meta: RecordMeta): void;
  gap(dir: 0 | 1, plainRel: number, len: number, frame: number, time: number, reason: string): void;
}

export interface HandshakeMessageFacts {
  frame: number;
  from: TlsSide;
  type: string;
  /** read only by decrypting */
  decrypted: boolean;
}

export interface AlertFacts {
  frame: number;
  from: TlsSide;
  /** null when encrypted and not decrypted */
  level: "warning" | "fatal" | null;
  description: string | null;
  /** "plaintext", "encrypted, record type alert visible" (TLS ≤ 1.2), "encrypted, looks like application data (TLS 1.3)" */
  onWire: string;
  decrypted: boolean;
}

export interface TlsDirectionFacts {
  /** frame of this side's first TLS record; null: none */
  firstFrame: number | null;
  records: number;
  /** records that could not be read (encrypted without a key, or after a decryption failure) */
  encryptedRecords: number;
  /** application data records and bytes (decrypted, or encrypted application data records of TLS ≤ 1.2 / TLS 1.3 records after the handshake) */
  appRecords: number;
  appBytes: number;
  /** decrypted application data octets */
  plainBytes: number;
  changeCipherSpecFrame: number | null;
  finishedFrame: number | null;
  /** last record: frame, outer type, length (a 19-octet TLS 1.3 record at the end is the size of an encrypted alert) */
  last: { frame: number; type: number; length: number } | null;
}

export interface TlsDecryption {
  /** none: no key log given, or no ServerHello to use one with; no-key: no entry for this connection; decrypted / partial: some records read; failed: an error stopped it */
  status: "none" | "no-key" | "decrypted" | "partial" | "failed" | "unsupported";
  /** key source ("file.keys", "pcapng Decryption Secrets Block") */
  source: string | null;
  /** one sentence per limit: "no key for this connection (client random …)", "cannot decrypt from frame N: …" */
  notes: string[];
  /** first frame each side could not be decrypted from */
  failedFrom: { client: number | null; server: number | null };
}

export interface TlsFacts {
  /** frame of the first TLS record; null while none was seen */
  firstFrame: number | null;
  clientHello: ClientHelloFacts | null;
  /** the second ClientHello after a HelloRetryRequest */
  clientHelloRetry: ClientHelloFacts | null;
  helloRetryRequest: ServerHelloFacts | null;
  serverHello: ServerHelloFacts | null;
  /** negotiated version and suite (from the ServerHello) */
  version: string | null;
  cipherSuite: string | null;
  /** the server's Certificate (and the client's, when it sent one) */
  certificate: CertificateMessageFacts | null;
  clientCertificate: CertificateMessageFacts | null;
  handshake: HandshakeMessageFacts[];
  alerts: AlertFacts[];
  client: TlsDirectionFacts;
  server: TlsDirectionFacts;
  /** both Finished seen (decrypted, or TLS ≤ 1.2 encrypted Finished after ChangeCipherSpec each way, or TLS 1.3 traffic each way after the client's first flight); null: cannot tell */
  completed: boolean | null;
  /** the first close of the TCP connection (FIN or RST) seen by the TLS layer */
  firstClose: { from: TlsSide; kind: "fin" | "rst"; frame: number } | null;
  /** TCP bytes lost inside TLS (the rest of that direction cannot be read) */
  gaps: { from: TlsSide; frame: number; len: number; beforeHandshakeEnd: boolean }[];
  /** the bytes stopped looking like TLS records */
  notTls: { from: TlsSide; frame: number; offset: number } | null;
  decryption: TlsDecryption;
}

interface Seg {
  start: number;
  end: number;
  frame: number;
  time: number;
  seq: number;
  ackRel: number;
}

/** Largest TLSCiphertext length (RFC 8446 §5.2: 2^14 + 256; RFC 5246 allows 2^14 + 2048). */
const MAX_RECORD = 16384 + 2048;
const MAX_RECORD_LOG = 200;
const MAX_FREE_SEGS = 4;

class Dir {
  startRel = -1;
  /**
   * The bytes of an incomplete record, as copies (the capture's buffers are reused): a record is
   * gathered in parts and joined once, when its last byte arrives. `pendingLen` counts them (also
   * when `skipping`: a protected record that cannot be decrypted keeps only its 5-byte header).
   */
  pending: Buffer[] = [];
  pendingLen = 0;
  /** 5 + length of the record being gathered once its header is in, else 0 */
  recLen = 0;
  skipping = false;
  pendingRel = 0;
  segs: Seg[] = [];
  /** Seg objects of segments whose records were all read, to be used again (a few: most segments carry whole records) */
  freeSegs: Seg[] = [];
  dead = false;
  /** TLS ≤ 1.2: after this side's ChangeCipherSpec; TLS 1.3: records of type 23 are protected */
  encrypted = false;
  opener: RecordOpener | null = null;
  /** TLS 1.3 next opener (application traffic), taken after this side's Finished */
  nextOpener: RecordOpener | null = null;
  /** TLS 1.2 opener waiting for this side's ChangeCipherSpec */
  ccsOpener: RecordOpener | null = null;
  failed = false;
  hs: Buffer = EMPTY;
  plainRel = 0;
  records = 0;
  /** TCP end offset and plaintext end offset of each application data record (for plainAck) */
  ackTcp: number[] = [];
  ackPlain: number[] = [];
  /** TCP offset from which this direction's records are not read (a failure, a missing key, a gap, bytes that are not TLS): an ACK beyond it covers plaintext the capture cannot show */
  unreadTcp = Infinity;
  /** encrypted records of TLS 1.3 sent by this side */
  enc13 = 0;
  enc13AfterPeer = 0;
}

const EMPTY = Buffer.alloc(0);

function emptyDir(): TlsDirectionFacts {
  return { firstFrame: null, records: 0, encryptedRecords: 0, appRecords: 0, appBytes: 0, plainBytes: 0, changeCipherSpecFrame: null, finishedFrame: null, last: null };
}

/**
 * One TLS connection over both directions of a TCP connection: records, handshake messages,
 * alerts, and with a key log the decrypted application data, handed to a sink with the frames
 * that carried it. Knows nothing of what runs inside.
 */
export class TlsConnection {
  readonly facts: TlsFacts;
  /** records of both directions (first MAX_RECORD_LOG): side, frame, outer type, length */
  readonly recordLog: { from: TlsSide; frame: number; type: number; length: number }[] = [];
  private readonly dirs: [Dir, Dir] = [new Dir(), new Dir()];
  private readonly keys: KeyLog | null;
  private readonly sink: TlsSink | null;
  private readonly clientDir: 0 | 1;
  private tls13 = false;
  private versionId = 0;

  constructor(opts: { keys: KeyLog | null; sink: TlsSink | null; clientDir?: 0 | 1 }) {
    this.keys = opts.keys;
    this.sink = opts.sink;
    this.clientDir = opts.clientDir ?? 0;
    this.facts = {
      firstFrame: null, clientHello: null, clientHelloRetry: null, helloRetryRequest: null, serverHello: null, version: null, cipherSuite: null,
      certificate: null, clientCertificate: null, handshake: [], alerts: [], client: emptyDir(), server: emptyDir(), completed: false,
      firstClose: null, gaps: [], notTls: null,
      decryption: { status: "none", source: null, notes: [], failedFrom: { client: null, server: null } },
    };
  }

  private side(dir: 0 | 1): TlsSide {
    return dir === this.clientDir ? "client" : "server";
  }

  private df(dir: 0 | 1): TlsDirectionFacts {
    return dir === this.clientDir ? this.facts.client : this.facts.server;
  }

  /** TLS starts at this TCP stream offset of `dir`. */
  start(dir: 0 | 1, tcpRel: number): void {
    const d = this.dirs[dir];
    if (d.startRel >= 0) return;
    d.startRel = tcpRel;
    d.pendingRel = tcpRel;
  }

  started(dir: 0 | 1): boolean {
    return this.dirs[dir].startRel >= 0;
  }

  data(dir: 0 | 1, buf: Buffer, start: number, end: number, tcpRel: number, meta: SegmentMeta): void {
    const d = this.dirs[dir];
    if (d.startRel < 0 || d.dead) return;
    const at = d.pendingRel + d.pendingLen;
    if (tcpRel + (end - start) <= at) return;
    if (tcpRel < at) {
      start += at - tcpRel;
      tcpRel = at;
    }
    if (tcpRel > at) {
      // bytes between are lost (the caller should have said so with gap())
      this.gap(dir, at, tcpRel - at, meta.frame, meta.time, "bytes missing before this segment");
      return;
    }
    const seg = d.freeSegs.pop();
    if (seg === undefined) d.segs.push({ start: tcpRel, end: tcpRel + (end - start), frame: meta.frame, time: meta.time, seq: meta.seq, ackRel: meta.ackRel });
    else {
      seg.start = tcpRel;
      seg.end = tcpRel + (end - start);
      seg.frame = meta.frame;
      seg.time = meta.time;
      seg.seq = meta.seq;
      seg.ackRel = meta.ackRel;
      d.segs.push(seg);
    }
    if (d.pendingLen > 0) {
      start = this.gather(dir, d, buf, start, end);
      if (start < 0 || d.dead) return;
    }
    // records start at the segment's first byte (the usual case): only a partial record is copied
    const used = this.records(dir, d, buf, start, end);
    if (!d.dead && used < end) this.keep(d, buf, used, end);
  }

  /** Starts gathering the partial record buf[pos, end). */
  private keep(d: Dir, buf: Buffer, pos: number, end: number): void {
    d.pendingLen = end - pos;
    if (end - pos < 5) {
      d.pending = [Buffer.from(buf.subarray(pos, end))];
      d.recLen = 0;
      return;
    }
    d.recLen = 5 + buf.readUInt16BE(pos + 3);
    d.skipping = !this.needsBytes(d, buf[pos]);
    d.pending = [Buffer.from(buf.subarray(pos, d.skipping ? pos + 5 : end))];
  }

  /**
   * Whether the bytes of a record of `type` may be read (plaintext, or decrypted) rather than only
   * counted. Only after the ServerHello: from then on whether a record is protected, and whether
   * this direction has an opener, change only with this direction's own records.
   */
  private needsBytes(d: Dir, type: number): boolean {
    if (this.facts.serverHello === null) return true;
    const protectedRecord = this.tls13 ? type === 23 : d.encrypted;
    return !protectedRecord || (d.opener !== null && !d.failed);
  }

  /** More bytes buf[start, end) of the record being gathered: where the bytes after it start, -1 when all were taken. */
  private gather(dir: 0 | 1, d: Dir, buf: Buffer, start: number, end: number): number {
    if (d.recLen === 0) {
      // not even the header yet (under 5 bytes kept): start over on the joined bytes
      const b = Buffer.concat([...d.pending, buf.subarray(start, end)]);
      d.pending = [];
      d.pendingLen = 0;
      const used = this.records(dir, d, b, 0, b.length);
      if (!d.dead && used < b.length) this.keep(d, b, used, b.length);
      return -1;
    }
    const need = d.recLen - d.pendingLen;
    if (end - start < need) {
      if (!d.skipping) d.pending.push(Buffer.from(buf.subarray(start, end)));
      d.pendingLen += end - start;
      return -1;
    }
    const head = d.pending[0];
    const type = head[0], ver = head.readUInt16BE(1), len = d.recLen - 5;
    const whole = d.skipping ? null : Buffer.concat([...d.pending, buf.subarray(start, start + need)]);
    d.pending = [];
    d.pendingLen = 0;
    d.recLen = 0;
    d.skipping = false;
    this.one(dir, d, type, ver, whole, 5, len);
    return start + need;
  }

  gap(dir: 0 | 1, tcpRel: number, len: number, frame: number, time: number, reason: string): void {
    const d = this.dirs[dir];
    if (d.startRel < 0 || d.dead) return;
    if (tcpRel + len <= d.startRel) return;
    d.dead = true;
    d.unreadTcp = Math.min(d.pendingRel, tcpRel);
    const side = this.side(dir);
    this.facts.gaps.push({ from: side, frame, len, beforeHandshakeEnd: this.df(dir).finishedFrame === null && this.facts.completed !== true });
    this.sink?.gap(dir, d.plainRel, Math.max(1, len), frame, time, `${len} bytes of the ${side}'s TLS stream are missing from the capture (${reason}): nothing more of this direction can be read`);
  }

  /** FIN or RST of `dir`: the first one is kept. */
  close(dir: 0 | 1, kind: "fin" | "rst", frame: number): void {
    if (this.facts.firstClose === null) this.facts.firstClose = { from: this.side(dir), kind, frame };
  }

  /** The plaintext offset of direction `dir` that a TCP ACK of `dir`'s stream up to `tcpAckRel` covers (every record wholly acknowledged); NaN for NaN. */
  plainAck(dir: 0 | 1, tcpAckRel: number): number {
    const p = this.dirs[dir];
    if (tcpAckRel !== tcpAckRel || tcpAckRel > p.unreadTcp) return NaN;
    const a = p.ackTcp;
    let lo = 0, hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] <= tcpAckRel) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : p.ackPlain[lo - 1];
  }

  /** Whole records in b[pos, end) (b[pos] is at TCP offset d.pendingRel); returns where the unread rest starts. */
  private records(dir: 0 | 1, d: Dir, b: Buffer, pos: number, end: number): number {
    while (!d.dead && end - pos >= 5) {
      const type = b[pos], ver = b.readUInt16BE(pos + 1), len = b.readUInt16BE(pos + 3);
      if (type < 20 || type > 24 || (ver >> 8) !== 3 || len > MAX_RECORD) {
        d.dead = true;
        d.unreadTcp = d.pendingRel;
        const frame = d.segs[0]?.frame ?? 0;
        this.facts.notTls = { from: this.side(dir), frame, offset: d.pendingRel };
        this.sink?.gap(dir, d.plainRel, 1, frame, d.segs[0]?.time ?? 0, `the ${this.side(dir)}'s bytes from frame ${frame} are not TLS records`);
        return pos;
      }
      if (end - pos < 5 + len) return pos;
      pos += 5 + len;
      this.one(dir, d, type, ver, b, pos - len, len);
    }
    return pos;
  }

  /**
   * One whole record at TCP offset d.pendingRel, its fragment b[at, at + len) (no view made: a
   * record that is decrypted is read in place); `b` null: its bytes were not kept (a protected
   * record that cannot be decrypted).
   */
  private one(dir: 0 | 1, d: Dir, type: number, ver: number, b: Buffer | null, at: number, len: number): void {
    const endRel = d.pendingRel + 5 + len;
    const segs = d.segs;
    let last: Seg = segs[0];
    // a record in one segment (the usual case): a one-element array, not one grown by push()
    const frames: number[] = last.start < endRel ? [last.frame] : [];
    for (let i = 1; i < segs.length && frames.length > 0; i++) {
      const s = segs[i];
      if (s.start >= endRel) break;
      if (frames[frames.length - 1] !== s.frame) frames.push(s.frame);
      last = s;
    }
    d.pendingRel = endRel;
    this.record(dir, d, type, ver, b, at, len, frames, last, endRel);
    let k = 0;
    while (k < segs.length && segs[k].end <= endRel) k++;
    // the used segments' objects serve again (nothing keeps a Seg: record() copies what it needs)
    const free = d.freeSegs;
    for (let i = 0; i < k && free.length < MAX_FREE_SEGS; i++) free.push(segs[i]);
    // all segments used up (a record ending with its segment, the usual case): no splice, whose result is an array
    if (k === segs.length) segs.length = 0;
    else if (k > 0) segs.splice(0, k);
  }

  private record(dir: 0 | 1, d: Dir, type: number, ver: number, b: Buffer | null, at: number, length: number, frames: number[], last: Seg, endRel: number): void {
    const f = this.df(dir);
    const side = this.side(dir);
    const frame = last.frame;
    if (this.facts.firstFrame === null) this.facts.firstFrame = frames[0];
    if (f.firstFrame === null) f.firstFrame = frames[0];
    const index = d.records++;
    f.records++;
    // one object per direction, updated (only the last record's is reported)
    const l = f.last;
    if (l === null) f.last = { frame, type, length };
    else {
      l.frame = frame;
      l.type = type;
      l.length = length;
    }
    if (this.recordLog.length < MAX_RECORD_LOG) this.recordLog.push({ from: side, frame, type, length });
    const protectedRecord = this.tls13 ? type === 23 : d.encrypted;
    if (!protectedRecord && b !== null) {
      this.content(dir, d, type, b.subarray(at, at + length), frames, last, endRel, index, false);
      return;
    }
    if (this.tls13) {
      d.enc13++;
      const peer = this.dirs[dir ^ 1];
      if (peer.enc13 > 0) d.enc13AfterPeer++;
    }
    // a key log with one side's secrets but not this side's: this side is not read from here on, as after a failure
    if (d.opener === null && !d.failed && this.facts.decryption.status === "partial") this.noKeyFor(dir, d, frame, last.time, endRel - 5 - length);
    if (b === null || d.opener === null || d.failed) {
      f.encryptedRecords++;
      if (type === 21) this.facts.alerts.push({ frame, from: side, level: null, description: null, onWire: "encrypted, record type alert visible", decrypted: false });
      else if (type === 23 && (!this.tls13 || f.finishedFrame !== null || this.facts.completed === true)) {
        f.appRecords++;
        f.appBytes += length;
      }
      this.updateCompleted();
      return;
    }
    const r = d.opener.open(type, ver, b, at, at + length);
    if (!r.ok) {
      d.failed = true;
      d.unreadTcp = endRel - 5 - length;
      f.encryptedRecords++;
      const sentence = `cannot decrypt from frame ${frame}: ${r.reason}`;
      this.facts.decryption.notes.push(`${side}: ${sentence}`);
      this.facts.decryption.failedFrom[side] = frame;
      this.facts.decryption.status = "failed";
      this.sink?.gap(dir, d.plainRel, 1, frame, last.time, sentence);
      this.updateCompleted();
      return;
    }
    this.content(dir, d, r.type, r.data, frames, last, endRel, index, true);
  }

  /** TLS 1.3 with only some secrets logged: this side's protected records from `frame` cannot be opened (the SMTP layer takes it as a gap, so no pairing rests on the other side alone). */
  private noKeyFor(dir: 0 | 1, d: Dir, frame: number, time: number, tcpRel: number): void {
    const side = this.side(dir);
    d.unreadTcp = tcpRel;
    const label = `${side.toUpperCase()}_${this.df(dir).finishedFrame === null ? "HANDSHAKE_TRAFFIC_SECRET" : "TRAFFIC_SECRET_0"}`;
    d.failed = true;
    const sentence = `cannot decrypt from frame ${frame}: the key log lacks ${label} for this connection`;
    this.facts.decryption.notes.push(`${side}: ${sentence}`);
    this.facts.decryption.failedFrom[side] = frame;
    this.sink?.gap(dir, d.plainRel, 1, frame, time, sentence);
  }

  private content(dir: 0 | 1, d: Dir, type: number, data: Buffer, frames: number[], last: Seg, endRel: number, index: number, decrypted: boolean): void {
    const f = this.df(dir);
    const side = this.side(dir);
    const frame = last.frame;
    switch (type) {
      case 20:
        f.changeCipherSpecFrame ??= frame;
        if (!this.tls13) {
          d.encrypted = true;
          d.opener = d.ccsOpener;
        }
        break;
      case 21: {
        const level = data.length >= 1 ? (data[0] === 2 ? "fatal" : data[0] === 1 ? "warning" : null) : null;
        const onWire = !decrypted ? "plaintext" : this.tls13 ? "encrypted, looks like application data (TLS 1.3)" : "encrypted, record type alert visible";
        this.facts.alerts.push({ frame, from: side, level, description: data.length >= 2 ? alertName(data[1]) : null, onWire, decrypted });
        break;
      }
      case 22:
      {
        // a message may span records: the bytes of an incomplete one are kept, as a copy when they
        // are a plaintext record's (a view into the capture's buffer, which is reused; the parsers
        // keep no view of a message); a decrypted record is the opener's own buffer
        const view = d.hs.length === 0 && !decrypted;
        const hs = d.hs.length > 0 ? Buffer.concat([d.hs, data]) : data;
        let at = 0;
        while (hs.length - at >= 4) {
          const n = (hs[at + 1] << 16) | (hs[at + 2] << 8) | hs[at + 3];
          if (hs.length - at < 4 + n) break;
          const t = hs[at];
          at += 4 + n;
          this.handshake(dir, d, t, hs.subarray(at - n, at), frame, decrypted);
        }
        d.hs = at === hs.length ? EMPTY : view ? Buffer.from(hs.subarray(at)) : at === 0 ? hs : hs.subarray(at);
        break;
      }
      case 23: {
        f.appRecords++;
        f.appBytes += data.length;
        if (decrypted) {
          f.plainBytes += data.length;
          const rel = d.plainRel;
          d.plainRel += data.length;
          d.ackTcp.push(endRel);
          d.ackPlain.push(d.plainRel);
          if (this.sink !== null && data.length > 0) {
            const meta: RecordMeta = { frame, time: last.time, seq: last.seq, ackRel: this.plainAck((dir ^ 1) as 0 | 1, last.ackRel), frames, record: index };
            this.sink.data(dir, data, 0, data.length, rel, meta);
          }
        }
        break;
      }
      default:
        break;
    }
    this.updateCompleted();
  }

  private handshake(dir: 0 | 1, d: Dir, type: number, body: Buffer, frame: number, decrypted: boolean): void {
    const side = this.side(dir);
    const f = this.df(dir);
    this.facts.handshake.push({ frame, from: side, type: handshakeName(type), decrypted });
    try {
      switch (type) {
        case 1: {
          const ch = parseClientHello(body, frame);
          if (this.facts.clientHello === null) this.facts.clientHello = ch;
          else if (this.facts.helloRetryRequest !== null && this.facts.clientHelloRetry === null) this.facts.clientHelloRetry = ch;
          break;
        }
        case 2: {
          const sh = parseServerHello(body, frame);
          if (sh.helloRetryRequest) {
            // only TLS 1.3 has a HelloRetryRequest: ChangeCipherSpec records after it are the compatibility kind
            this.facts.helloRetryRequest = sh;
            this.tls13 = true;
            break;
          }
          this.facts.serverHello = sh;
          this.facts.version = sh.version;
          this.facts.cipherSuite = sh.cipherSuite;
          this.versionId = sh.versionId;
          this.tls13 = sh.versionId === 0x0304;
          this.keysFor(sh);
          break;
        }
        case 11: {
          const c = parseCertificate(body, frame, this.tls13, !decrypted);
          if (side === "server") this.facts.certificate ??= c;
          else this.facts.clientCertificate ??= c;
          break;
        }
        case 20:
          f.finishedFrame ??= frame;
          if (this.tls13 && d.nextOpener !== null) {
            d.opener = d.nextOpener;
            d.nextOpener = null;
          } else if (this.tls13) d.opener = null;
          break;
        case 24:
          if (d.opener instanceof Tls13Opener) d.opener = d.opener.next();
          break;
        default:
          break;
      }
    } catch (e) {
      if (!(e instanceof Malformed)) throw e;
    }
  }

  /** The ServerHello chose version and suite: find this connection's secrets. */
  private keysFor(sh: ServerHelloFacts): void {
    const dec = this.facts.decryption;
    const ch = this.facts.clientHelloRetry ?? this.facts.clientHello;
    if (this.keys === null || ch === null) return;
    const entry = this.keys.get(ch.random);
    if (entry === null) {
      dec.status = "no-key";
      dec.notes.push(`no key for this connection (client random ${ch.random})`);
      return;
    }
    dec.source = entry.source;
    for (const c of entry.conflicts) dec.notes.push(c);
    const suite = CIPHER_SUITES.get(sh.cipherSuiteId);
    const cd = this.dirs[this.clientDir], sd = this.dirs[this.clientDir ^ 1];
    try {
      if (suite === undefined) throw new Error(`cipher suite ${sh.cipherSuite} is not supported`);
      if (this.tls13) {
        const s = entry.secrets;
        if (s.SERVER_HANDSHAKE_TRAFFIC_SECRET) sd.opener = new Tls13Opener(suite, s.SERVER_HANDSHAKE_TRAFFIC_SECRET);
        if (s.CLIENT_HANDSHAKE_TRAFFIC_SECRET) cd.opener = new Tls13Opener(suite, s.CLIENT_HANDSHAKE_TRAFFIC_SECRET);
        if (s.SERVER_TRAFFIC_SECRET_0) sd.nextOpener = new Tls13Opener(suite, s.SERVER_TRAFFIC_SECRET_0);
        if (s.CLIENT_TRAFFIC_SECRET_0) cd.nextOpener = new Tls13Opener(suite, s.CLIENT_TRAFFIC_SECRET_0);
        const missing = (["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"] as const).filter((l) => !s[l]);
        dec.status = missing.length === 0 ? "decrypted" : missing.length === 4 ? "no-key" : "partial";
        if (missing.length > 0) dec.notes.push(`the key log (${entry.source}) lacks ${missing.join(", ")} for this connection (client random ${ch.random})`);
      } else {
        const master = entry.secrets.CLIENT_RANDOM;
        if (!master) {
          dec.status = "no-key";
          dec.notes.push(`no CLIENT_RANDOM line for this connection (client random ${ch.random}) in ${entry.source}`);
          return;
        }
        const kb = keyBlock12(suite, this.versionId, master, Buffer.from(ch.random, "hex"), Buffer.from(sh.random, "hex"));
        if (kb === null) throw new Error(`cipher suite ${sh.cipherSuite} is not supported`);
        const etm = sh.encryptThenMac && suite.cipher.endsWith("-cbc");
        cd.ccsOpener = new Tls12Opener(suite, kb.client, this.versionId, etm);
        sd.ccsOpener = new Tls12Opener(suite, kb.server, this.versionId, etm);
        dec.status = "decrypted";
      }
    } catch (e) {
      dec.status = "unsupported";
      dec.notes.push(`cannot decrypt: ${(e as Error).message}`);
    }
  }

  private updateCompleted(): void {
    const c = this.facts.client, s = this.facts.server;
    if (this.facts.completed === true) return;
    if (c.finishedFrame !== null && s.finishedFrame !== null) {
      this.facts.completed = true;
      return;
    }
    if (this.facts.serverHello === null) {
      this.facts.completed = false;
      return;
    }
    if (!this.tls13) {
      // TLS ≤ 1.2: each side's Finished read, or where it cannot be read (no key, or a key that fails),
      // its ChangeCipherSpec and an encrypted record (the Finished) after it
      const done = (d: Dir, f: TlsDirectionFacts) => f.finishedFrame !== null || ((d.opener === null || d.failed) && f.changeCipherSpecFrame !== null && d.encrypted && f.encryptedRecords > 0);
      if (done(this.dirs[this.clientDir], c) && done(this.dirs[this.clientDir ^ 1], s)) this.facts.completed = true;
      return;
    }
    // TLS 1.3 without the keys to see both Finished: the client's Finished and more records each way
    const cd = this.dirs[this.clientDir], sd = this.dirs[this.clientDir ^ 1];
    if (cd.enc13 >= 2 && sd.enc13AfterPeer >= 1) this.facts.completed = true;
    else this.facts.completed = null;
  }
}
