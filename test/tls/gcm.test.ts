import { createCipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AesGcm } from "../../src/tls/gcm.js";

// AesGcm (AES-ECB keystream, GHASH in JavaScript) against node:crypto's own AES-GCM: every length
// around the block size, AAD of 0 to 40 bytes, many records under one key, and any flipped bit
// of ciphertext, AAD or tag refused.

function seal(key: Buffer, nonce: Buffer, aad: Buffer, pt: Buffer): { ct: Buffer; tag: Buffer } {
  const c = createCipheriv(`aes-${key.length * 8}-gcm` as "aes-128-gcm", key, nonce, { authTagLength: 16 });
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(pt), c.final()]);
  return { ct, tag: c.getAuthTag() };
}

describe("AesGcm", () => {
  for (const bits of [128, 256]) {
    it(`AES-${bits}-GCM: equals node:crypto for lengths 0..70, 4000 and 16400, AAD 0..40`, () => {
      const key = randomBytes(bits / 8);
      const g = new AesGcm(key);
      const lengths = [...Array.from({ length: 71 }, (_, i) => i), 4000, 16400];
      for (const n of lengths) {
        for (const al of [0, 5, 13, 16, 17, 40]) {
          const nonce = randomBytes(12), aad = randomBytes(al), pt = randomBytes(n);
          const { ct, tag } = seal(key, nonce, aad, pt);
          expect(g.open(nonce, aad, ct, tag)?.equals(pt)).toBe(true);
        }
      }
    });

    it(`AES-${bits}-GCM: a flipped bit in the ciphertext, the AAD, the tag or the nonce fails; a short tag fails`, () => {
      const key = randomBytes(bits / 8);
      const g = new AesGcm(key);
      const nonce = randomBytes(12), aad = randomBytes(13), pt = randomBytes(100);
      const { ct, tag } = seal(key, nonce, aad, pt);
      for (const [which, b] of [["ct", ct], ["aad", aad], ["tag", tag], ["nonce", nonce]] as const) {
        for (const bit of [0, 7, 8 * b.length - 1]) {
          b[bit >> 3] ^= 1 << (bit & 7);
          expect(g.open(nonce, aad, ct, tag), `${which} bit ${bit}`).toBeNull();
          b[bit >> 3] ^= 1 << (bit & 7);
        }
      }
      expect(g.open(nonce, aad, ct, tag.subarray(0, 12))).toBeNull();
      expect(g.open(nonce, aad, ct, tag)?.equals(pt)).toBe(true);
      expect(new AesGcm(randomBytes(bits / 8)).open(nonce, aad, ct, tag)).toBeNull();
    });
  }

  it("keys whose GHASH tables were taken by 300 later keys still open their records", () => {
    const keys = Array.from({ length: 301 }, () => randomBytes(16));
    const gs = keys.map((k) => new AesGcm(k));
    for (let round = 0; round < 2; round++) {
      gs.forEach((g, i) => {
        const nonce = randomBytes(12), aad = randomBytes(13), pt = randomBytes(40 + i);
        const { ct, tag } = seal(keys[i], nonce, aad, pt);
        expect(g.open(nonce, aad, ct, tag)?.equals(pt)).toBe(true);
      });
    }
  });
});
