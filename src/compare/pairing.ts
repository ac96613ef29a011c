/**
 * Pairing sessions across two captures: by what was said (the client's commands and the
 * server's replies, tolerant of rewrites) and then by time, with the clock offset between the
 * captures taken as the median start-time difference of the candidate pairs.
 */
import type { Session } from "../smtp/model.js";
import { align, similarity, type Fingerprint } from "./align.js";
import type { Unit } from "./units.js";

/**
 * Candidates whose time differences are this close (s) agree on the clock offset: true pairs
 * cluster within the transit's asymmetry, wrong pairings of concurrent sessions spread by the
 * spacing of the sessions.
 */
const AGREE = 0.001;

/**
 * A candidate this far (s) from the common offset is not the same session (periodic probes and
 * retries say the same minutes apart); a box that tarpits a session by less still pairs.
 */
const FAR = 60;

/** Units per direction read for a candidate's offset. */
const OFFSET_UNITS = 50;

/**
 * B's clock minus A's for a candidate pair, transit cancelled: the medians of the time differences
 * of equal units (taken in order) in each direction, averaged; the start times when none are equal.
 */
export function quickOffset(ua: { c2s: Unit[]; s2c: Unit[] }, ub: { c2s: Unit[]; s2c: Unit[] }, fallback: number): number {
  const med = (x: Unit[], y: Unit[]) => {
    const d: number[] = [];
    for (let i = 0; i < Math.min(x.length, y.length, OFFSET_UNITS); i++) if (x[i].key === y[i].key) d.push(y[i].firstTime - x[i].firstTime);
    return median(d);
  };
  const c = med(ua.c2s, ub.c2s), s = med(ua.s2c, ub.s2c);
  if (!Number.isNaN(c) && !Number.isNaN(s)) return (c + s) / 2;
  if (!Number.isNaN(c)) return c;
  if (!Number.isNaN(s)) return s;
  return fallback;
}

/** Dialogues with at least this share of units said identically at both points may be one session seen twice. */
export const MIN_SIMILARITY = 0.5;

/** Smallest and largest of a list of any length (no argument spreading). */
export function minOf(xs: number[]): number {
  let m = Infinity;
  for (const x of xs) if (x < m) m = x;
  return m;
}

export function maxOf(xs: number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

type Units = { c2s: Unit[]; s2c: Unit[] };

/**
 * Can the two be one session seen at two points? Bytes pass one point before the other: with A
 * nearer the client, every client unit is later at B than at A by the offset plus the transit
 * (plus any hold), every server unit earlier by the transit, so the smallest client-unit
 * difference is at least the largest server-unit one (or the other way round with B nearer the
 * client); the client's SYN counts as a client unit (a proxy's own SYN to the server comes later
 * still). Two different sessions that said the same break this. The tolerance covers clock drift
 * over the session (100 ppm) and timestamp jitter (0.5 ms).
 */
export function causal(ua: Units, ub: Units, sa: Session, sb: Session): boolean {
  const d: number[][] = [[], []];
  (["c2s", "s2c"] as const).forEach((k, n) => {
    const x = ua[k], y = ub[k];
    for (const st of align(x, y).steps) {
      if (st.a !== null && st.b !== null && x[st.a].key === y[st.b].key) d[n].push(y[st.b].firstTime - x[st.a].firstTime);
    }
  });
  const [c, s] = d;
  if (sa.sawSyn && sb.sawSyn) c.push(sb.startTime - sa.startTime);
  if (c.length === 0 || s.length === 0) return true;
  const tol = Math.max(0.0005, 1e-4 * Math.max(sa.endTime - sa.startTime, sb.endTime - sb.startTime));
  return minOf(c) >= maxOf(s) - tol || minOf(s) >= maxOf(c) - tol;
}

export interface Candidate {
  i: number;
  j: number;
  sim: number;
  /** units said identically at both points, of the larger dialogue's (first 300 per direction) */
  same: number;
  total: number;
  /** start of B's session minus start of A's, seconds */
  d: number;
}

/**
 * Pairs sessions of A (`sa`, fingerprints `fa`) with sessions of B. Among equally alike
 * candidates the one whose time difference is closest to the common offset wins, so
 * concurrent identical sessions pair by time; the capture order breaks what remains.
 */
export function pairSessions(sa: Session[], ua: { c2s: Unit[]; s2c: Unit[] }[], fa: Fingerprint[], sb: Session[], ub: { c2s: Unit[]; s2c: Unit[] }[], fb: Fingerprint[]): { pairs: Candidate[]; coarseOffset: number } {
  const cands: Candidate[] = [];
  for (let i = 0; i < sa.length; i++) {
    for (let j = 0; j < sb.length; j++) {
      const { exact, score: sim, same, total } = similarity(fa[i], fb[j]);
      if (exact >= MIN_SIMILARITY && causal(ua[i], ub[j], sa[i], sb[j])) cands.push({ i, j, sim, same, total, d: quickOffset(ua[i], ub[j], sb[j].startTime - sa[i].startTime) });
    }
  }
  // the true pairs share one offset: take the one most candidates agree with (within 1 ms),
  // and of equally supported ones the smallest (capture hosts' clocks are mostly about right);
  // for n identical concurrent sessions the wrong pairings spread symmetrically around it, and
  // the median of the agreeing candidates is the offset either way
  const ds = cands.map((c) => c.d).sort((x, y) => x - y);
  let bestCount = 0;
  let bestOffset = NaN;
  for (let i = 0, lo = 0, hi = 0; i < ds.length; i++) {
    while (ds[lo] < ds[i] - AGREE) lo++;
    while (hi < ds.length && ds[hi] <= ds[i] + AGREE) hi++;
    const count = hi - lo;
    const off = (count % 2 ? ds[lo + (count >> 1)] : (ds[lo + (count >> 1) - 1] + ds[lo + (count >> 1)]) / 2);
    if (count > bestCount || (count === bestCount && Math.abs(off) < Math.abs(bestOffset))) {
      bestCount = count;
      bestOffset = off;
    }
  }
  const coarseOffset = bestOffset;
  // a session whose time difference is a minute from everyone else's is another session that said the same
  for (let k = cands.length - 1; k >= 0; k--) if (Math.abs(cands[k].d - coarseOffset) > FAR) cands.splice(k, 1);
  const score = (c: Candidate) => {
    const x = Math.abs(c.d - coarseOffset);
    return c.sim - 0.5 * (x / (x + 1));
  };
  cands.sort((x, y) => score(y) - score(x) || Math.abs(x.i - x.j) - Math.abs(y.i - y.j) || x.i - y.i);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const pairs: Candidate[] = [];
  for (const c of cands) {
    if (usedA.has(c.i) || usedB.has(c.j)) continue;
    usedA.add(c.i);
    usedB.add(c.j);
    pairs.push(c);
  }
  pairs.sort((x, y) => x.i - y.i);
  return { pairs, coarseOffset };
}
