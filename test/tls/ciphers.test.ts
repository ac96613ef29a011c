import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Aes, word } from "../../src/tls/aes.js";
import { ChaCha20Poly1305 } from "../../src/tls/chacha.js";
import { AesGcm } from "../../src/tls/gcm.js";

// AES, AES-GCM and ChaCha20-Poly1305 in JavaScript (src/tls/aes.ts, gcm.ts, chacha.ts) against node:crypto.

function out(a: Aes): Buffer {
  const b = Buffer.alloc(16);
  b.writeInt32BE(a.o0, 0); b.writeInt32BE(a.o1, 4); b.writeInt32BE(a.o2, 8); b.writeInt32BE(a.o3, 12);
  return b;
}

describe("Aes", () => {
  it("encrypts and decrypts blocks as AES-ECB does, 128, 192 and 256-bit keys", () => {
    for (const len of [16, 24, 32]) {
      for (let t = 0; t < 50; t++) {
        const key = randomBytes(len), block = randomBytes(16);
        const a = new Aes(key);
        a.encrypt(word(block, 0), word(block, 4), word(block, 8), word(block, 12));
        const c = createCipheriv(`aes-${len * 8}-ecb`, key, null);
        c.setAutoPadding(false);
        const expected = c.update(block);
        expect(out(a)).toEqual(expected);
        a.decrypt(word(expected, 0), word(expected, 4), word(expected, 8), word(expected, 12));
        expect(out(a)).toEqual(block);
      }
    }
  });

  it("FIPS 197 appendix C.1 and C.3", () => {
    const plain = Buffer.from("00112233445566778899aabbccddeeff", "hex");
    const p = [word(plain, 0), word(plain, 4), word(plain, 8), word(plain, 12)] as const;
    const a128 = new Aes(Buffer.from("000102030405060708090a0b0c0d0e0f", "hex"));
    a128.encrypt(...p);
    expect(out(a128).toString("hex")).toBe("69c4e0d86a7b0430d8cdb78070b4c55a");
    const a256 = new Aes(Buffer.from("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "hex"));
    a256.encrypt(...p);
    expect(out(a256).toString("hex")).toBe("8ea2b7ca516745bfeafc49904b496089");
  });
});

describe("AesGcm", () => {
  it("opens what node:crypto's AES-GCM seals, every length up to 100 octets and some long ones; a flipped bit fails", () => {
    for (const len of [16, 32]) {
      const key = randomBytes(len);
      const g = new AesGcm(key);
      for (const n of [...Array.from({ length: 101 }, (_, i) => i), 1000, 16384 + 17]) {
        const nonce = randomBytes(12), aad = randomBytes(n % 3 === 0 ? 5 : 13), plain = randomBytes(n);
        const c = createCipheriv(`aes-${len * 8}-gcm` as "aes-128-gcm", key, nonce);
        c.setAAD(aad);
        const ct = Buffer.concat([c.update(plain), c.final()]);
        const tag = c.getAuthTag();
        expect(g.open(nonce, aad, ct, tag)).toEqual(plain);
        const bad = Buffer.from(n > 0 ? ct : tag);
        bad[n > 0 ? n - 1 : 0] ^= 1;
        expect(n > 0 ? g.open(nonce, aad, bad, tag) : g.open(nonce, aad, ct, bad)).toBeNull();
        // and the same record through node's decipher, as a check of the check
        const d = createDecipheriv(`aes-${len * 8}-gcm` as "aes-128-gcm", key, nonce);
        d.setAAD(aad);
        d.setAuthTag(tag);
        expect(Buffer.concat([d.update(ct), d.final()])).toEqual(plain);
      }
    }
  });
});

describe("ChaCha20Poly1305", () => {
  it("RFC 8439 §2.8.2", () => {
    const key = Buffer.from("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "hex");
    const nonce = Buffer.from("070000004041424344454647", "hex");
    const aad = Buffer.from("50515253c0c1c2c3c4c5c6c7", "hex");
    const plain = Buffer.from("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
    const ct = Buffer.from("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116", "hex");
    const tag = Buffer.from("1ae10b594f09e26a7e902ecbd0600691", "hex");
    const c = new ChaCha20Poly1305(key);
    expect(c.open(nonce, aad, ct, tag)).toEqual(plain);
    tag[15] ^= 1;
    expect(c.open(nonce, aad, ct, tag)).toBeNull();
  });

  it("opens what node:crypto seals, every length up to 200 octets and some long ones; a flipped bit fails", () => {
    for (let k = 0; k < 4; k++) {
      const key = randomBytes(32);
      const c = new ChaCha20Poly1305(key);
      for (const n of [...Array.from({ length: 201 }, (_, i) => i), 1000, 4096, 16384 + 17]) {
        // keys, nonces and data of all ones too: the Poly1305 carries at their largest
        const nonce = k === 3 ? Buffer.alloc(12, 0xff) : randomBytes(12);
        const aad = k === 3 ? Buffer.alloc(n % 17, 0xff) : randomBytes(n % 3 === 0 ? 5 : 13);
        const plain = k === 3 ? Buffer.alloc(n, 0xff) : randomBytes(n);
        const e = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
        e.setAAD(aad, { plaintextLength: n });
        const ct = Buffer.concat([e.update(plain), e.final()]);
        const tag = e.getAuthTag();
        expect(c.open(nonce, aad, ct, tag)).toEqual(plain);
        const bad = Buffer.from(n > 0 ? ct : tag);
        bad[n > 0 ? n >> 1 : 0] ^= 4;
        expect(n > 0 ? c.open(nonce, aad, bad, tag) : c.open(nonce, aad, ct, bad)).toBeNull();
      }
    }
  });
});
