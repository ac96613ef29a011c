/**
 * Exact capture times for frames whose timestamp resolution is finer than a microsecond.
 *
 * The readers hand every frame's time on as epoch seconds in a float (the model's `time` fields,
 * the JSON's `time`): at present-day dates a float holds microseconds exactly but not
 * nanoseconds (its spacing is 2^-22 s, about 238 ns). For a nanosecond pcap, a pcapng interface
 * with if_tsresol 7, 8, 9 or finer, or a binary resolution 2^-n that microseconds cannot
 * express, the reader also records here each frame's exact time as whole seconds and
 * nanoseconds — what Wireshark keeps (wiretap's nstime: the fraction converted to nanoseconds,
 * truncated) and `tshark -T fields -e frame.time_epoch` prints. Reports look a float time up here
 * to write its ISO 8601 form with 9 exact digits.
 *
 * Nothing is recorded for microsecond (or coarser decimal) resolutions: a microsecond capture
 * costs nothing here, and its times keep 6 digits from the float, as before.
 *
 * Lookup is by the float time the model carries (a finding's time is some packet's time, not
 * always one of its listed frames). Frames come mostly in time order: those are kept in
 * parallel typed arrays (16 bytes a frame) searched by bisection, a new run of them where the
 * capture's clock steps back by more than a second; a frame slightly earlier than the one before
 * it goes to a map. Two frames whose exact times differ can share a float (closer than about
 * 238 ns): frames named by the caller decide between them, else the earliest frame's.
 */

const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;
const MASK = PAGE - 1;

/** An exact capture time: whole epoch seconds (may be negative with if_tsoffset) and 0..999999999 ns. */
export interface ExactTime {
  sec: number;
  ns: number;
}

/**
 * Which frame a time looked up belongs to, to decide between frames whose exact times share a
 * float: the frame, or frames one of which carried it; "earliest" / "latest": the earliest or
 * latest exact time of those frames (a file's first and last packet time).
 */
export type FrameHint = number | readonly number[] | "earliest" | "latest" | undefined;

/** A run of frames in time order: the float time, its nanoseconds within the second, its frame number. */
class Run {
  private times: Float64Array[] = [];
  private nanos: Uint32Array[] = [];
  private frames: Uint32Array[] = [];
  /** pages forgotten from the front (forgetBefore): element i is in page (i >>> PAGE_BITS) - dropped */
  private dropped = 0;
  count = 0;
  first = Infinity;
  latest = -Infinity;
  latestFrame = 0;

  push(frame: number, t: number, ns: number): void {
    const i = this.count;
    const p = (i >>> PAGE_BITS) - this.dropped;
    if (p === this.times.length) {
      this.times.push(new Float64Array(PAGE));
      this.nanos.push(new Uint32Array(PAGE));
      this.frames.push(new Uint32Array(PAGE));
    }
    const j = i & MASK;
    this.times[p][j] = t;
    this.nanos[p][j] = ns;
    this.frames[p][j] = frame;
    this.count = i + 1;
    if (i === this.dropped << PAGE_BITS) this.first = t;
    this.latest = t;
    this.latestFrame = frame;
  }

  /** Forgets whole pages whose frames are all below `frame` (frames of a run increase); true when nothing is left. */
  forgetBefore(frame: number): boolean {
    let n = 0;
    const full = (this.count >>> PAGE_BITS) - this.dropped;
    while (n < full && this.frames[n][MASK] < frame) n++;
    if (n === 0) return false;
    this.times.splice(0, n);
    this.nanos.splice(0, n);
    this.frames.splice(0, n);
    this.dropped += n;
    if (this.times.length === 0) return true;
    this.first = this.times[0][0];
    return false;
  }

  /** Calls `take` for every frame recorded with float time `t`. */
  each(t: number, take: (frame: number, ns: number) => void): void {
    if (t < this.first || t > this.latest) return;
    const d = this.dropped;
    let lo = d << PAGE_BITS;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[(mid >>> PAGE_BITS) - d][mid & MASK] < t) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.count && this.times[(i >>> PAGE_BITS) - d][i & MASK] === t; i++) {
      take(this.frames[(i >>> PAGE_BITS) - d][i & MASK], this.nanos[(i >>> PAGE_BITS) - d][i & MASK]);
    }
  }
}

/** A frame this much earlier than the latest before it starts a new run (the capture's clock was set back); less, it is kept aside. */
const STEP_BACK = 1;

export class Clock {
  /** frames in time order; a new run where the capture's clock steps back */
  private runs: Run[] = [];
  /** frames slightly earlier than a frame before them: float time → [frame, ns, frame, ns, …] */
  private early: Map<number, number[]> | null = null;

  /** Set by a reader whose frames never have a resolution finer than 1 µs (a classic microsecond
   * pcap): nothing will ever be recorded, so reports made before the file is read are final. */
  coarse = false;

  /** the first frame recorded, kept by forgetBefore: a file's first packet time is looked up at the end */
  private firstFrame: [frame: number, t: number, ns: number] | null = null;

  /** Whether any frame's exact time was recorded (the capture has a resolution finer than 1 µs). */
  get fine(): boolean {
    return this.firstFrame !== null;
  }

  /**
   * A live reader's memory: forgets the exact times of frames below `frame` (those of connections
   * already judged and written), by whole pages of 4096 frames, except the capture's first frame.
   * Lookups of forgotten frames then find nothing (a report would show 6 digits).
   */
  forgetBefore(frame: number): void {
    let n = 0;
    while (n < this.runs.length - 1 && this.runs[n].latestFrame < frame) n++;
    if (n > 0) this.runs.splice(0, n);
    if (this.runs.length > 0 && this.runs[0].forgetBefore(frame) && this.runs.length > 1) this.runs.shift();
    const e = this.early;
    if (e !== null) {
      for (const [t, l] of e) {
        let keep = false;
        for (let k = 0; k < l.length; k += 2) if (l[k] >= frame) keep = true;
        if (!keep) e.delete(t);
      }
    }
  }

  /** Records frame `frame`, delivered with float time `t`, whose exact time has `ns` nanoseconds past its second. */
  record(frame: number, t: number, ns: number): void {
    if (this.firstFrame === null) this.firstFrame = [frame, t, ns];
    let run = this.runs[this.runs.length - 1];
    if (run === undefined || t < run.latest - STEP_BACK) {
      run = new Run();
      this.runs.push(run);
    }
    if (t >= run.latest) {
      run.push(frame, t, ns);
      return;
    }
    if (this.early === null) this.early = new Map();
    const l = this.early.get(t);
    if (l) l.push(frame, ns);
    else this.early.set(t, [frame, ns]);
  }

  /** The exact time behind float time `t`, or null when no fine-resolution frame has it. */
  exact(t: number, hint?: FrameHint): ExactTime | null {
    if (this.firstFrame === null) return null;
    let ns = -1;
    let bestFrame = Infinity;
    let hinted = false;
    const take = (frame: number, n: number): void => {
      if (hint === "earliest" || hint === "latest") {
        if (ns === -1 || (hint === "earliest" ? wrapAware(n, ns, t) < 0 : wrapAware(n, ns, t) > 0)) ns = n;
        return;
      }
      const h = isHinted(hint, frame);
      // a hinted frame wins; among equals, the earliest frame
      if (ns === -1 || (h && !hinted) || (h === hinted && frame < bestFrame)) {
        ns = n;
        bestFrame = frame;
        hinted = h;
      }
    };
    for (let r = this.runs.length - 1; r >= 0; r--) this.runs[r].each(t, take);
    const ff = this.firstFrame!;
    if (ns === -1 && ff[1] === t) take(ff[0], ff[2]);
    const l = this.early?.get(t);
    if (l) for (let k = 0; k < l.length; k += 2) take(l[k], l[k + 1]);
    if (ns === -1) return null;
    return { sec: Math.round(t - ns / 1e9), ns };
  }
}

function isHinted(hint: FrameHint, frame: number): boolean {
  if (hint === undefined || typeof hint === "string") return false;
  if (typeof hint === "number") return hint === frame;
  return hint.includes(frame);
}

/** Order of two exact times that share float `t`, given their nanoseconds: < 0 when `a` is earlier. */
function wrapAware(a: number, b: number, t: number): number {
  return (Math.round(t - a / 1e9) - Math.round(t - b / 1e9)) * 1e9 + (a - b);
}

/**
 * Nanoseconds of `rem` units within a second of `units` units, truncated as wiretap does:
 * floor(rem × 10^9 / units). `rem` < `units`.
 */
export function unitsToNanos(rem: number, units: number): number {
  if (units === 1e9) return rem;
  const p = rem * 1e9;
  if (p <= Number.MAX_SAFE_INTEGER) return Math.floor(p / units);
  return Number((BigInt(rem) * 1000000000n) / BigInt(units));
}

/**
 * A 64-bit tick count (hi × 2^32 + lo) at `units` ticks a second as whole seconds and
 * nanoseconds (truncated, as wiretap does), exactly: a float cannot hold the count above 2^53.
 */
export function ticksToExact(hi: number, lo: number, units: number): ExactTime {
  if (units <= 2 ** 37 && Number.isInteger(units)) {
    // long division by 16-bit limbs: every partial value stays below 2^53
    let rem = 0;
    let q = 0;
    for (const limb of [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff]) {
      const cur = rem * 65536 + limb;
      const d = Math.floor(cur / units);
      rem = cur - d * units;
      q = q * 65536 + d;
    }
    return { sec: q, ns: unitsToNanos(rem, units) };
  }
  const ticks = (BigInt(hi) << 32n) | BigInt(lo);
  const u = BigInt(units);
  return { sec: Number(ticks / u), ns: Number(((ticks % u) * 1000000000n) / u) };
}

/** Whether times of this many units per second need more than 6 fractional digits (1e6 is not a multiple of a unit). */
export function finerThanMicros(units: number): boolean {
  return !(Number.isInteger(1e6 / units) && units <= 1e6);
}

/** Sessions and findings read from a fine-resolution capture → that capture's clock. */
const bound = new WeakMap<object, Clock>();

/** Ties a session, finding or file summary to the clock of the capture it came from. */
export function bindClock(o: object, clock: Clock): void {
  bound.set(o, clock);
}

/** The clock of the capture `o` came from, when that capture has fine-resolution times. */
export function clockOf(o: object): Clock | undefined {
  return bound.get(o);
}
