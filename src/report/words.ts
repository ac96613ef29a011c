export { plural } from "../text/plural.js";

/**
 * Wraps `text` at `width` columns: the first line after `first`, the others after `rest` (both
 * counted in the width). Words longer than a line (a filter, an address) stay whole.
 */
export function wrap(text: string, width: number, first: string, rest: string = " ".repeat(first.length)): string[] {
  const words = text.split(" ");
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const w of words) {
    if (w === "") continue;
    if (!empty && line.length + 1 + w.length > width) {
      lines.push(line);
      line = rest + w;
    } else {
      line += (empty ? "" : " ") + w;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

/** Names close to `given`: those that contain it, or are a few edits away; at most `max`. */
export function suggest(given: string, names: readonly string[], max = 3): string[] {
  const g = given.toLowerCase();
  if (g === "") return [];
  const contain = names.filter((n) => n.includes(g));
  if (contain.length > 0) return contain.slice(0, max);
  return names
    .map((n) => ({ n, d: distance(g, n) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(g.length / 4)))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, max)
    .map((x) => x.n);
}

/** Joins `parts` with " · ", breaking lines only between parts (a part longer than a line is wrapped). */
export function wrapParts(parts: string[], width: number, first: string, rest: string = " ".repeat(first.length)): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const p of parts) {
    if (!empty && line.length + 3 + p.length > width) {
      lines.push(line);
      line = rest;
      empty = true;
    }
    if (empty && line.length + p.length > width) {
      const w = wrap(p, width, line, rest);
      lines.push(...w.slice(0, -1));
      line = w[w.length - 1];
    } else line += (empty ? "" : " · ") + p;
    empty = false;
  }
  lines.push(line);
  return lines;
}
