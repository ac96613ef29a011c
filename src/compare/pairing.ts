/**
 * Pairing sessions across two captures: by what was said (the client's commands and the
 * server's replies, tolerant of rewrites) and then by time, with the clock offset between the
 * captures taken as the median start-time difference of the candidate pairs.
 */
import type { Session } from "../smtp/model.js";
import { similarity, type Fingerprint } from "./align.js";

/** Dialogues at least this alike may be one session seen twice. */
export const MIN_SIMILARITY = 0.5;

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Candidate {
  i: number;
  j: number;
  sim: number;
  /** start of B's session minus start of A's, seconds */
  d: number;
}

/**
 * Pairs sessions of A (`sa`, fingerprints `fa`) with sessions of B. Among equally alike
 * candidates the one whose start-time difference is closest to the common offset wins, so
 * concurrent identical sessions pair by time; the capture order breaks what remains.
 */
export function pairSessions(sa: Session[], fa: Fingerprint[], sb: Session[], fb: Fingerprint[]): { pairs: Candidate[]; coarseOffset: number } {
  const cands: Candidate[] = [];
  for (let i = 0; i < sa.length; i++) {
    for (let j = 0; j < sb.length; j++) {
      const sim = similarity(fa[i], fb[j]);
      if (sim >= MIN_SIMILARITY) cands.push({ i, j, sim, d: sb[j].startTime - sa[i].startTime });
    }
  }
  // the true pairs share one offset; for n identical concurrent sessions the wrong pairings
  // spread symmetrically around it, so the median of all candidates is the offset either way
  const coarseOffset = median(cands.map((c) => c.d));
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
