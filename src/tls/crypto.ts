import { nodeCrypto } from "./node-crypto.js";
import type { SuiteInfo } from "./names.js";

/** HKDF-Expand (RFC 5869) with HMAC-`hash`. */
export function hkdfExpand(hash: string, prk: Buffer, info: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let t = Buffer.alloc(0);
  let n = 0;
  for (let i = 1; n < length; i++) {
    t = nodeCrypto().createHmac(hash, prk).update(t).update(info).update(Buffer.from([i])).digest();
    out.push(t);
    n += t.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** HKDF-Expand-Label (RFC 8446 §7.1). */
export function hkdfExpandLabel(hash: string, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from("tls13 " + label, "latin1");
  const info = Buffer.alloc(2 + 1 + full.length + 1 + context.length);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  full.copy(info, 3);
  info[3 + full.length] = context.length;
  context.copy(info, 4 + full.length);
  return hkdfExpand(hash, secret, info, length);
}

/** The TLS 1.2 PRF (RFC 5246 §5): P_hash(secret, label + seed). */
export function prf12(hash: string, secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const s = Buffer.concat([Buffer.from(label, "latin1"), seed]);
  const out: Buffer[] = [];
  let a = s;
  let n = 0;
  while (n < length) {
    a = nodeCrypto().createHmac(hash, secret).update(a).digest();
    const p = nodeCrypto().createHmac(hash, secret).update(a).update(s).digest();
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

export type OpenResult = { ok: true; type: number; data: Buffer } | { ok: false; reason: string };

/** Decrypts the records of one direction under one key (the sequence number counts records). */
export interface RecordOpener {
  open(type: number, version: number, fragment: Buffer): OpenResult;
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

function aeadOpen(cipher: string, key: Buffer, nonce: Buffer, aad: Buffer, ct: Buffer, tag: Buffer): Buffer | null {
  try {
    const d = nodeCrypto().createDecipheriv(cipher as "aes-128-gcm", key, nonce, { authTagLength: 16 });
    d.setAAD(aad, { plaintextLength: ct.length });
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]);
  } catch {
    return null;
  }
}

/** TLS 1.3 record protection under one traffic secret (RFC 8446 §5.2–5.3). */
export class Tls13Opener implements RecordOpener {
  private seq = 0n;
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private readonly cipher: string;

  constructor(readonly suite: SuiteInfo, readonly secret: Buffer) {
    const c = aeadName(suite.cipher);
    if (c === null) throw new Error(`cipher ${suite.name} not supported`);
    this.cipher = c;
    this.key = hkdfExpandLabel(suite.hash, secret, "key", Buffer.alloc(0), keyLen(suite.cipher));
    this.iv = hkdfExpandLabel(suite.hash, secret, "iv", Buffer.alloc(0), 12);
  }

  /** The next generation's secret after a KeyUpdate (RFC 8446 §7.2). */
  next(): Tls13Opener {
    const hashLen = this.suite.hash === "sha384" ? 48 : 32;
    return new Tls13Opener(this.suite, hkdfExpandLabel(this.suite.hash, this.secret, "traffic upd", Buffer.alloc(0), hashLen));
  }

  open(type: number, version: number, fragment: Buffer): OpenResult {
    if (fragment.length < 17) return { ok: false, reason: "record shorter than its authentication tag" };
    const nonce = Buffer.from(this.iv);
    const s = seqBuf(this.seq);
    for (let i = 0; i < 8; i++) nonce[4 + i] ^= s[i];
    const aad = Buffer.from([type, version >> 8, version & 255, fragment.length >> 8, fragment.length & 255]);
    const pt = aeadOpen(this.cipher, this.key, nonce, aad, fragment.subarray(0, fragment.length - 16), fragment.subarray(fragment.length - 16));
    if (pt === null) return { ok: false, reason: "the record fails authentication (wrong key, or the capture is damaged)" };
    this.seq++;
    // TLSInnerPlaintext: content, the real type, zero padding
    let i = pt.length - 1;
    while (i >= 0 && pt[i] === 0) i--;
    if (i < 0) return { ok: false, reason: "decrypted record has no content type" };
    return { ok: true, type: pt[i], data: pt.subarray(0, i) };
  }
}

/** Key material of one TLS ≤ 1.2 direction (from the key block). */
export interface Keys12 {
  macKey: Buffer;
  key: Buffer;
  iv: Buffer;
}

/** Splits the TLS ≤ 1.2 key block (RFC 5246 §6.3) into the client's and the server's keys. */
export function keyBlock12(suite: SuiteInfo, version: number, master: Buffer, clientRandom: Buffer, serverRandom: Buffer): { client: Keys12; server: Keys12 } | null {
  const aead = aeadName(suite.cipher) !== null;
  const macLen = aead ? 0 : suite.mac === "sha1" ? 20 : suite.mac === "sha256" ? 32 : suite.mac === "sha384" ? 48 : suite.mac === "md5" ? 16 : -1;
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
  private seq = 0n;
  private readonly aead: string | null;
  private cbcIv: Buffer;

  constructor(readonly suite: SuiteInfo, private readonly k: Keys12, private readonly version: number, private readonly etm: boolean) {
    this.aead = aeadName(suite.cipher);
    this.cbcIv = k.iv;
    if (this.aead === null && !suite.cipher.endsWith("-cbc") && suite.cipher !== "null") throw new Error(`cipher ${suite.name} not supported`);
  }

  private macHeader(type: number, len: number): Buffer {
    const h = Buffer.alloc(13);
    h.writeBigUInt64BE(this.seq);
    h[8] = type;
    h.writeUInt16BE(this.version, 9);
    h.writeUInt16BE(len, 11);
    return h;
  }

  private hmac(type: number, data: Buffer[], len: number): Buffer {
    const m = nodeCrypto().createHmac(this.suite.mac!, this.k.macKey).update(this.macHeader(type, len));
    for (const d of data) m.update(d);
    return m.digest();
  }

  open(type: number, _version: number, fragment: Buffer): OpenResult {
    const bad: OpenResult = { ok: false, reason: "the record fails authentication (wrong key, or the capture is damaged)" };
    if (this.aead !== null) {
      let nonce: Buffer, ct: Buffer;
      if (this.suite.cipher === "chacha20-poly1305") {
        nonce = Buffer.from(this.k.iv);
        const s = seqBuf(this.seq);
        for (let i = 0; i < 8; i++) nonce[4 + i] ^= s[i];
        ct = fragment;
      } else {
        if (fragment.length < 8) return bad;
        nonce = Buffer.concat([this.k.iv, fragment.subarray(0, 8)]);
        ct = fragment.subarray(8);
      }
      if (ct.length < 16) return bad;
      const plainLen = ct.length - 16;
      const pt = aeadOpen(this.aead, this.k.key, nonce, this.macHeader(type, plainLen), ct.subarray(0, plainLen), ct.subarray(plainLen));
      if (pt === null) return bad;
      this.seq++;
      return { ok: true, type, data: pt };
    }
    const macLen = this.k.macKey.length;
    if (this.suite.cipher === "null") {
      if (fragment.length < macLen) return bad;
      const data = fragment.subarray(0, fragment.length - macLen);
      if (!eq(this.hmac(type, [data], data.length), fragment.subarray(data.length))) return bad;
      this.seq++;
      return { ok: true, type, data };
    }
    const block = this.suite.cipher === "des-ede3-cbc" ? 8 : 16;
    const explicitIv = this.version >= 0x0302;
    let body = fragment;
    if (this.etm) {
      if (fragment.length < macLen + block) return bad;
      body = fragment.subarray(0, fragment.length - macLen);
      if (!eq(this.hmac(type, [body], body.length), fragment.subarray(body.length))) return bad;
    }
    let iv: Buffer;
    if (explicitIv) {
      if (body.length < 2 * block) return bad;
      iv = body.subarray(0, block);
      body = body.subarray(block);
    } else iv = this.cbcIv;
    if (body.length === 0 || body.length % block !== 0) return bad;
    let pt: Buffer;
    try {
      const d = nodeCrypto().createDecipheriv(this.suite.cipher, this.k.key, iv);
      d.setAutoPadding(false);
      pt = Buffer.concat([d.update(body), d.final()]);
    } catch {
      return bad;
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
      if (!eq(this.hmac(type, [data], data.length), mac)) return bad;
    }
    this.seq++;
    return { ok: true, type, data };
  }
}

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
