import type { SegmentMeta, StreamHandler } from "../tcp/reassembly.js";
import { SocksSkipper, socksKind } from "./socks.js";

/** The application a stream layer hands its bytes on to (the SMTP dissector, or another layer). */
export interface StreamApp extends StreamHandler {
  /** The connection ended (closed, restarted, or the capture ended). */
  finish(): void;
}

export type TunnelKind = "socks" | "http-connect";

/** What a tunnel layer tells the application above it, besides the tunnelled bytes. */
export interface TunnelApp extends StreamApp {
  /** `n` octets of direction `dir` at TCP offset `rel` were tunnel handshake (segment `meta`), not handed on */
  tunnelBytes(dir: 0 | 1, n: number, rel: number, meta: SegmentMeta): void;
  /** The tunnel is being opened (HTTP CONNECT: at its first byte) or open (SOCKS: both handshakes
   * done and granted; `version` 4 or 5 and the `port` asked for) */
  tunnelOpened(kind: TunnelKind, version: number, port: number): void;
  /** Not a tunnel after all, or the proxy refused it: nothing that follows is SMTP. */
  tunnelFailed(): void;
  /** The proxy's reply (SOCKS reply, HTTP response header) ended in server segment `meta`. */
  tunnelReplied(meta: SegmentMeta): void;
  /** A connection followed by its port opened with a tunnel request ("sniff" found one). */
  tunnelFound(kind: TunnelKind): void;
}

/** "HTTP CONNECT host:port" at the start of a client's first bytes (RFC 9110 §9.3.6) */
const CONNECT_RE = /^CONNECT \S+:(\d{1,5}) HTTP\/1\.[01]\r?\n/;

/**
 * Peels a SOCKS4/4a/5 (RFC 1928, RFC 1929) or HTTP CONNECT (RFC 9110 §9.3.6) handshake off the
 * front of a TCP connection, gopacket-style: a StreamHandler in front of the application that
 * hands on the tunnelled bytes with their provenance unchanged (the TCP offset `rel` and the
 * segment `meta` that carried them), so ACKs and frames stay comparable. Gaps, ACKs and closes
 * pass through untouched.
 */
export class TunnelLayer implements StreamApp {
  private socks: SocksSkipper | null;
  /** HTTP CONNECT: per side, how many octets of the "\r\n\r\n" header end are matched (-1: done) */
  private http: [number, number] = [-1, -1];
  private started = false;
  private failed = false;
  /** "sniff": no tunnel known, the client's first bytes decide; "none": none, bytes pass through */
  private kind: TunnelKind | "sniff" | "none";
  /** the port an HTTP CONNECT found by sniffing asked for (0: the flow was recognised by it) */
  private connectPort = 0;

  constructor(kind: TunnelKind | "sniff", private readonly serverDir: 0 | 1, private readonly app: TunnelApp) {
    this.kind = kind;
    this.socks = kind === "socks" ? new SocksSkipper() : null;
  }

  /** The first bytes of a connection followed by its port: a SOCKS or HTTP CONNECT request from the client makes it a tunnel. */
  private sniff(dir: 0 | 1, buf: Buffer, start: number, end: number): void {
    this.kind = "none";
    if (dir === this.serverDir) return;
    if (socksKind(buf, start, end - start) !== 0) {
      this.kind = "socks";
      this.socks = new SocksSkipper();
      this.app.tunnelFound("socks");
      return;
    }
    const m = buf[start] === 0x43 ? CONNECT_RE.exec(buf.toString("latin1", start, Math.min(end, start + 300))) : null;
    if (m !== null) {
      this.kind = "http-connect";
      this.connectPort = Number(m[1]);
      this.app.tunnelFound("http-connect");
    }
  }

  data(dir: 0 | 1, buf: Buffer, start: number, end: number, rel: number, meta: SegmentMeta): void {
    if (this.kind === "sniff") this.sniff(dir, buf, start, end);
    if (this.failed || this.kind === "none") {
      this.app.data(dir, buf, start, end, rel, meta);
      return;
    }
    const side = dir === this.serverDir ? 1 : 0;
    if (this.socks !== null) {
      const socks = this.socks;
      const served = socks.serverDone;
      const skip = socks.skip(side, buf, start, end);
      this.app.tunnelBytes(dir, skip - start, rel, meta);
      if (!served && socks.serverDone) this.app.tunnelReplied(meta);
      if (socks.failed) {
        this.failed = true;
        this.app.tunnelFailed();
        return;
      }
      if (socks.done) {
        this.socks = null;
        this.app.tunnelOpened("socks", socks.version, socks.port);
      }
      rel += skip - start;
      start = skip;
      if (start >= end) return;
    } else if (this.kind === "http-connect") {
      if (!this.started) {
        this.started = true;
        this.http = [0, 0];
        this.app.tunnelOpened("http-connect", 0, this.connectPort);
      }
      if (this.http[side] >= 0) {
        const skip = this.skipHttp(side, buf, start, end);
        this.app.tunnelBytes(dir, skip - start, rel, meta);
        if (side === 1 && this.http[1] < 0) this.app.tunnelReplied(meta);
        rel += skip - start;
        start = skip;
        if (start >= end) return;
      }
    }
    this.app.data(dir, buf, start, end, rel, meta);
  }

  /** Skip an HTTP header block up to its blank line; returns where the tunnelled bytes start. */
  private skipHttp(side: 0 | 1, buf: Buffer, start: number, end: number): number {
    const want = [13, 10, 13, 10];
    let m = this.http[side];
    for (let i = start; i < end; i++) {
      m = buf[i] === want[m] ? m + 1 : buf[i] === 13 ? 1 : 0;
      if (m === 4) {
        this.http[side] = -1;
        return i + 1;
      }
    }
    this.http[side] = m;
    return end;
  }

  gap(dir: 0 | 1, rel: number, len: number, frame: number, time: number, reason: string): void {
    if (this.kind === "sniff") this.kind = "none"; // the first bytes are lost: no tunnel is claimed
    this.app.gap(dir, rel, len, frame, time, reason);
  }

  ack(dir: 0 | 1, ackRel: number, frame: number, time: number, pure: boolean): void {
    this.app.ack(dir, ackRel, frame, time, pure);
  }

  close(dir: 0 | 1, kind: "fin" | "rst", frame: number, time: number): void {
    this.app.close(dir, kind, frame, time);
  }

  finish(): void {
    this.app.finish();
  }
}
