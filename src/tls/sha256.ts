/**
 * HMAC-SHA-256 (RFC 2104, FIPS 180-4) in JavaScript with the padded key's two hash states kept:
 * a MAC of a short message is then two compressions. node:crypto's one-shot hash costs a native
 * call and buffer per hash (about 2 µs, two per HMAC), which the TLS key schedule and the
 * HMAC of every CBC record paid many times per session.
 */
export class HmacSha256 {
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);

  /** `key` at most 64 bytes (a longer key is hashed first by the caller) */
  constructor(key: Buffer) {
    const pad = BLOCK;
    for (const [state, x] of [[this.inner, 0x36], [this.outer, 0x5c]] as const) {
      pad.fill(x);
      for (let i = 0; i < key.length; i++) pad[i] = key[i] ^ x;
      state.set(IV);
      compress(state, pad, 0);
    }
  }

  /** HMAC of the concatenation of `parts` (a new 32-byte buffer) */
  mac(parts: readonly Buffer[]): Buffer {
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
    const out = Buffer.allocUnsafe(32);
    for (let w = 0; w < 8; w++) out.writeInt32BE(st[w], w * 4);
    st.set(this.outer);
    out.copy(b, 0);
    finish(st, b, 32, 64 + 32);
    for (let w = 0; w < 8; w++) out.writeInt32BE(st[w], w * 4);
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

const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const W = new Int32Array(64);
const STATE = new Int32Array(8);
/** one message block (the key pads, the tail of a message) */
const BLOCK = new Uint8Array(64);

/** One SHA-256 compression of d[off, off + 64) into `st`. */
function compress(st: Int32Array, d: Uint8Array, off: number): void {
  const w = W;
  for (let i = 0; i < 16; i++, off += 4) w[i] = (d[off] << 24) | (d[off + 1] << 16) | (d[off + 2] << 8) | d[off + 3];
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15], b = w[i - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = st[0], b = st[1], c = st[2], e = st[4], f = st[5], g = st[6], h = st[7], dd = st[3];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (dd + t1) | 0; dd = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  st[0] += a; st[1] += b; st[2] += c; st[3] += dd; st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}
