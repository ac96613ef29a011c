import { Aes, word } from "./aes.js";
import { ChaCha20Poly1305 } from "./chacha.js";
import { AesGcm } from "./gcm.js";
import { nodeCrypto } from "./node-crypto.js";
import { HmacSha1 } from "./sha1.js";
import { HmacSha256 } from "./sha256.js";
import type { SuiteInfo } from "./names.js";

/**
 * HMAC (RFC 2104) under one key, computed with two one-shot hashes (crypto.hash) over the padded
 * key: node:crypto's createHmac costs a native object (and an OpenSSL 3 algorithm fetch) per
 * message, which dominated the TLS workload (one HMAC per key derivation step and per CBC record).
 */
export class HmacKey {
  private readonly ipad: Buffer;
  private readonly opad: Buffer;
  /**
   * SHA-1 and SHA-256: in JavaScript from the two pads' hash states (two compressions per short
   * message). SHA-384 stays native: its 64-bit words in 32-bit halves cost as much as the hashes.
   */
  private readonly js: HmacSha1 | HmacSha256 | null;

  constructor(readonly hash: string, key: Buffer) {
    const block = hash === "sha384" || hash === "sha512" ? 128 : 64;
    const k = key.length > block ? digest(hash, key) : key;
    this.js = hash === "sha256" ? new HmacSha256(k) : hash === "sha1" ? new HmacSha1(k) : null;
    if (this.js !== null) {
      this.ipad = this.opad = EMPTY_PAD;
      return;
    }
    // from the pool (Buffer.alloc makes an ArrayBuffer of its own each)
    const pads = Buffer.allocUnsafe(2 * block);
    pads.fill(0x36, 0, block);
    pads.fill(0x5c, block);
    this.ipad = pads.subarray(0, block);
    this.opad = pads.subarray(block);
    for (let i = 0; i < k.length; i++) {
      this.ipad[i] ^= k[i];
      this.opad[i] ^= k[i];
    }
  }

  /** HMAC of the concatenation of `parts` */
  mac(...parts: Buffer[]): Buffer {
    if (this.js !== null) return this.js.mac(parts);
    let n = this.ipad.length;
    for (const p of parts) n += p.length;
    const inner = Buffer.allocUnsafe(n);
    this.ipad.copy(inner, 0);
    let at = this.ipad.length;
    for (const p of parts) at += p.copy(inner, at);
    const ih = digest(this.hash, inner);
    const outer = Buffer.allocUnsafe(this.opad.length + ih.length);
    this.opad.copy(outer, 0);
    ih.copy(outer, this.opad.length);
    return digest(this.hash, outer);
  }
}

const EMPTY_PAD = Buffer.alloc(0);

/** The output length in octets of a hash named as node:crypto names it; -1 for one TLS does not use here. */
function digestLength(hash: string): number {
  switch (hash) {
    case "md5": return 16;
    case "sha1": return 20;
    case "sha256": return 32;
    case "sha384": return 48;
    case "sha512": return 64;
    default: return -1;
  }
}

function digest(hash: string, data: Buffer): Buffer {
  return nodeCrypto().hash(hash, data, "buffer") as unknown as Buffer;
}

/** HKDF-Expand (RFC 5869) with HMAC-`hash`. */
export function hkdfExpand(hash: string, prk: Buffer | HmacKey, info: Buffer, length: number): Buffer {
  const h = prk instanceof HmacKey ? prk : new HmacKey(hash, prk);
  // one block (the key schedule's keys, IVs and secrets): T(1) alone
  if (length <= digestLength(hash)) {
    const t1 = h.mac(info, COUNTER_1);
    return t1.length === length ? t1 : t1.subarray(0, length);
  }
  const out: Buffer[] = [];
  let t: Buffer = Buffer.alloc(0);
  let n = 0;
  for (let i = 1; n < length; i++) {
    t = h.mac(t, info, Buffer.from([i]));
    out.push(t);
    n += t.length;
  }
  return out.length === 1 ? t.subarray(0, length) : Buffer.concat(out).subarray(0, length);
}

/** T(1)'s counter octet */
const COUNTER_1 = Buffer.from([1]);

/** HkdfLabel structures with an empty context, by length and label (the key schedule's few: "key", "iv", "traffic upd") */
const LABELS = new Map<string, Buffer>();

/** HKDF-Expand-Label (RFC 8446 §7.1). */
export function hkdfExpandLabel(hash: string, secret: Buffer | HmacKey, label: string, context: Buffer, length: number): Buffer {
  if (context.length === 0) {
    const k = `${length} ${label}`;
    let info = LABELS.get(k);
    if (info === undefined) {
      info = hkdfLabel(label, context, length);
      if (LABELS.size < 64) LABELS.set(k, info);
    }
    return hkdfExpand(hash, secret, info, length);
  }
  return hkdfExpand(hash, secret, hkdfLabel(label, context, length), length);
}

function hkdfLabel(label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from("tls13 " + label, "latin1");
  const info = Buffer.alloc(2 + 1 + full.length + 1 + context.length);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  full.copy(info, 3);
  info[3 + full.length] = context.length;
  context.copy(info, 4 + full.length);
  return info;
}

/** The TLS 1.2 PRF (RFC 5246 §5): P_hash(secret, label + seed). */
export function prf12(hash: string, secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const s = Buffer.concat([Buffer.from(label, "latin1"), seed]);
  const h = new HmacKey(hash, secret);
  const out: Buffer[] = [];
  let a: Buffer = s;
  let n = 0;
  while (n < length) {
    a = h.mac(a);
    const p = h.mac(a, s);
    out.push(p);
    n += p.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** The TLS 1.0/1.1 PRF (RFC 4346 §5): P_MD5 xor P_SHA1 over the two halves of the secret. */
export function prf10(secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const half = Math.ceil(secret.length / 2);
  const a = prf12("md5", secret.subarray(0, half), label, seed, length);
  const b = prf12("sha1", secret.subarray(secret.length - half), label, seed, length);
  for (let i = 0; i < length; i++) a[i] ^= b[i];
  return a;
}

/**
 * `data` is a buffer of the opener's own, never a view into the fragment (the capture's buffers
 * are reused). A success is one object per opener, filled again by each open(): read it before the
 * next record is opened.
 */
export type OpenResult = Opened | { ok: false; reason: string };

export interface Opened {
  ok: true;
  type: number;
  data: Buffer;
}

function opened(): Opened {
  return { ok: true, type: 0, data: EMPTY };
}

function fill(r: Opened, type: number, data: Buffer): Opened {
  r.type = type;
  r.data = data;
  return r;
}

/** Decrypts the records of one direction under one key (the sequence number counts records). */
export interface RecordOpener {
  /** the record whose fragment is buf[start, end) (default: all of buf) */
  open(type: number, version: number, buf: Buffer, start?: number, end?: number): OpenResult;
}

function aeadName(cipher: SuiteInfo["cipher"]): string | null {
  return cipher === "aes-128-gcm" || cipher === "aes-256-gcm" || cipher === "chacha20-poly1305" ? cipher : null;
}

function keyLen(cipher: SuiteInfo["cipher"]): number {
  switch (cipher) {
    case "aes-128-gcm": case "aes-128-cbc": return 16;
    case "aes-256-gcm": case "aes-256-cbc": case "chacha20-poly1305": return 32;
    case "des-ede3-cbc": return 24;
    case "rc4": return 16;
    default: return 0;
  }
}

function seqBuf(seq: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(seq);
  return b;
}

/** nonce = iv XOR the 64-bit record sequence number, right-aligned (RFC 8446 §5.3), into `out` */
function xorSeq(out: Buffer, iv: Buffer, seq: number): Buffer {
  iv.copy(out, 0);
  const hi = Math.floor(seq / 0x100000000), lo = seq >>> 0;
  const n = out.length;
  out[n - 8] ^= hi >>> 24; out[n - 7] ^= hi >>> 16; out[n - 6] ^= hi >>> 8; out[n - 5] ^= hi;
  out[n - 4] ^= lo >>> 24; out[n - 3] ^= lo >>> 16; out[n - 2] ^= lo >>> 8; out[n - 1] ^= lo;
  return out;
}

/** The 64-bit sequence number at out[at, at + 8). */
function writeSeq(out: Buffer, at: number, seq: number): void {
  out.writeUInt32BE(Math.floor(seq / 0x100000000), at);
  out.writeUInt32BE(seq >>> 0, at + 4);
}

/** An AEAD under one key: AES-GCM (./gcm.ts) or ChaCha20-Poly1305 (./chacha.ts), both in JavaScript. */
interface Aead {
  /** the plaintext (a new buffer), or null when the tag does not match */
  open(nonce: Buffer, aad: Buffer, ct: Buffer, tag: Buffer): Buffer | null;
  /** open() of the ciphertext buf[start, end) followed by its tag, buf[end, end + 16) */
  openAt(nonce: Buffer, aad: Buffer, buf: Buffer, start: number, end: number): Buffer | null;
}

function aeadFor(cipher: string, key: Buffer): Aead {
  return cipher === "chacha20-poly1305" ? new ChaCha20Poly1305(key) : new AesGcm(key);
}

/**
 * Scratch of every opener (records are opened one at a time, and nothing keeps these): the
 * nonce, TLS 1.3's additional data (the record header), TLS ≤ 1.2's MAC and AEAD header
 * (sequence number, type, version, length).
 */
const NONCE = Buffer.alloc(12);
const AAD13 = Buffer.alloc(5);
const HEADER12 = Buffer.alloc(13);

/** TLS 1.3 record protection under one traffic secret (RFC 8446 §5.2–5.3). */
export class Tls13Opener implements RecordOpener {
  /** records opened (a number: 2^53 records are out of reach of any capture) */
  private seq = 0;
  private readonly iv: Buffer;
  private readonly sealed: Aead;
  private readonly result = opened();

  constructor(readonly suite: SuiteInfo, readonly secret: Buffer) {
    const c = aeadName(suite.cipher);
    if (c === null) throw new Error(`cipher ${suite.name} not supported`);
    // the HMAC key is not kept: a KeyUpdate (next()) is rare, and every opener of every open connection would hold it
    const secretKey = new HmacKey(suite.hash, secret);
    this.sealed = aeadFor(c, hkdfExpandLabel(suite.hash, secretKey, "key", EMPTY, keyLen(suite.cipher)));
    this.iv = hkdfExpandLabel(suite.hash, secretKey, "iv", EMPTY, 12);
  }

  /** The next generation's secret after a KeyUpdate (RFC 8446 §7.2). */
  next(): Tls13Opener {
    return new Tls13Opener(this.suite, hkdfExpandLabel(this.suite.hash, this.secret, "traffic upd", EMPTY, digestLength(this.suite.hash)));
  }

  open(type: number, version: number, buf: Buffer, start = 0, end = buf.length): OpenResult {
    const len = end - start;
    if (len < 17) return { ok: false, reason: "record shorter than its authentication tag" };
    const nonce = xorSeq(NONCE, this.iv, this.seq);
    const aad = AAD13;
    aad[0] = type; aad[1] = version >> 8; aad[2] = version & 255; aad[3] = len >> 8; aad[4] = len & 255;
    const pt = this.sealed.openAt(nonce, aad, buf, start, end - 16);
    if (pt === null) return { ok: false, reason: "the record fails authentication (wrong key, or the capture is damaged)" };
    this.seq++;
    // TLSInnerPlaintext: content, the real type, zero padding
    let i = pt.length - 1;
    while (i >= 0 && pt[i] === 0) i--;
    if (i < 0) return { ok: false, reason: "decrypted record has no content type" };
    return fill(this.result, pt[i], pt.subarray(0, i));
  }
}

const EMPTY = Buffer.alloc(0);

/** Key material of one TLS ≤ 1.2 direction (from the key block). */
export interface Keys12 {
  macKey: Buffer;
  key: Buffer;
  iv: Buffer;
}

/** Splits the TLS ≤ 1.2 key block (RFC 5246 §6.3) into the client's and the server's keys. */
export function keyBlock12(suite: SuiteInfo, version: number, master: Buffer, clientRandom: Buffer, serverRandom: Buffer): { client: Keys12; server: Keys12 } | null {
  const aead = aeadName(suite.cipher) !== null;
  const macLen = aead ? 0 : digestLength(suite.mac ?? "");
  if (macLen < 0) return null;
  const kLen = keyLen(suite.cipher);
  const cbc = suite.cipher.endsWith("-cbc");
  const ivLen = suite.cipher === "chacha20-poly1305" ? 12 : aead ? 4 : cbc && version <= 0x0301 ? (suite.cipher === "des-ede3-cbc" ? 8 : 16) : 0;
  const total = 2 * (macLen + kLen + ivLen);
  const seed = Buffer.concat([serverRandom, clientRandom]);
  const block = version >= 0x0303 ? prf12(suite.hash, master, "key expansion", seed, total) : prf10(master, "key expansion", seed, total);
  let p = 0;
  const take = (n: number) => block.subarray(p, (p += n));
  const cm = take(macLen), sm = take(macLen), ck = take(kLen), sk = take(kLen), civ = take(ivLen), siv = take(ivLen);
  return { client: { macKey: cm, key: ck, iv: civ }, server: { macKey: sm, key: sk, iv: siv } };
}

/** TLS ≤ 1.2 record protection: AES-GCM, ChaCha20-Poly1305, CBC+HMAC (MAC-then-encrypt or RFC 7366 encrypt-then-MAC), NULL. */
export class Tls12Opener implements RecordOpener {
  private seq = 0;
  private readonly result = opened();
  private readonly aead: string | null;
  private readonly sealed: Aead | null;
  private cbcIv: Buffer;
  private readonly mac: HmacKey | null;
  /** CBC: one ECB decipher for the whole direction (CBC decryption is ECB decryption XOR the previous block) */
  private ecb: import("node:crypto").Decipher | null = null;
  /** AES-CBC: the key in JavaScript (3DES keeps the native ECB decipher) */
  private aes: Aes | null = null;

  constructor(readonly suite: SuiteInfo, private readonly k: Keys12, private readonly version: number, private readonly etm: boolean) {
    this.aead = aeadName(suite.cipher);
    this.cbcIv = k.iv;
    if (this.aead === null && !suite.cipher.endsWith("-cbc") && suite.cipher !== "null") throw new Error(`cipher ${suite.name} not supported`);
    this.mac = this.aead === null ? new HmacKey(suite.mac!, k.macKey) : null;
    this.sealed = this.aead === null ? null : aeadFor(this.aead, k.key);
  }

  /** AES-CBC decryption of whole blocks (in JavaScript, ./aes.ts: no native cipher per direction, no call per record) */
  private cbcAes(iv: Buffer, body: Buffer): Buffer {
    const aes = (this.aes ??= new Aes(this.k.key));
    const pt = Buffer.allocUnsafe(body.length);
    let p0 = word(iv, 0), p1 = word(iv, 4), p2 = word(iv, 8), p3 = word(iv, 12);
    for (let at = 0; at < body.length; at += 16) {
      const c0 = word(body, at), c1 = word(body, at + 4), c2 = word(body, at + 8), c3 = word(body, at + 12);
      aes.decrypt(c0, c1, c2, c3);
      pt.writeInt32BE(aes.o0 ^ p0, at);
      pt.writeInt32BE(aes.o1 ^ p1, at + 4);
      pt.writeInt32BE(aes.o2 ^ p2, at + 8);
      pt.writeInt32BE(aes.o3 ^ p3, at + 12);
      p0 = c0; p1 = c1; p2 = c2; p3 = c3;
    }
    return pt;
  }

  private macHeader(type: number, len: number): Buffer {
    const h = HEADER12;
    writeSeq(h, 0, this.seq);
    h[8] = type;
    h.writeUInt16BE(this.version, 9);
    h.writeUInt16BE(len, 11);
    return h;
  }

  private hmac(type: number, data: Buffer, len: number): Buffer {
    return this.mac!.mac(this.macHeader(type, len), data);
  }

  open(type: number, _version: number, buf: Buffer, start = 0, end = buf.length): OpenResult {
    const bad = BAD;
    if (this.aead !== null) {
      let nonce: Buffer, from: number;
      if (this.suite.cipher === "chacha20-poly1305") {
        nonce = xorSeq(NONCE, this.k.iv, this.seq);
        from = start;
      } else {
        if (end - start < 8) return bad;
        nonce = NONCE;
        this.k.iv.copy(nonce, 0);
        buf.copy(nonce, 4, start, start + 8);
        from = start + 8;
      }
      if (end - from < 16) return bad;
      const plainLen = end - from - 16;
      const pt = this.sealed!.openAt(nonce, this.macHeader(type, plainLen), buf, from, from + plainLen);
      if (pt === null) return bad;
      this.seq++;
      return fill(this.result, type, pt);
    }
    const fragment = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
    const macLen = this.k.macKey.length;
    if (this.suite.cipher === "null") {
      if (fragment.length < macLen) return bad;
      const data = fragment.subarray(0, fragment.length - macLen);
      if (!eq(this.hmac(type, data, data.length), fragment.subarray(data.length))) return bad;
      this.seq++;
      return fill(this.result, type, Buffer.from(data));
    }
    const block = this.suite.cipher === "des-ede3-cbc" ? 8 : 16;
    const explicitIv = this.version >= 0x0302;
    let body = fragment;
    if (this.etm) {
      if (fragment.length < macLen + block) return bad;
      body = fragment.subarray(0, fragment.length - macLen);
      if (!eq(this.hmac(type, body, body.length), fragment.subarray(body.length))) return bad;
    }
    let iv: Buffer;
    if (explicitIv) {
      if (body.length < 2 * block) return bad;
      iv = body.subarray(0, block);
      body = body.subarray(block);
    } else iv = this.cbcIv;
    if (body.length === 0 || body.length % block !== 0) return bad;
    let pt: Buffer;
    if (block === 16) pt = this.cbcAes(iv, body);
    else {
      try {
        if (this.ecb === null) {
          this.ecb = nodeCrypto().createDecipheriv(this.suite.cipher.replace(/-cbc$/, "-ecb"), this.k.key, null);
          this.ecb.setAutoPadding(false);
        }
        pt = this.ecb.update(body);
      } catch {
        return bad;
      }
      if (pt.length !== body.length) return bad;
      for (let i = 0; i < block; i++) pt[i] ^= iv[i];
      for (let i = block; i < pt.length; i++) pt[i] ^= body[i - block];
    }
    if (!explicitIv) this.cbcIv = Buffer.from(body.subarray(body.length - block));
    const pad = pt[pt.length - 1];
    if (pad + 1 > pt.length) return bad;
    for (let i = pt.length - 1 - pad; i < pt.length; i++) if (pt[i] !== pad) return bad;
    let data = pt.subarray(0, pt.length - 1 - pad);
    if (!this.etm) {
      if (data.length < macLen) return bad;
      const mac = data.subarray(data.length - macLen);
      data = data.subarray(0, data.length - macLen);
      if (!eq(this.hmac(type, data, data.length), mac)) return bad;
    }
    this.seq++;
    return fill(this.result, type, data);
  }
}

const BAD: OpenResult = { ok: false, reason: "the record fails authentication (wrong key, or the capture is damaged)" };

function eq(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && nodeCrypto().timingSafeEqual(a, b);
}

/** Test helper and crafted fixtures: TLS 1.3 record sealing under a secret (the inverse of Tls13Opener). */
export function seal13(suite: SuiteInfo, secret: Buffer, seq: number, type: number, data: Buffer): Buffer {
  const c = aeadName(suite.cipher)!;
  const key = hkdfExpandLabel(suite.hash, secret, "key", Buffer.alloc(0), keyLen(suite.cipher));
  const nonce = hkdfExpandLabel(suite.hash, secret, "iv", Buffer.alloc(0), 12);
  const s = seqBuf(BigInt(seq));
  for (let i = 0; i < 8; i++) nonce[4 + i] ^= s[i];
  const inner = Buffer.concat([data, Buffer.from([type])]);
  const len = inner.length + 16;
  const aad = Buffer.from([23, 3, 3, len >> 8, len & 255]);
  const e = nodeCrypto().createCipheriv(c as "aes-128-gcm", key, nonce, { authTagLength: 16 });
  e.setAAD(aad, { plaintextLength: inner.length });
  const ct = Buffer.concat([e.update(inner), e.final(), e.getAuthTag()]);
  return Buffer.concat([aad, ct]);
}
