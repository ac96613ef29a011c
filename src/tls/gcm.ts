import { Aes, word, xorBlock } from "./aes.js";

/**
 * AES-GCM decryption (NIST SP 800-38D) under one key for many records, in JavaScript: AES from
 * ./aes.ts for the counter blocks, GHASH with an 8-bit table (Shoup's method). node:crypto cannot
 * re-key a GCM decipher with a new nonce, so its own GCM costs one native cipher object (an
 * OpenSSL 3 algorithm fetch and context) per record, which dominated the TLS workload of many
 * short sessions; a native AES-ECB cipher per key still cost a native object per key and a call
 * and a new Buffer per record, more than the AES rounds in JavaScript. The tag is verified before
 * any plaintext is returned.
 */
export class AesGcm {
  /** made on the first record (an opener made for traffic that never comes costs nothing) */
  private aes: Aes | null = null;
  /** E(K, 0^128), GHASH's H (4 big-endian words) */
  private h: number[] = [];
  /** where this key's table is in TABLES (valid while OWNERS[slot] is this) */
  private slot = -1;
  private x0 = 0;
  private x1 = 0;
  private x2 = 0;
  private x3 = 0;

  constructor(private readonly key: Buffer) {}

  private init(): Aes {
    const a = new Aes(this.key);
    this.aes = a;
    a.encrypt(0, 0, 0, 0);
    this.h = [a.o0, a.o1, a.o2, a.o3];
    return a;
  }

  /**
   * This key's table M[b] = b·H for the 256 byte values (4 big-endian words each) in TABLES, built
   * again when another key has taken its slot since: the tables of the keys in use share one
   * preallocated array instead of 4 KiB of typed array per key. Returns the table's offset.
   */
  private table(): number {
    if (this.slot >= 0 && OWNERS[this.slot] === this) return this.slot * 1024;
    const slot = (nextSlot = (nextSlot + 1) % SLOTS);
    OWNERS[slot] = this;
    this.slot = slot;
    const t = TABLES, base = slot * 1024;
    t.fill(0, base, base + 4);
    // M[0x80] = H; M[0x40] … M[1]: H times x … x^7 (one bit right each, reduced); the rest by XOR
    let [v0, v1, v2, v3] = this.h;
    for (let i = 0x80; i > 0; i >>= 1) {
      const o = base + i * 4;
      t[o] = v0; t[o + 1] = v1; t[o + 2] = v2; t[o + 3] = v3;
      const lsb = v3 & 1;
      v3 = (v3 >>> 1) | (v2 << 31);
      v2 = (v2 >>> 1) | (v1 << 31);
      v1 = (v1 >>> 1) | (v0 << 31);
      v0 = (v0 >>> 1) ^ (lsb ? 0xe1000000 : 0);
    }
    for (let i = 2; i < 256; i <<= 1) {
      for (let j = 1; j < i; j++) {
        const a = base + i * 4, b = base + j * 4, o = base + (i + j) * 4;
        t[o] = t[a] ^ t[b]; t[o + 1] = t[a + 1] ^ t[b + 1]; t[o + 2] = t[a + 2] ^ t[b + 2]; t[o + 3] = t[a + 3] ^ t[b + 3];
      }
    }
    return base;
  }

  /**
   * Decrypts `ct` under the 12-byte `nonce` and checks `tag` over `aad` and `ct`: the plaintext
   * (a new buffer), or null when the tag does not match.
   */
  open(nonce: Buffer, aad: Buffer, ct: Buffer, tag: Buffer): Buffer | null {
    if (tag.length !== 16) return null;
    return this.run(nonce, aad, ct, 0, ct.length, tag, 0);
  }

  /** open() of the ciphertext buf[start, end) followed by its 16-octet tag, buf[end, end + 16) (a record's fragment: no views made). */
  openAt(nonce: Buffer, aad: Buffer, buf: Buffer, start: number, end: number): Buffer | null {
    if (end + 16 > buf.length) return null;
    return this.run(nonce, aad, buf, start, end, buf, end);
  }

  private run(nonce: Buffer, aad: Buffer, ctb: Buffer, start: number, end: number, tag: Buffer, tagAt: number): Buffer | null {
    const aes = this.aes ?? this.init();
    const base = this.table();
    this.x0 = this.x1 = this.x2 = this.x3 = 0;
    this.hash(base, aad, 0, aad.length);
    this.hash(base, ctb, start, end);
    // the lengths block: bit lengths of AAD and ciphertext, 64 bits each
    const n = end - start;
    const al = aad.length * 8, cl = n * 8;
    this.mul(base, this.x0 ^ Math.floor(al / 0x100000000), this.x1 ^ al, this.x2 ^ Math.floor(cl / 0x100000000), this.x3 ^ cl);
    // J0 = nonce || 1 masks the tag; the counter blocks of the plaintext count from 2
    const n0 = word(nonce, 0), n1 = word(nonce, 4), n2 = word(nonce, 8);
    aes.encrypt(n0, n1, n2, 1);
    const diff = (this.x0 ^ aes.o0 ^ word(tag, tagAt)) | (this.x1 ^ aes.o1 ^ word(tag, tagAt + 4)) | (this.x2 ^ aes.o2 ^ word(tag, tagAt + 8)) | (this.x3 ^ aes.o3 ^ word(tag, tagAt + 12));
    if (diff !== 0) return null;
    const out = Buffer.allocUnsafe(n);
    for (let at = 0, c = 2; at < n; at += 16, c++) {
      aes.encrypt(n0, n1, n2, c);
      xorBlock(out, at, ctb, start + at, Math.min(16, n - at), aes.o0, aes.o1, aes.o2, aes.o3);
    }
    return out;
  }

  /** GHASH over d[from, to), zero-padded to whole blocks. */
  private hash(base: number, d: Buffer, from: number, to: number): void {
    let i = from;
    const n = to;
    for (; i + 16 <= n; i += 16) this.mul(base, this.x0 ^ word(d, i), this.x1 ^ word(d, i + 4), this.x2 ^ word(d, i + 8), this.x3 ^ word(d, i + 12));
    if (i < n) {
      const w = TAIL;
      w.fill(0);
      for (let k = 0; i < n; i++, k++) w[k] = d[i];
      this.mul(base, this.x0 ^ word(w, 0), this.x1 ^ word(w, 4), this.x2 ^ word(w, 8), this.x3 ^ word(w, 12));
    }
  }

  /** x = (a0 a1 a2 a3)·H in GF(2^128), a byte at a time from the last byte to the first. */
  private mul(base: number, a0: number, a1: number, a2: number, a3: number): void {
    const t = TABLES;
    let z0 = 0, z1 = 0, z2 = 0, z3 = 0;
    for (let w = 3; w >= 0; w--) {
      const word = w === 3 ? a3 : w === 2 ? a2 : w === 1 ? a1 : a0;
      for (let b = 0; b < 32; b += 8) {
        const e = base + ((word >>> b) & 255) * 4;
        const rem = z3 & 255;
        z3 = (z3 >>> 8) | (z2 << 24);
        z2 = (z2 >>> 8) | (z1 << 24);
        z1 = (z1 >>> 8) | (z0 << 24);
        z0 = (z0 >>> 8) ^ REM[rem] ^ t[e];
        z1 ^= t[e + 1]; z2 ^= t[e + 2]; z3 ^= t[e + 3];
      }
    }
    this.x0 = z0; this.x1 = z1; this.x2 = z2; this.x3 = z3;
  }
}

/** Tables of the most recent SLOTS keys (1 MiB): more than the traffic keys of the connections open at once, as a rule. */
const SLOTS = 256;
const TABLES = new Int32Array(SLOTS * 1024);
const OWNERS: (AesGcm | null)[] = new Array<AesGcm | null>(SLOTS).fill(null);
let nextSlot = -1;
/** a partial last block, zero-padded */
const TAIL = new Uint8Array(16);

/** The reduction of the eight bits shifted out (z3's low byte) into the first word: eight one-bit shifts of (0, 0, 0, r). */
const REM = new Int32Array(256).map((_, r) => {
  let z0 = 0, z3 = r;
  for (let k = 0; k < 8; k++) {
    const lsb = z3 & 1;
    z3 >>>= 1;
    z0 = (z0 >>> 1) ^ (lsb ? 0xe1000000 : 0);
  }
  return z0;
});
