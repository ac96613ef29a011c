import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HmacSha1 } from "../../src/tls/sha1.js";
import { HmacSha256 } from "../../src/tls/sha256.js";

// HMAC-SHA-256 and HMAC-SHA-1 (one HMAC, src/tls/hmac.ts) in JavaScript against node:crypto: every message length around the padding
// boundaries (55, 56, 64 of the last block), messages in up to three parts, keys up to 64 bytes.

describe.each([["sha256", (k: Buffer) => new HmacSha256(k)], ["sha1", (k: Buffer) => new HmacSha1(k)]] as const)("HMAC-%s", (alg, make) => {
  it("equals createHmac for keys of 0..64 bytes and messages of 0..200 bytes in parts", () => {
    for (const kl of [0, 1, 32, 48, 63, 64]) {
      const key = randomBytes(kl);
      const h = make(key);
      for (let n = 0; n <= 200; n++) {
        const m = randomBytes(n);
        const a = n >> 2, b = n >> 1;
        expect(h.mac([m]).toString("hex")).toBe(createHmac(alg, key).update(m).digest("hex"));
        expect(h.mac([m.subarray(0, a), m.subarray(a, b), m.subarray(b)]).toString("hex")).toBe(createHmac(alg, key).update(m).digest("hex"));
      }
      const big = randomBytes(16500);
      expect(h.mac([big.subarray(0, 13), big.subarray(13)]).toString("hex")).toBe(createHmac(alg, key).update(big).digest("hex"));
    }
  });
});
