/**
 * The AES block cipher (FIPS 197) in JavaScript, with the usual 32-bit T-tables: one block at a
 * time under one key, the result in `o0` … `o3` (four big-endian words). The TLS workload opens
 * many short records under many short-lived keys; node:crypto costs a native cipher object per key
 * and a call into it (and a new Buffer) per record, which took more time than the AES rounds.
 */

const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);
const TE0 = new Int32Array(256), TE1 = new Int32Array(256), TE2 = new Int32Array(256), TE3 = new Int32Array(256);
const TD0 = new Int32Array(256), TD1 = new Int32Array(256), TD2 = new Int32Array(256), TD3 = new Int32Array(256);
const RCON = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36];

/** x·2 in GF(2^8) */
function xtime(x: number): number {
  return ((x << 1) ^ (x & 0x80 ? 0x1b : 0)) & 0xff;
}

function gmul(a: number, b: number): number {
  let p = 0;
  for (; b > 0; b >>= 1) {
    if (b & 1) p ^= a;
    a = xtime(a);
  }
  return p;
}

{
  // the S-box from the multiplicative inverse (by walking the powers of 3 and of its inverse) and the affine map
  let p = 1, q = 1;
  do {
    p = p ^ xtime(p);
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    const r = (v: number, k: number) => ((v << k) | (v >>> (8 - k))) & 0xff;
    SBOX[p] = q ^ r(q, 1) ^ r(q, 2) ^ r(q, 3) ^ r(q, 4) ^ 0x63;
  } while (p !== 1);
  SBOX[0] = 0x63;
  for (let x = 0; x < 256; x++) INV_SBOX[SBOX[x]] = x;
  for (let x = 0; x < 256; x++) {
    const s = SBOX[x];
    const e = (xtime(s) << 24) | (s << 16) | (s << 8) | (xtime(s) ^ s);
    TE0[x] = e;
    TE1[x] = (e >>> 8) | (e << 24);
    TE2[x] = (e >>> 16) | (e << 16);
    TE3[x] = (e >>> 24) | (e << 8);
    const i = INV_SBOX[x];
    const d = (gmul(i, 14) << 24) | (gmul(i, 9) << 16) | (gmul(i, 13) << 8) | gmul(i, 11);
    TD0[x] = d;
    TD1[x] = (d >>> 8) | (d << 24);
    TD2[x] = (d >>> 16) | (d << 16);
    TD3[x] = (d >>> 24) | (d << 8);
  }
}

function subWord(w: number): number {
  return (SBOX[w >>> 24] << 24) | (SBOX[(w >>> 16) & 255] << 16) | (SBOX[(w >>> 8) & 255] << 8) | SBOX[w & 255];
}

/** One AES key (16, 24 or 32 octets): encryption of blocks, and with `decryption` their decryption. */
export class Aes {
  /** the rounds: 10, 12 or 14 */
  private readonly nr: number;
  /** the encryption round keys, 4 (nr + 1) words */
  private readonly ek: number[];
  /** the equivalent inverse cipher's round keys (FIPS 197 §5.3.5), made on the first decryption */
  private dk: number[] | null = null;
  o0 = 0;
  o1 = 0;
  o2 = 0;
  o3 = 0;

  constructor(key: Uint8Array) {
    const nk = key.length >>> 2;
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new Error(`AES key of ${key.length} octets`);
    this.nr = nk + 6;
    const n = 4 * (this.nr + 1);
    const w = new Array<number>(n);
    for (let i = 0; i < nk; i++) w[i] = (key[4 * i] << 24) | (key[4 * i + 1] << 16) | (key[4 * i + 2] << 8) | key[4 * i + 3];
    for (let i = nk; i < n; i++) {
      let t = w[i - 1];
      if (i % nk === 0) t = subWord((t << 8) | (t >>> 24)) ^ (RCON[i / nk - 1] << 24);
      else if (nk > 6 && i % nk === 4) t = subWord(t);
      w[i] = w[i - nk] ^ t;
    }
    this.ek = w;
  }

  /** Encrypts the block (a0 a1 a2 a3) into o0 … o3. */
  encrypt(a0: number, a1: number, a2: number, a3: number): void {
    const k = this.ek, nr = this.nr;
    let s0 = a0 ^ k[0], s1 = a1 ^ k[1], s2 = a2 ^ k[2], s3 = a3 ^ k[3];
    let i = 4;
    for (let r = 1; r < nr; r++, i += 4) {
      const t0 = TE0[s0 >>> 24] ^ TE1[(s1 >>> 16) & 255] ^ TE2[(s2 >>> 8) & 255] ^ TE3[s3 & 255] ^ k[i];
      const t1 = TE0[s1 >>> 24] ^ TE1[(s2 >>> 16) & 255] ^ TE2[(s3 >>> 8) & 255] ^ TE3[s0 & 255] ^ k[i + 1];
      const t2 = TE0[s2 >>> 24] ^ TE1[(s3 >>> 16) & 255] ^ TE2[(s0 >>> 8) & 255] ^ TE3[s1 & 255] ^ k[i + 2];
      const t3 = TE0[s3 >>> 24] ^ TE1[(s0 >>> 16) & 255] ^ TE2[(s1 >>> 8) & 255] ^ TE3[s2 & 255] ^ k[i + 3];
      s0 = t0; s1 = t1; s2 = t2; s3 = t3;
    }
    const S = SBOX;
    this.o0 = ((S[s0 >>> 24] << 24) | (S[(s1 >>> 16) & 255] << 16) | (S[(s2 >>> 8) & 255] << 8) | S[s3 & 255]) ^ k[i];
    this.o1 = ((S[s1 >>> 24] << 24) | (S[(s2 >>> 16) & 255] << 16) | (S[(s3 >>> 8) & 255] << 8) | S[s0 & 255]) ^ k[i + 1];
    this.o2 = ((S[s2 >>> 24] << 24) | (S[(s3 >>> 16) & 255] << 16) | (S[(s0 >>> 8) & 255] << 8) | S[s1 & 255]) ^ k[i + 2];
    this.o3 = ((S[s3 >>> 24] << 24) | (S[(s0 >>> 16) & 255] << 16) | (S[(s1 >>> 8) & 255] << 8) | S[s2 & 255]) ^ k[i + 3];
  }

  private decryptionKeys(): number[] {
    const e = this.ek, nr = this.nr;
    const d = new Array<number>(e.length);
    for (let r = 0; r <= nr; r++) {
      for (let j = 0; j < 4; j++) {
        const w = e[4 * (nr - r) + j];
        d[4 * r + j] = r === 0 || r === nr ? w : TD0[SBOX[w >>> 24]] ^ TD1[SBOX[(w >>> 16) & 255]] ^ TD2[SBOX[(w >>> 8) & 255]] ^ TD3[SBOX[w & 255]];
      }
    }
    return d;
  }

  /** Decrypts the block (a0 a1 a2 a3) into o0 … o3. */
  decrypt(a0: number, a1: number, a2: number, a3: number): void {
    const k = (this.dk ??= this.decryptionKeys()), nr = this.nr;
    let s0 = a0 ^ k[0], s1 = a1 ^ k[1], s2 = a2 ^ k[2], s3 = a3 ^ k[3];
    let i = 4;
    for (let r = 1; r < nr; r++, i += 4) {
      const t0 = TD0[s0 >>> 24] ^ TD1[(s3 >>> 16) & 255] ^ TD2[(s2 >>> 8) & 255] ^ TD3[s1 & 255] ^ k[i];
      const t1 = TD0[s1 >>> 24] ^ TD1[(s0 >>> 16) & 255] ^ TD2[(s3 >>> 8) & 255] ^ TD3[s2 & 255] ^ k[i + 1];
      const t2 = TD0[s2 >>> 24] ^ TD1[(s1 >>> 16) & 255] ^ TD2[(s0 >>> 8) & 255] ^ TD3[s3 & 255] ^ k[i + 2];
      const t3 = TD0[s3 >>> 24] ^ TD1[(s2 >>> 16) & 255] ^ TD2[(s1 >>> 8) & 255] ^ TD3[s0 & 255] ^ k[i + 3];
      s0 = t0; s1 = t1; s2 = t2; s3 = t3;
    }
    const S = INV_SBOX;
    this.o0 = ((S[s0 >>> 24] << 24) | (S[(s3 >>> 16) & 255] << 16) | (S[(s2 >>> 8) & 255] << 8) | S[s1 & 255]) ^ k[i];
    this.o1 = ((S[s1 >>> 24] << 24) | (S[(s0 >>> 16) & 255] << 16) | (S[(s3 >>> 8) & 255] << 8) | S[s2 & 255]) ^ k[i + 1];
    this.o2 = ((S[s2 >>> 24] << 24) | (S[(s1 >>> 16) & 255] << 16) | (S[(s0 >>> 8) & 255] << 8) | S[s3 & 255]) ^ k[i + 2];
    this.o3 = ((S[s3 >>> 24] << 24) | (S[(s2 >>> 16) & 255] << 16) | (S[(s1 >>> 8) & 255] << 8) | S[s0 & 255]) ^ k[i + 3];
  }
}

/** The four big-endian words of b[i, i + 16) */
export function word(b: Uint8Array, i: number): number {
  return (b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3];
}

/** out[at, at + n) = src[from, from + n) XOR the first n octets of the block (w0 w1 w2 w3), n ≤ 16 */
export function xorBlock(out: Uint8Array, at: number, src: Uint8Array, from: number, n: number, w0: number, w1: number, w2: number, w3: number): void {
  if (n === 16) {
    out[at] = src[from] ^ (w0 >>> 24); out[at + 1] = src[from + 1] ^ (w0 >>> 16); out[at + 2] = src[from + 2] ^ (w0 >>> 8); out[at + 3] = src[from + 3] ^ w0;
    out[at + 4] = src[from + 4] ^ (w1 >>> 24); out[at + 5] = src[from + 5] ^ (w1 >>> 16); out[at + 6] = src[from + 6] ^ (w1 >>> 8); out[at + 7] = src[from + 7] ^ w1;
    out[at + 8] = src[from + 8] ^ (w2 >>> 24); out[at + 9] = src[from + 9] ^ (w2 >>> 16); out[at + 10] = src[from + 10] ^ (w2 >>> 8); out[at + 11] = src[from + 11] ^ w2;
    out[at + 12] = src[from + 12] ^ (w3 >>> 24); out[at + 13] = src[from + 13] ^ (w3 >>> 16); out[at + 14] = src[from + 14] ^ (w3 >>> 8); out[at + 15] = src[from + 15] ^ w3;
    return;
  }
  for (let j = 0; j < n; j++) {
    const w = j < 4 ? w0 : j < 8 ? w1 : j < 12 ? w2 : w3;
    out[at + j] = src[from + j] ^ (w >>> (24 - 8 * (j & 3)));
  }
}
