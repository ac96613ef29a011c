/**
 * HMAC (RFC 2104) in JavaScript over a hash with 64-byte blocks and a 64-bit big-endian length
 * (SHA-1, SHA-256: FIPS 180-4), with the padded key's two hash states kept: a MAC of a short
 * message is then a few compressions. node:crypto's one-shot hash costs a native call and buffer
 * per hash (about 2 µs, two per HMAC), which the TLS key schedule and the HMAC of every CBC record
 * paid many times per session. ./sha1.ts and ./sha256.ts give the compression functions.
 */

/** A hash's initial state (its words: 5 for SHA-1, 8 for SHA-256) and compression of one block. */
export interface BlockHash {
  iv: Int32Array;
  compress(st: Int32Array, d: Uint8Array, off: number): void;
}

/** one message block (the key pads, the tail of a message) */
const BLOCK = new Uint8Array(64);

export class Hmac {
  /** the hash states after the inner and the outer padded key: words [0, n) and [n, 2n) */
  private readonly states: Int32Array;
  private readonly n: number;

  /** `key` at most 64 bytes (a longer key is hashed first by the caller) */
  constructor(key: Uint8Array, private readonly h: BlockHash) {
    const n = (this.n = h.iv.length);
    const states = (this.states = new Int32Array(2 * n));
    const st = STATE, pad = BLOCK;
    for (let half = 0; half < 2; half++) {
      const x = half === 0 ? 0x36 : 0x5c;
      pad.fill(x);
      for (let i = 0; i < key.length; i++) pad[i] = key[i] ^ x;
      st.set(h.iv);
      h.compress(st, pad, 0);
      for (let w = 0; w < n; w++) states[half * n + w] = st[w];
    }
  }

  /** HMAC of the concatenation of `parts` (a new buffer of the hash's length) */
  mac(parts: readonly Uint8Array[]): Buffer {
    // the state being computed is one scratch of all keys (mac() is not re-entered)
    const st = STATE, h = this.h, n = this.n, size = n * 4, states = this.states;
    for (let w = 0; w < n; w++) st[w] = states[w];
    let total = 0, fill = 0;
    const b = BLOCK;
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k];
      total += p.length;
      let i = 0;
      if (fill === 0) for (; i + 64 <= p.length; i += 64) h.compress(st, p, i);
      for (; i < p.length; i++) {
        b[fill++] = p[i];
        if (fill === 64) {
          h.compress(st, b, 0);
          fill = 0;
        }
      }
    }
    finish(h, st, b, fill, 64 + total);
    const out = Buffer.allocUnsafe(size);
    for (let w = 0; w < n; w++) out.writeInt32BE(st[w], w * 4);
    for (let w = 0; w < n; w++) st[w] = states[n + w];
    out.copy(b, 0);
    finish(h, st, b, size, 64 + size);
    for (let w = 0; w < n; w++) out.writeInt32BE(st[w], w * 4);
    return out;
  }
}

/** the state being hashed (the largest hash's words; SHA-1 uses the first 5) */
const STATE = new Int32Array(8);

/** Pads the last `fill` bytes in `b` of a message of `len` bytes and compresses. */
function finish(h: BlockHash, st: Int32Array, b: Uint8Array, fill: number, len: number): void {
  b[fill++] = 0x80;
  if (fill > 56) {
    b.fill(0, fill, 64);
    h.compress(st, b, 0);
    fill = 0;
  }
  b.fill(0, fill, 56);
  const bits = len * 8;
  const hi = Math.floor(bits / 0x100000000), lo = bits >>> 0;
  b[56] = hi >>> 24; b[57] = hi >>> 16; b[58] = hi >>> 8; b[59] = hi;
  b[60] = lo >>> 24; b[61] = lo >>> 16; b[62] = lo >>> 8; b[63] = lo;
  h.compress(st, b, 0);
}
