/**
 * ChaCha20-Poly1305 decryption (RFC 8439) under one key for many records, in JavaScript.
 * node:crypto cannot re-key a ChaCha20-Poly1305 decipher with a new nonce: each record cost a
 * native cipher object (an OpenSSL 3 algorithm fetch and context), some 20 µs, which on the TLS
 * workload of many short sessions cost a ChaCha20 session more than all the rest of its TLS.
 * The tag is verified before any plaintext is returned.
 */
export class ChaCha20Poly1305 {
  /** the key as eight little-endian words */
  private readonly key = new Int32Array(8);

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new Error(`ChaCha20 key of ${key.length} octets`);
    for (let i = 0; i < 8; i++) this.key[i] = le32(key, 4 * i);
  }

  /** Decrypts `ct` under the 12-byte `nonce` and checks `tag` over `aad` and `ct`: the plaintext (a new buffer), or null. */
  open(nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array, tag: Uint8Array): Buffer | null {
    if (tag.length !== 16) return null;
    return this.run(nonce, aad, ct, 0, ct.length, tag, 0);
  }

  /** open() of the ciphertext buf[start, end) followed by its 16-octet tag, buf[end, end + 16) (a record's fragment: no views made). */
  openAt(nonce: Uint8Array, aad: Uint8Array, buf: Uint8Array, start: number, end: number): Buffer | null {
    if (end + 16 > buf.length) return null;
    return this.run(nonce, aad, buf, start, end, buf, end);
  }

  private run(nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array, start: number, end: number, tag: Uint8Array, tagAt: number): Buffer | null {
    if (nonce.length !== 12) return null;
    const n0 = le32(nonce, 0), n1 = le32(nonce, 4), n2 = le32(nonce, 8);
    // the one-time Poly1305 key: the first 32 octets of block 0
    block(this.key, 0, n0, n1, n2, KS);
    const p = POLY;
    p.init(KS);
    p.padded(aad, 0, aad.length);
    p.padded(ct, start, end);
    const n = end - start;
    const lens = LENS;
    lens.fill(0);
    putLe64(lens, 0, aad.length);
    putLe64(lens, 8, n);
    p.update(lens, 0);
    if (!p.check(tag, tagAt)) return null;
    const out = Buffer.allocUnsafe(n);
    for (let at = 0, c = 1; at < n; at += 64, c++) {
      block(this.key, c, n0, n1, n2, KS);
      const m = Math.min(64, n - at);
      for (let i = 0, j = start + at; i < m; i++, j++) out[at + i] = ct[j] ^ KS[i];
    }
    return out;
  }
}

function le32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

function putLe64(b: Uint8Array, at: number, v: number): void {
  for (let i = 0; i < 8; i++, v = Math.floor(v / 256)) b[at + i] = v % 256;
}

/** one keystream block */
const KS = new Uint8Array(64);
const LENS = new Uint8Array(16);
const X = new Int32Array(16);
const S = new Int32Array(16);

function qr(x: Int32Array, a: number, b: number, c: number, d: number): void {
  let va = x[a], vb = x[b], vc = x[c], vd = x[d];
  va = (va + vb) | 0; vd ^= va; vd = (vd << 16) | (vd >>> 16);
  vc = (vc + vd) | 0; vb ^= vc; vb = (vb << 12) | (vb >>> 20);
  va = (va + vb) | 0; vd ^= va; vd = (vd << 8) | (vd >>> 24);
  vc = (vc + vd) | 0; vb ^= vc; vb = (vb << 7) | (vb >>> 25);
  x[a] = va; x[b] = vb; x[c] = vc; x[d] = vd;
}

/** The ChaCha20 block (RFC 8439 §2.3) of `counter` into out[0, 64). */
function block(key: Int32Array, counter: number, n0: number, n1: number, n2: number, out: Uint8Array): void {
  const s = S, x = X;
  s[0] = 0x61707865; s[1] = 0x3320646e; s[2] = 0x79622d32; s[3] = 0x6b206574;
  for (let i = 0; i < 8; i++) s[4 + i] = key[i];
  s[12] = counter; s[13] = n0; s[14] = n1; s[15] = n2;
  x.set(s);
  for (let r = 0; r < 10; r++) {
    qr(x, 0, 4, 8, 12); qr(x, 1, 5, 9, 13); qr(x, 2, 6, 10, 14); qr(x, 3, 7, 11, 15);
    qr(x, 0, 5, 10, 15); qr(x, 1, 6, 11, 12); qr(x, 2, 7, 8, 13); qr(x, 3, 4, 9, 14);
  }
  for (let i = 0, o = 0; i < 16; i++, o += 4) {
    const v = (x[i] + s[i]) | 0;
    out[o] = v; out[o + 1] = v >>> 8; out[o + 2] = v >>> 16; out[o + 3] = v >>> 24;
  }
}

/**
 * Poly1305 (RFC 8439 §2.5) over whole 16-octet blocks (the AEAD pads what it authenticates to
 * them), the accumulator and r in ten 13-bit limbs: every product and sum stays exact in a double.
 */
class Poly1305 {
  private readonly r = new Float64Array(10);
  private readonly h = new Float64Array(10);
  private readonly d = new Float64Array(10);
  private readonly m = new Float64Array(10);
  /** s, the second half of the one-time key */
  private readonly s = new Uint8Array(16);
  private readonly buf = new Uint8Array(17);

  init(key: Uint8Array): void {
    const b = this.buf;
    for (let i = 0; i < 16; i++) b[i] = key[i];
    b[16] = 0;
    // clamp r (RFC 8439 §2.5.1)
    b[3] &= 15; b[7] &= 15; b[11] &= 15; b[15] &= 15;
    b[4] &= 252; b[8] &= 252; b[12] &= 252;
    limbs(b, 0, this.r);
    for (let i = 0; i < 16; i++) this.s[i] = key[16 + i];
    this.h.fill(0);
  }

  /** data[from, to) zero-padded to whole blocks */
  padded(data: Uint8Array, from: number, to: number): void {
    let i = from;
    for (; i + 16 <= to; i += 16) this.update(data, i);
    if (i < to) {
      const b = this.buf;
      b.fill(0);
      for (let k = 0; i < to; i++, k++) b[k] = data[i];
      this.update(b, 0);
    }
  }

  /** h = (h + the block at data[at, at + 16) with its 2^128 bit) · r mod 2^130 - 5 */
  update(data: Uint8Array, at: number): void {
    const h = this.h, r = this.r, d = this.d, m = this.m;
    const b = this.buf;
    for (let i = 0; i < 16; i++) b[i] = data[at + i];
    b[16] = 1;
    limbs(b, 0, m);
    for (let i = 0; i < 10; i++) h[i] += m[i];
    for (let i = 0; i < 10; i++) {
      let t = 0;
      for (let j = 0; j <= i; j++) t += h[j] * r[i - j];
      for (let j = i + 1; j < 10; j++) t += h[j] * 5 * r[i + 10 - j];
      d[i] = t;
    }
    let c = 0;
    for (let i = 0; i < 10; i++) {
      const t = d[i] + c;
      c = Math.floor(t / 8192);
      h[i] = t - c * 8192;
    }
    // 2^130 ≡ 5
    h[0] += c * 5;
    c = Math.floor(h[0] / 8192);
    h[0] -= c * 8192;
    h[1] += c;
  }

  /** Whether the tag (h + s mod 2^128) is `tag`. */
  check(tag: Uint8Array, at: number): boolean {
    const h = this.h;
    // carry fully, then h mod p: h - p when h + 5 reaches 2^130
    let c = 1;
    while (c !== 0) {
      c = 0;
      for (let i = 0; i < 10; i++) {
        const t = h[i] + c;
        c = Math.floor(t / 8192);
        h[i] = t - c * 8192;
      }
      h[0] += c * 5;
    }
    const g = this.d;
    c = 5;
    for (let i = 0; i < 10; i++) {
      const t = h[i] + c;
      c = Math.floor(t / 8192);
      g[i] = t - c * 8192;
    }
    const v = c !== 0 ? g : h;
    // to octets, little-endian, plus s, mod 2^128
    let acc = 0, bits = 0, k = 0, carry = 0, diff = 0;
    for (let i = 0; i < 10 && k < 16; i++) {
      acc += v[i] * 2 ** bits;
      bits += 13;
      while (bits >= 8 && k < 16) {
        const byte = acc % 256;
        acc = (acc - byte) / 256;
        bits -= 8;
        const sum = byte + this.s[k] + carry;
        carry = sum >>> 8;
        diff |= (sum & 255) ^ tag[at + k];
        k++;
      }
    }
    return diff === 0;
  }
}

/** The 16 octets at b[at, at + 16) and b[at + 16]'s low bit (bit 128) as ten 13-bit limbs. */
function limbs(b: Uint8Array, at: number, out: Float64Array): void {
  for (let i = 0; i < 10; i++) {
    const bit = 13 * i, o = at + (bit >>> 3);
    const v = b[o] | (o + 1 <= at + 16 ? b[o + 1] << 8 : 0) | (o + 2 <= at + 16 ? b[o + 2] << 16 : 0);
    out[i] = (v >>> (bit & 7)) & 0x1fff;
  }
}

const POLY = new Poly1305();
