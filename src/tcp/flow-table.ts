/**
 * IPv4 connections by address and port pair, the same in both directions. Open addressing over an
 * Int32Array: a lookup per packet allocates nothing (a Map keyed by 48-bit endpoint numbers boxed
 * every key). Entries are never removed; the tracker keeps a connection's number for late packets.
 */
export class Ip4Table<V> {
  private keys: Int32Array;
  private vals: (V | undefined)[];
  private mask: number;
  private count = 0;

  constructor(capacity = 1024) {
    const cap = 1 << Math.ceil(Math.log2(Math.max(16, capacity)));
    this.keys = new Int32Array(cap * 3);
    this.vals = new Array<V | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Addresses as signed 32-bit integers, ports as 0..65535. */
  get(ipA: number, portA: number, ipB: number, portB: number): V | undefined {
    const swap = ipA > ipB || (ipA === ipB && portA > portB);
    const k0 = swap ? ipB : ipA;
    const k1 = swap ? ipA : ipB;
    const k2 = swap ? (portB << 16) | portA : (portA << 16) | portB;
    const keys = this.keys;
    for (let i = hash(k0, k1, k2) & this.mask; ; i = (i + 1) & this.mask) {
      const v = this.vals[i];
      if (v === undefined) return undefined;
      const j = i * 3;
      if (keys[j] === k0 && keys[j + 1] === k1 && keys[j + 2] === k2) return v;
    }
  }

  /** Adds or replaces the entry for this address and port pair. */
  set(ipA: number, portA: number, ipB: number, portB: number, value: V): void {
    if ((this.count + 1) * 2 > this.vals.length) this.grow();
    const swap = ipA > ipB || (ipA === ipB && portA > portB);
    const k0 = swap ? ipB : ipA;
    const k1 = swap ? ipA : ipB;
    const k2 = swap ? (portB << 16) | portA : (portA << 16) | portB;
    const keys = this.keys;
    for (let i = hash(k0, k1, k2) & this.mask; ; i = (i + 1) & this.mask) {
      const j = i * 3;
      if (this.vals[i] === undefined) {
        keys[j] = k0;
        keys[j + 1] = k1;
        keys[j + 2] = k2;
        this.vals[i] = value;
        this.count++;
        return;
      }
      if (keys[j] === k0 && keys[j + 1] === k1 && keys[j + 2] === k2) {
        this.vals[i] = value;
        return;
      }
    }
  }

  *values(): IterableIterator<V> {
    for (const v of this.vals) if (v !== undefined) yield v;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const cap = oldVals.length * 2;
    this.keys = new Int32Array(cap * 3);
    this.vals = new Array<V | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
    for (let i = 0; i < oldVals.length; i++) {
      const v = oldVals[i];
      if (v === undefined) continue;
      const j = i * 3;
      const k0 = oldKeys[j], k1 = oldKeys[j + 1], k2 = oldKeys[j + 2];
      let n = hash(k0, k1, k2) & this.mask;
      while (this.vals[n] !== undefined) n = (n + 1) & this.mask;
      this.keys[n * 3] = k0;
      this.keys[n * 3 + 1] = k1;
      this.keys[n * 3 + 2] = k2;
      this.vals[n] = v;
    }
  }
}

function hash(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ (b >>> 16), 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}
