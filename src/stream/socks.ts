/**
 * Skips a SOCKS4/4a or SOCKS5 handshake (RFC 1928, RFC 1929) in front of the tunnelled bytes,
 * one direction at a time. The handshake is buffered (a few hundred octets at most) until it is
 * complete; the user name and password of RFC 1929 are skipped, never kept.
 */
export class SocksSkipper {
  version: 4 | 5 | 0 = 0;
  /** the port the client asked to connect to */
  port = 0;
  /** both directions' handshakes are complete and the server granted the connection */
  done = false;
  /** not SOCKS after all, or the server refused the connection */
  failed = false;
  private readonly held: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
  private readonly finished: [boolean, boolean] = [false, false];

  /** the server's side of the handshake (its reply) is complete */
  get serverDone(): boolean {
    return this.finished[1];
  }

  /** Returns the position in buf[start, end) where the tunnelled bytes of `side` (0 client, 1 server) begin. */
  skip(side: 0 | 1, buf: Buffer, start: number, end: number): number {
    if (this.finished[side] || this.failed) return start;
    const before = this.held[side].length;
    const all = Buffer.concat([this.held[side], buf.subarray(start, end)]);
    const n = side === 0 ? this.clientLength(all) : this.serverLength(all);
    if (n === -2 || (n === -1 && all.length > 1024)) {
      this.failed = true;
      return end;
    }
    if (n === -1) {
      this.held[side] = all;
      return end;
    }
    this.finished[side] = true;
    this.held[side] = Buffer.alloc(0);
    if (this.finished[0] && this.finished[1] && !this.failed) this.done = true;
    return start + (n - before);
  }

  /** Length of the client's SOCKS messages in `b`: -1 incomplete, -2 not SOCKS. */
  private clientLength(b: Buffer): number {
    if (b.length < 2) return -1;
    if (b[0] === 4) {
      this.version = 4;
      if (b.length < 9) return -1;
      if (b[1] !== 1) return -2;
      this.port = b.readUInt16BE(2);
      let p = b.indexOf(0, 8);
      if (p < 0) return -1;
      p++;
      const socks4a = b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] !== 0;
      if (socks4a) {
        const q = b.indexOf(0, p);
        if (q < 0) return -1;
        p = q + 1;
      }
      return p;
    }
    if (b[0] !== 5) return -2;
    this.version = 5;
    let p = 2 + b[1];
    if (b.length < p + 1) return -1;
    if (b[p] === 1) {
      // RFC 1929 user name and password: skipped
      if (b.length < p + 2) return -1;
      const ulen = b[p + 1];
      if (b.length < p + 3 + ulen) return -1;
      p += 3 + ulen + b[p + 2 + ulen];
      if (b.length < p + 1) return -1;
    }
    return this.request(b, p, true);
  }

  /** Length of a SOCKS5 request or reply at `p`: -1 incomplete, -2 not SOCKS. */
  private request(b: Buffer, p: number, client: boolean): number {
    if (b.length < p + 5) return -1;
    if (b[p] !== 5) return -2;
    if (client && b[p + 1] !== 1) return -2; // only CONNECT carries a stream
    if (!client && b[p + 1] !== 0) this.failed = true;
    const atyp = b[p + 3];
    const addr = atyp === 1 ? 4 : atyp === 4 ? 16 : atyp === 3 ? 1 + b[p + 4] : -1;
    if (addr < 0) return -2;
    const len = 4 + addr + 2;
    if (b.length < p + len) return -1;
    if (client) this.port = b.readUInt16BE(p + len - 2);
    return p + len;
  }

  /** Length of the server's SOCKS messages in `b`: -1 incomplete, -2 not SOCKS. */
  private serverLength(b: Buffer): number {
    if (this.version === 4 || (this.version === 0 && b[0] === 0)) {
      if (b.length < 8) return -1;
      if (b[0] !== 0) return -2;
      if (b[1] !== 0x5a) this.failed = true;
      return 8;
    }
    if (b.length < 2) return -1;
    if (b[0] !== 5 || b[1] === 0xff) return -2;
    let p = 2;
    if (b[1] === 2) {
      if (b.length < 4) return -1;
      if (b[3] !== 0) this.failed = true;
      p = 4;
    }
    return this.request(b, p, false);
  }
}

/** The start of a SOCKS4 CONNECT or a SOCKS5 method offer. */
export function socksKind(buf: Buffer, start: number, len: number): 4 | 5 | 0 {
  if (len >= 9 && buf[start] === 4 && buf[start + 1] === 1 && buf.indexOf(0, start + 8) >= 0) return 4;
  // a SOCKS5 method offer, alone or followed at once by the request (or RFC 1929 credentials)
  const n = 2 + buf[start + 1];
  if (len >= 3 && buf[start] === 5 && buf[start + 1] >= 1 && (len === n || (len > n && (buf[start + n] === 5 || buf[start + n] === 1)))) return 5;
  return 0;
}
