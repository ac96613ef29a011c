/** A seeded mutator for capture files: the fuzz test's input generator. */

export { rng } from "./writer.js";

export type Mutation = "bitflip" | "truncate" | "length" | "splice" | "duplicate" | "zero" | "bytes";

export const MUTATIONS: Mutation[] = ["bitflip", "truncate", "length", "splice", "duplicate", "zero", "bytes"];

/** Apply one mutation of kind `kind`; returns a new buffer. */
export function mutate(input: Buffer, kind: Mutation, r: () => number): Buffer {
  const buf = Buffer.from(input);
  const at = (n = buf.length) => Math.floor(r() * Math.max(1, n));
  switch (kind) {
    case "bitflip": {
      const n = 1 + at(16);
      for (let i = 0; i < n; i++) { const p = at(); buf[p] ^= 1 << at(8); }
      return buf;
    }
    case "truncate":
      return buf.subarray(0, at());
    case "length": {
      // overwrite an aligned 32-bit word (record/block lengths live on 4-byte boundaries) with an extreme value
      const p = at(buf.length >> 2) << 2;
      const values = [0, 1, 7, 12, 0xffff, 0x7fffffff, 0xffffffff, buf.length, buf.length - p + 4];
      if (p + 4 <= buf.length) buf.writeUInt32LE(values[at(values.length)] >>> 0, p);
      return buf;
    }
    case "splice": {
      const junk = Buffer.alloc(1 + at(512));
      for (let i = 0; i < junk.length; i++) junk[i] = at(256);
      const p = at();
      return Buffer.concat([buf.subarray(0, p), junk, buf.subarray(p)]);
    }
    case "duplicate": {
      const p = at(), len = at(Math.min(4096, buf.length - p));
      const q = at();
      return Buffer.concat([buf.subarray(0, q), buf.subarray(p, p + len), buf.subarray(q)]);
    }
    case "zero": {
      const p = at(), len = at(256);
      buf.fill(0, p, Math.min(buf.length, p + len));
      return buf;
    }
    case "bytes": {
      // bytes that mean something to SMTP parsers: CR, LF, dots, digits, ESC
      const alphabet = [13, 10, 46, 50, 53, 45, 32, 27, 0, 0x16, 0x80];
      const n = 1 + at(32);
      for (let i = 0; i < n; i++) buf[at()] = alphabet[at(alphabet.length)];
      return buf;
    }
  }
}
