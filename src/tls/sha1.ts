/**
 * HMAC-SHA-1 (RFC 2104, FIPS 180-4) in JavaScript with the padded key's two hash states kept, as
 * ./sha256.ts does for SHA-256: the MAC of every record of the TLS ≤ 1.2 CBC suites with SHA-1
 * (TLS_RSA_WITH_AES_128_CBC_SHA …) is then a few compressions instead of two native hashes.
 */
export class HmacSha1 {
  private readonly inner = new Int32Array(5);
  private readonly outer = new Int32Array(5);

  /** `key` at most 64 bytes (a longer key is hashed first by the caller) */
  constructor(key: Uint8Array) {
    const pad = BLOCK;
    for (const [state, x] of [[this.inner, 0x36], [this.outer, 0x5c]] as const) {
      pad.fill(x);
      for (let i = 0; i < key.length; i++) pad[i] = key[i] ^ x;
      state.set(IV);
      compress(state, pad, 0);
    }
  }

  /** HMAC of the concatenation of `parts` (a new 20-byte buffer) */
  mac(parts: readonly Uint8Array[]): Buffer {
    const st = STATE;
    st.set(this.inner);
    let total = 0, fill = 0;
    const b = BLOCK;
    for (const p of parts) {
      total += p.length;
      let i = 0;
      if (fill === 0) for (; i + 64 <= p.length; i += 64) compress(st, p, i);
      for (; i < p.length; i++) {
        b[fill++] = p[i];
        if (fill === 64) {
          compress(st, b, 0);
          fill = 0;
        }
      }
    }
    finish(st, b, fill, 64 + total);
    const out = Buffer.allocUnsafe(20);
    for (let w = 0; w < 5; w++) out.writeInt32BE(st[w], w * 4);
    st.set(this.outer);
    out.copy(b, 0);
    finish(st, b, 20, 64 + 20);
    for (let w = 0; w < 5; w++) out.writeInt32BE(st[w], w * 4);
    return out;
  }
}

/** Pads the last `fill` bytes in `b` of a message of `len` bytes and compresses. */
function finish(st: Int32Array, b: Uint8Array, fill: number, len: number): void {
  b[fill++] = 0x80;
  if (fill > 56) {
    b.fill(0, fill, 64);
    compress(st, b, 0);
    fill = 0;
  }
  b.fill(0, fill, 56);
  const bits = len * 8;
  const hi = Math.floor(bits / 0x100000000), lo = bits >>> 0;
  b[56] = hi >>> 24; b[57] = hi >>> 16; b[58] = hi >>> 8; b[59] = hi;
  b[60] = lo >>> 24; b[61] = lo >>> 16; b[62] = lo >>> 8; b[63] = lo;
  compress(st, b, 0);
}

const IV = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
const W = new Int32Array(80);
const STATE = new Int32Array(5);
/** one message block (the key pads, the tail of a message) */
const BLOCK = new Uint8Array(64);

/** One SHA-1 compression of d[off, off + 64) into `st`. */
function compress(st: Int32Array, d: Uint8Array, off: number): void {
  const w = W;
  for (let i = 0; i < 16; i++, off += 4) w[i] = (d[off] << 24) | (d[off + 1] << 16) | (d[off + 2] << 8) | d[off + 3];
  for (let i = 16; i < 80; i++) {
    const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
    w[i] = (x << 1) | (x >>> 31);
  }
  let a = st[0], b = st[1], c = st[2], dd = st[3], e = st[4];
  for (let i = 0; i < 80; i++) {
    const f = i < 20 ? ((b & c) | (~b & dd)) + 0x5a827999 : i < 40 ? (b ^ c ^ dd) + 0x6ed9eba1 : i < 60 ? ((b & c) | (b & dd) | (c & dd)) + 0x8f1bbcdc : (b ^ c ^ dd) + 0xca62c1d6;
    const t = (((a << 5) | (a >>> 27)) + f + e + w[i]) | 0;
    e = dd; dd = c; c = (b << 30) | (b >>> 2); b = a; a = t;
  }
  st[0] += a; st[1] += b; st[2] += c; st[3] += dd; st[4] += e;
}
