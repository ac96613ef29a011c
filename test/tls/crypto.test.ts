import { createCipheriv, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HmacKey, Tls12Opener, Tls13Opener, hkdfExpandLabel, prf12, seal13, type Keys12 } from "../../src/tls/crypto.js";
import { CIPHER_SUITES, type SuiteInfo } from "../../src/tls/names.js";

// The record openers against records sealed here with node:crypto's own ciphers, record after
// record (sequence numbers, TLS 1.0's CBC IV chaining), and with one bit flipped.

function suite(name: string): SuiteInfo {
  const s = [...CIPHER_SUITES.values()].find((x) => x.name === name);
  if (s === undefined) throw new Error(name);
  return s;
}

function seqHeader(seq: number, type: number, version: number, len: number): Buffer {
  const h = Buffer.alloc(13);
  h.writeBigUInt64BE(BigInt(seq));
  h[8] = type;
  h.writeUInt16BE(version, 9);
  h.writeUInt16BE(len, 11);
  return h;
}

/** A TLS ≤ 1.2 CBC record: MAC-then-encrypt or encrypt-then-MAC; `ivState` carries TLS 1.0's IV from record to record. */
function sealCbc(s: SuiteInfo, k: Keys12, version: number, etm: boolean, seq: number, type: number, data: Buffer, ivState: { iv: Buffer }): Buffer {
  const block = s.cipher === "des-ede3-cbc" ? 8 : 16;
  const explicit = version >= 0x0302;
  const mac = (b: Buffer) => createHmac(s.mac!, k.macKey).update(seqHeader(seq, type, version, b.length)).update(b).digest();
  const inner = etm ? data : Buffer.concat([data, mac(data)]);
  const padLen = block - ((inner.length + 1) % block);
  const plain = Buffer.concat([inner, Buffer.alloc(padLen + 1, padLen)]);
  const iv = explicit ? randomBytes(block) : ivState.iv;
  const c = createCipheriv(s.cipher, k.key, iv);
  c.setAutoPadding(false);
  const ct = Buffer.concat([c.update(plain), c.final()]);
  if (!explicit) ivState.iv = ct.subarray(ct.length - block);
  const body = explicit ? Buffer.concat([iv, ct]) : ct;
  return etm ? Buffer.concat([body, mac(body)]) : body;
}

function sealAead12(s: SuiteInfo, k: Keys12, seq: number, type: number, data: Buffer): Buffer {
  const seqB = Buffer.alloc(8);
  seqB.writeBigUInt64BE(BigInt(seq));
  let nonce: Buffer, prefix: Buffer;
  if (s.cipher === "chacha20-poly1305") {
    nonce = Buffer.from(k.iv);
    for (let i = 0; i < 8; i++) nonce[4 + i] ^= seqB[i];
    prefix = Buffer.alloc(0);
  } else {
    prefix = randomBytes(8);
    nonce = Buffer.concat([k.iv, prefix]);
  }
  const c = createCipheriv(s.cipher as "aes-128-gcm", k.key, nonce, { authTagLength: 16 });
  c.setAAD(seqHeader(seq, type, 0x0303, data.length), { plaintextLength: data.length });
  const ct = Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
  return Buffer.concat([prefix, ct]);
}

function keys(s: SuiteInfo, version: number): Keys12 {
  const block = s.cipher === "des-ede3-cbc" ? 8 : 16;
  const macLen = s.mac === "sha1" ? 20 : s.mac === "sha384" ? 48 : 32;
  const aead = s.cipher.endsWith("gcm") || s.cipher === "chacha20-poly1305";
  const kLen = s.cipher === "aes-128-gcm" || s.cipher === "aes-128-cbc" ? 16 : s.cipher === "des-ede3-cbc" ? 24 : 32;
  return { macKey: aead ? Buffer.alloc(0) : randomBytes(macLen), key: randomBytes(kLen), iv: randomBytes(s.cipher === "chacha20-poly1305" ? 12 : aead ? 4 : version <= 0x0301 ? block : 0) };
}

const MESSAGES = [Buffer.from("220 mail.example ESMTP\r\n"), Buffer.alloc(0), randomBytes(1), randomBytes(15), randomBytes(16), randomBytes(17), randomBytes(4000), randomBytes(16384)];

describe("HmacKey", () => {
  it("equals createHmac for every hash, short, block-sized and long keys, split messages", () => {
    for (const h of ["md5", "sha1", "sha256", "sha384"]) {
      for (const kl of [0, 20, 48, 64, 65, 128, 129]) {
        for (const ml of [0, 1, 55, 56, 64, 111, 112, 113, 127, 128, 129, 256, 300]) {
          const k = randomBytes(kl), m = randomBytes(ml);
          expect(new HmacKey(h, k).mac(m.subarray(0, ml >> 1), m.subarray(ml >> 1)).toString("hex")).toBe(createHmac(h, k).update(m).digest("hex"));
        }
      }
    }
  });

  it("prf12 is RFC 5246's P_hash, computed here with createHmac", () => {
    const pHash = (h: string, secret: Buffer, seed: Buffer, n: number) => {
      const out: Buffer[] = [];
      let a = seed;
      while (Buffer.concat(out).length < n) {
        a = createHmac(h, secret).update(a).digest();
        out.push(createHmac(h, secret).update(a).update(seed).digest());
      }
      return Buffer.concat(out).subarray(0, n);
    };
    for (const h of ["sha256", "sha384"]) {
      const secret = randomBytes(48), seed = randomBytes(64);
      expect(prf12(h, secret, "key expansion", seed, 136).toString("hex")).toBe(pHash(h, secret, Buffer.concat([Buffer.from("key expansion"), seed]), 136).toString("hex"));
    }
  });
});

describe("Tls12Opener", () => {
  const cases: [string, number, boolean][] = [
    ["TLS_RSA_WITH_AES_128_CBC_SHA", 0x0303, false],
    ["TLS_RSA_WITH_AES_128_CBC_SHA", 0x0303, true],
    ["TLS_RSA_WITH_AES_256_CBC_SHA", 0x0301, false],
    ["TLS_RSA_WITH_AES_256_CBC_SHA", 0x0301, true],
    ["TLS_RSA_WITH_AES_128_CBC_SHA", 0x0302, false],
    ["TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x0301, false],
    ["TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x0303, true],
    ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0x0303, false],
    ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0x0303, false],
    ["TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0x0303, false],
  ];
  for (const [name, version, etm] of cases) {
    it(`${name}, version ${version.toString(16)}${etm ? ", encrypt-then-MAC" : ""}: record after record, then a flipped bit fails`, () => {
      const s = suite(name);
      const k = keys(s, version);
      const opener = new Tls12Opener(s, k, version, etm);
      const ivState = { iv: k.iv };
      const cbc = s.cipher.endsWith("-cbc");
      MESSAGES.forEach((m, seq) => {
        const rec = cbc ? sealCbc(s, k, version, etm, seq, 23, m, ivState) : sealAead12(s, k, seq, 23, m);
        const r = opener.open(23, version, rec);
        expect(r.ok && r.data.equals(m) && r.type === 23).toBe(true);
      });
      const rec = cbc ? sealCbc(s, k, version, etm, MESSAGES.length, 23, MESSAGES[0], ivState) : sealAead12(s, k, MESSAGES.length, 23, MESSAGES[0]);
      rec[rec.length - 20] ^= 1;
      expect(opener.open(23, version, rec)).toEqual({ ok: false, reason: "the record fails authentication (wrong key, or the capture is damaged)" });
    });
  }
});

describe("Tls13Opener", () => {
  for (const name of ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]) {
    it(`${name}: record after record, a KeyUpdate, then a flipped bit fails`, () => {
      const s = suite(name);
      const secret = randomBytes(s.hash === "sha384" ? 48 : 32);
      const opener = new Tls13Opener(s, secret);
      MESSAGES.forEach((m, seq) => {
        const r = opener.open(23, 0x0303, seal13(s, secret, seq, 23, m).subarray(5));
        expect(r.ok && r.data.equals(m) && r.type === 23).toBe(true);
      });
      const next = opener.next();
      const secret1 = hkdfExpandLabel(s.hash, secret, "traffic upd", Buffer.alloc(0), secret.length);
      const r1 = next.open(23, 0x0303, seal13(s, secret1, 0, 22, MESSAGES[0]).subarray(5));
      expect(r1.ok && r1.type === 22 && r1.data.equals(MESSAGES[0])).toBe(true);
      const rec = seal13(s, secret1, 1, 23, MESSAGES[0]).subarray(5);
      rec[3] ^= 0x80;
      expect(next.open(23, 0x0303, rec).ok).toBe(false);
    });
  }
});
