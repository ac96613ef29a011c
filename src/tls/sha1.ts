import { Hmac, type BlockHash } from "./hmac.js";

/** HMAC-SHA-1 with the padded key's hash states kept (see ./hmac.ts). */
export class HmacSha1 extends Hmac {
  /** `key` at most 64 bytes (a longer key is hashed first by the caller) */
  constructor(key: Uint8Array) {
    super(key, HASH);
  }
}

const IV = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
const W = new Int32Array(80);

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

/** SHA-1 (FIPS 180-4): the compression function, for HMAC-SHA-1 (./hmac.ts), the MAC of every record of the TLS ≤ 1.2 CBC suites with SHA-1 (TLS_RSA_WITH_AES_128_CBC_SHA …). */
const HASH: BlockHash = { iv: IV, compress };
