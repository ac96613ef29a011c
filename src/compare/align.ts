/**
 * Alignment of two unit sequences (one direction of a session at each capture point): an edit
 * alignment where equal units match, units of one family (same verb, same reply code) may be
 * substituted (a rewrite) and anything else is present at one point only.
 */
import type { Unit } from "./units.js";

export interface Step {
  a: number | null;
  b: number | null;
}

/** Cells of the alignment table, at most; larger middles are aligned position by position. */
export const MAX_ALIGN_CELLS = 4_000_000;

function subCost(x: Unit, y: Unit): number {
  if (x.key === y.key) return 0;
  return x.family === y.family ? 1 : 3;
}

/** Align `A` and `B`; `exact` is true when the middle was small enough for the full table. */
export function align(A: Unit[], B: Unit[]): { steps: Step[]; exact: boolean } {
  let pre = 0;
  while (pre < A.length && pre < B.length && A[pre].key === B[pre].key) pre++;
  let suf = 0;
  while (suf < A.length - pre && suf < B.length - pre && A[A.length - 1 - suf].key === B[B.length - 1 - suf].key) suf++;
  const steps: Step[] = [];
  for (let i = 0; i < pre; i++) steps.push({ a: i, b: i });
  const n = A.length - pre - suf;
  const m = B.length - pre - suf;
  let exact = true;
  if ((n + 1) * (m + 1) <= MAX_ALIGN_CELLS) {
    // cost table and back pointers (0 diagonal, 1 up: A only, 2 left: B only)
    const w = m + 1;
    const cost = new Uint32Array((n + 1) * w);
    const back = new Uint8Array((n + 1) * w);
    for (let i = 1; i <= n; i++) { cost[i * w] = i; back[i * w] = 1; }
    for (let j = 1; j <= m; j++) { cost[j] = j; back[j] = 2; }
    for (let i = 1; i <= n; i++) {
      for (let j = 1; j <= m; j++) {
        const d = cost[(i - 1) * w + j - 1] + subCost(A[pre + i - 1], B[pre + j - 1]);
        const u = cost[(i - 1) * w + j] + 1;
        const l = cost[i * w + j - 1] + 1;
        let best = d, dir = 0;
        if (u < best) { best = u; dir = 1; }
        if (l < best) { best = l; dir = 2; }
        cost[i * w + j] = best;
        back[i * w + j] = dir;
      }
    }
    const mid: Step[] = [];
    let i = n, j = m;
    while (i > 0 || j > 0) {
      const dir = back[i * w + j];
      if (dir === 0 && i > 0 && j > 0 && subCost(A[pre + i - 1], B[pre + j - 1]) < 3) { mid.push({ a: pre + i - 1, b: pre + j - 1 }); i--; j--; }
      else if (dir === 0) { mid.push({ a: pre + i - 1, b: null }, { a: null, b: pre + j - 1 }); i--; j--; }
      else if (dir === 1) { mid.push({ a: pre + i - 1, b: null }); i--; }
      else { mid.push({ a: null, b: pre + j - 1 }); j--; }
    }
    steps.push(...mid.reverse());
  } else {
    exact = false;
    for (let k = 0; k < Math.max(n, m); k++) steps.push({ a: k < n ? pre + k : null, b: k < m ? pre + k : null });
  }
  for (let k = suf; k > 0; k--) steps.push({ a: A.length - k, b: B.length - k });
  return { steps, exact };
}

/** Units compared per direction when pairing sessions (the start of a dialogue identifies it). */
const PAIRING_UNITS = 300;

/** Counts of unit keys and families of a session's dialogue, per direction, for pairing. */
export interface Fingerprint {
  keys: [Map<string, number>, Map<string, number>];
  families: [Map<string, number>, Map<string, number>];
  totals: [number, number];
}

export function fingerprint(u: { c2s: Unit[]; s2c: Unit[] }): Fingerprint {
  const f: Fingerprint = { keys: [new Map(), new Map()], families: [new Map(), new Map()], totals: [0, 0] };
  [u.c2s, u.s2c].forEach((list, d) => {
    for (const x of list.slice(0, PAIRING_UNITS)) {
      f.keys[d].set(x.key, (f.keys[d].get(x.key) ?? 0) + 1);
      f.families[d].set(x.family, (f.families[d].get(x.family) ?? 0) + 1);
      f.totals[d]++;
    }
  });
  return f;
}

function shared(x: Map<string, number>, y: Map<string, number>): number {
  let n = 0;
  const [small, big] = x.size <= y.size ? [x, y] : [y, x];
  for (const [k, c] of small) n += Math.min(c, big.get(k) ?? 0);
  return n;
}

/**
 * How alike two dialogues are, 0–1: `exact` counts only units said identically at both points;
 * `score` also gives rewritten ones (same verb or reply code) ½. A direction one capture holds
 * nothing of (asymmetric routing, a one-sided capture) is left out rather than counted as changed.
 */
export function similarity(a: Fingerprint, b: Fingerprint): { exact: number; score: number; same: number; total: number } {
  let total = 0, same = 0, family = 0;
  for (const d of [0, 1]) {
    if (a.totals[d] === 0 || b.totals[d] === 0) continue;
    total += Math.max(a.totals[d], b.totals[d]);
    const s = shared(a.keys[d], b.keys[d]);
    same += s;
    family += Math.max(0, shared(a.families[d], b.families[d]) - s);
  }
  if (total === 0) return { exact: 0, score: 0, same: 0, total: 0 };
  return { exact: same / total, score: (same + 0.5 * family) / total, same, total };
}
