/** Bits of a retired connection's record. */
export const R_SYN = 1;
export const R_FIN0 = 2;
export const R_FIN1 = 4;
export const R_RESET = 8;
/** the initiator is the endpoint stored first in the key (the smaller one) */
export const R_INIT_FIRST = 16;

/**
 * Seconds of capture time a live reader keeps a closed connection (FIN both ways, or RST): twice
 * the maximum segment lifetime of RFC 793 section 3.3 (2 minutes), the TIME-WAIT after which the
 * address and port pair may start a new connection and no segment of the old one is still in the
 * network. A connection given up unclosed keeps the table's TTL.
 */
export const LIVE_CLOSED_TTL = 240;

/**
 * The IPv4 connections of a capture, by address and port pair, the same in both directions.
 * Open addressing over typed arrays: a lookup per packet allocates nothing. A connection being
 * followed or still undecided has a live object (`live[slot]`); one that ended or is not SMTP is
 * retired to a few numbers (stream index, first sequence numbers, flags), so a capture with
 * millions of connections (a scan) costs tens of bytes for each. A retired connection that was
 * closed (FIN both ways, or RST) and silent for RETIRED_TTL seconds of capture time is forgotten
 * when the table next grows; in a live reader's table any retired one, also every tenth of the TTL
 * (purge), which shrinks the table too.
 */
export class Ip4Connections<F> {
  // the arrays are set by allocate()
  private keys!: Int32Array;
  live!: (F | undefined)[];
  /** stream index (tcp.stream); -1 marks an empty slot */
  index!: Int32Array;
  seq0!: Float64Array;
  seq1!: Float64Array;
  bits!: Uint8Array;
  last!: Float64Array;
  private mask = 0;
  private count = 0;
  /** the latest packet time seen, for forgetting old closed connections */
  now = 0;
  /** a live reader's table: retired connections silent for the TTL are forgotten even when not
   * closed (given up by an idle limit, not SMTP); a file keeps them, as Wireshark does */
  forgetUnclosed = false;

  /** the canonical key of the last pair asked for (smaller endpoint first), set by key() */
  private k0 = 0;
  private k1 = 0;
  private k2 = 0;

  constructor(capacity = 1024, private readonly retiredTtl = 600) {
    this.allocate(1 << Math.ceil(Math.log2(Math.max(16, capacity))));
  }

  private allocate(cap: number): void {
    this.keys = new Int32Array(cap * 3);
    this.live = new Array<F | undefined>(cap).fill(undefined);
    this.index = new Int32Array(cap).fill(-1);
    this.seq0 = new Float64Array(cap);
    this.seq1 = new Float64Array(cap);
    this.bits = new Uint8Array(cap);
    this.last = new Float64Array(cap);
    this.mask = cap - 1;
  }

  private key(ipA: number, portA: number, ipB: number, portB: number): void {
    const swap = ipA > ipB || (ipA === ipB && portA > portB);
    this.k0 = swap ? ipB : ipA;
    this.k1 = swap ? ipA : ipB;
    this.k2 = swap ? (portB << 16) | portA : (portA << 16) | portB;
  }

  get size(): number {
    return this.count;
  }

  /** The slot of this connection (addresses as signed 32-bit integers), or -1. */
  find(ipA: number, portA: number, ipB: number, portB: number): number {
    this.key(ipA, portA, ipB, portB);
    const k0 = this.k0, k1 = this.k1, k2 = this.k2;
    const keys = this.keys;
    for (let i = hash(k0, k1, k2) & this.mask; ; i = (i + 1) & this.mask) {
      if (this.index[i] < 0) return -1;
      const j = i * 3;
      if (keys[j] === k0 && keys[j + 1] === k1 && keys[j + 2] === k2) return i;
    }
  }

  /** Whether the packet from ipA:portA travels from the initiator of the connection in `slot`. */
  fromFirst(slot: number, ipA: number, portA: number): boolean {
    const j = slot * 3;
    return this.keys[j] === ipA && (this.keys[j + 2] >>> 16) === portA;
  }

  /** Adds a connection (which must not be in the table); returns its slot. Slots move when the table grows. */
  add(ipA: number, portA: number, ipB: number, portB: number, index: number, value: F): number {
    if (this.full(this.count + 1, this.index.length)) this.rebuild();
    this.key(ipA, portA, ipB, portB);
    const k0 = this.k0, k1 = this.k1, k2 = this.k2;
    let i = hash(k0, k1, k2) & this.mask;
    while (this.index[i] >= 0) i = (i + 1) & this.mask;
    const j = i * 3;
    this.keys[j] = k0;
    this.keys[j + 1] = k1;
    this.keys[j + 2] = k2;
    this.count++;
    this.put(i, index, value);
    return i;
  }

  /** A new connection on the same address and port pair (port reuse) takes over the slot. */
  put(slot: number, index: number, value: F): void {
    this.index[slot] = index;
    this.live[slot] = value;
    this.bits[slot] = 0;
    this.seq0[slot] = -1;
    this.seq1[slot] = -1;
    this.last[slot] = this.now;
  }

  /** Keep only the numbers of the connection in `slot`. */
  retire(slot: number, seq0: number, seq1: number, bits: number, last: number): void {
    this.live[slot] = undefined;
    this.seq0[slot] = seq0;
    this.seq1[slot] = seq1;
    this.bits[slot] = bits;
    this.last[slot] = last;
  }

  *liveValues(): IterableIterator<F> {
    for (let i = 0; i < this.live.length; i++) {
      const v = this.live[i];
      if (v !== undefined) yield v;
    }
  }

  /** The number of slots (a power of two; see full()). */
  get capacity(): number {
    return this.index.length;
  }

  /** capture time of the last purge() */
  private purged = -Infinity;

  /**
   * When the table rebuilds (`full`) and how full a rebuild leaves it at most (`roomy`): a file's
   * table at half and a quarter; a live reader's (forgetUnclosed), which lives on, at 3/4 and 5/8
   * (lookups are mostly hits, about 2.5 probes at 3/4 with linear probing).
   */
  private full(n: number, cap: number): boolean {
    return this.forgetUnclosed ? n * 4 > cap * 3 : n * 2 > cap;
  }
  private roomy(n: number, cap: number): boolean {
    return this.forgetUnclosed ? n * 8 <= cap * 5 : n * 4 <= cap;
  }

  /**
   * A live reader's table (forgetUnclosed), called as capture time passes: every tenth of the
   * shorter TTL of capture time, retired connections silent for their TTL are forgotten, in place
   * (compact), or into smaller arrays when what is kept fits one (the smallest size at most 5/8
   * full). Without it the table forgot only when it grew, and kept the size of its peak: the soak
   * of issue #23 (a steady 113 connections per second of capture time, 68 000 of them within the
   * last 600 s) went to 262 144 slots of 49 bytes and doubled again to 524 288 at about 14 GB.
   * Reallocating at every purge left the freed arrays to the allocator each time; compacting in
   * place allocates nothing.
   */
  purge(): void {
    if (!this.forgetUnclosed || this.now - this.purged < Math.min(LIVE_CLOSED_TTL, this.retiredTtl) / 10) return;
    this.purged = this.now;
    this.rebuild(true);
  }

  /**
   * Whether the retired connection in `slot` is forgotten: closed (FIN both ways, or RST) and
   * silent for the TTL (in a live reader's table, for LIVE_CLOSED_TTL if shorter), or in a live
   * reader's table any retired one silent for the TTL.
   */
  private forgets(slot: number): boolean {
    if (this.live[slot] !== undefined) return false;
    const b = this.bits[slot];
    const last = this.last[slot];
    if (this.forgetUnclosed && last < this.now - this.retiredTtl) return true;
    const closed = (b & R_RESET) !== 0 || (b & (R_FIN0 | R_FIN1)) === (R_FIN0 | R_FIN1);
    return closed && last < this.now - (this.forgetUnclosed ? Math.min(LIVE_CLOSED_TTL, this.retiredTtl) : this.retiredTtl);
  }

  /**
   * Rehash, forgetting what forgets() says. On growth (`fit` false) it doubles unless what is
   * kept leaves it `roomy`; with `fit` it takes the smallest roomy size, never larger, and does
   * nothing when that changes nothing; at the same size it compacts in place.
   */
  private rebuild(fit = false): void {
    let keep = 0;
    for (let i = 0; i < this.index.length; i++) if (this.index[i] >= 0 && !this.forgets(i)) keep++;
    let cap = 16;
    if (fit) {
      while (!this.roomy(keep, cap) && cap < this.index.length) cap *= 2;
      if (cap === this.index.length) {
        if (keep === this.count) return;
        this.compact();
        this.count = keep;
        return;
      }
    } else cap = this.roomy(keep + 1, this.index.length) ? this.index.length : this.index.length * 2;
    const old = this.arrays();
    const forget = new Uint8Array(old.index.length);
    for (let i = 0; i < old.index.length; i++) if (old.index[i] >= 0 && this.forgets(i)) forget[i] = 1;
    this.allocate(cap);
    this.count = keep;
    for (let i = 0; i < old.index.length; i++) {
      if (old.index[i] < 0 || forget[i] === 1) continue;
      const k0 = old.keys[i * 3], k1 = old.keys[i * 3 + 1], k2 = old.keys[i * 3 + 2];
      let n = hash(k0, k1, k2) & this.mask;
      while (this.index[n] >= 0) n = (n + 1) & this.mask;
      this.move(old, i, n);
    }
  }

  /**
   * Forget in place: empty the forgotten slots, then walk the table once, from the slot after
   * one that was empty before (no probe sequence crosses it, so every entry's home comes before
   * it in the walk), moving each entry to the first empty slot from its home. Entries already
   * walked are at their final place, and a slot an entry leaves lies after them.
   */
  private compact(): void {
    const cap = this.index.length;
    let start = 0;
    while (this.index[start] >= 0) start++;
    for (let i = 0; i < cap; i++) {
      if (this.index[i] >= 0 && this.forgets(i)) {
        this.index[i] = -1;
        this.live[i] = undefined;
      }
    }
    const keys = this.keys;
    const here = this.arrays();
    for (let s = 1; s <= cap; s++) {
      const i = (start + s) & this.mask;
      if (this.index[i] < 0) continue;
      let n = hash(keys[i * 3], keys[i * 3 + 1], keys[i * 3 + 2]) & this.mask;
      while (n !== i && this.index[n] >= 0) n = (n + 1) & this.mask;
      if (n === i) continue;
      this.move(here, i, n);
      this.index[i] = -1;
      this.live[i] = undefined;
    }
  }

  private arrays(): Slots<F> {
    return { keys: this.keys, live: this.live, index: this.index, seq0: this.seq0, seq1: this.seq1, bits: this.bits, last: this.last };
  }

  /** Copies slot `i` of `from` to slot `n` of this table. */
  private move(from: Slots<F>, i: number, n: number): void {
    this.keys[n * 3] = from.keys[i * 3];
    this.keys[n * 3 + 1] = from.keys[i * 3 + 1];
    this.keys[n * 3 + 2] = from.keys[i * 3 + 2];
    this.live[n] = from.live[i];
    this.index[n] = from.index[i];
    this.seq0[n] = from.seq0[i];
    this.seq1[n] = from.seq1[i];
    this.bits[n] = from.bits[i];
    this.last[n] = from.last[i];
  }
}

interface Slots<F> {
  keys: Int32Array;
  live: (F | undefined)[];
  index: Int32Array;
  seq0: Float64Array;
  seq1: Float64Array;
  bits: Uint8Array;
  last: Float64Array;
}

function hash(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ (b >>> 16), 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}
