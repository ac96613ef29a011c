/**
 * The example blocks of README.md (and docs/*.md), checked against what the commands really print
 * (issue #20 item 6). A block is a fenced block whose first line is `$ smtpcap …`; the rest is the
 * command's standard output, abridged by two rules:
 *
 * - `…` inside a line stands for any text (also none): `Verdict: The client is at fault: …` matches
 *   any line that starts so, `a … b` any line that starts with `a ` and ends with ` b`;
 * - a line that is only `…` (indented or not) stands for any number of lines, also none.
 *
 * Everything else must be equal (trailing spaces ignored), and the block covers the whole output
 * (end it with a `…` line to leave the rest out). For a command with `--format json` the output is
 * one line of JSON: the block is compared with all whitespace removed on both sides, so it may be
 * laid out over several lines, with `…` for what it leaves out.
 *
 * A block is not checked when the line before its fence is `<!-- readme-test: skip (reason) -->`.
 */

export interface Block {
  /** 0-based line index of the opening fence and of the closing fence */
  open: number;
  close: number;
  /** the arguments after `$ smtpcap` */
  args: string[];
  /** the lines after the command line */
  body: string[];
  json: boolean;
}

export const ELLIPSIS = "…";

export function findBlocks(md: string): Block[] {
  const lines = md.split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith("```")) continue;
    let close = i + 1;
    while (close < lines.length && !lines[close].startsWith("```")) close++;
    const first = lines[i + 1] ?? "";
    const skipped = i > 0 && /^<!-- readme-test: skip\b/.test(lines[i - 1]);
    if (first.startsWith("$ smtpcap ") && !skipped) {
      const args = first.slice("$ smtpcap ".length).trim().split(/\s+/);
      out.push({ open: i, close, args, body: lines.slice(i + 2, close), json: args.includes("json") && args[args.indexOf("json") - 1] === "--format" });
    }
    i = close;
  }
  return out;
}

const isSkip = (l: string) => l.trim() === ELLIPSIS;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Does output line `o` match block line `b` (`…` any text)? */
export function lineMatches(b: string, o: string): boolean {
  const bt = b.trimEnd(), ot = o.trimEnd();
  if (!bt.includes(ELLIPSIS)) return bt === ot;
  return new RegExp(`^${bt.split(ELLIPSIS).map(escapeRe).join("[^]*?")}$`).test(ot);
}

export interface Mismatch {
  /** 0-based index in the block body of the first line that no alignment got past, or -1 */
  blockLine: number;
  /** the output line it was compared with (undefined: the output had ended) */
  outputLine?: string;
  message: string;
}

/** Output lines without the trailing empty line(s). */
export function outputLines(stdout: string): string[] {
  const l = stdout.split("\n");
  while (l.length && l[l.length - 1] === "") l.pop();
  return l;
}

/** null when `body` matches `out`; else where it fails. */
export function matchBlock(body: string[], out: string[], json = false): Mismatch | null {
  if (json) {
    const pat = body.join("").replace(/\s+/g, "");
    const text = out.join("").replace(/\s+/g, "");
    if (new RegExp(`^${pat.split(ELLIPSIS).map(escapeRe).join("[^]*?")}$`).test(text)) return null;
    // the longest prefix of pieces that still matches, for the message
    const pieces = pat.split(ELLIPSIS);
    let k = pieces.length;
    while (k > 0 && !new RegExp(`^${pieces.slice(0, k).map(escapeRe).join("[^]*?")}`).test(text)) k--;
    return { blockLine: -1, message: `the JSON does not match after ${k} of the block's ${pieces.length} pieces; the first that fails: ${JSON.stringify(pieces[k]?.slice(0, 120))}` };
  }
  const nB = body.length, nO = out.length;
  // ok[i][j]: body[i..] matches out[j..]
  const ok: boolean[][] = Array.from({ length: nB + 1 }, () => new Array<boolean>(nO + 1).fill(false));
  ok[nB][nO] = true;
  for (let i = nB - 1; i >= 0; i--) {
    for (let j = nO; j >= 0; j--) {
      if (isSkip(body[i])) ok[i][j] = ok[i + 1][j] || (j < nO && ok[i][j + 1]);
      else ok[i][j] = j < nO && lineMatches(body[i], out[j]) && ok[i + 1][j + 1];
    }
  }
  if (ok[0][0]) return null;
  // the furthest block line a matching prefix reaches
  let reach = new Set([0]);
  for (let i = 0; i < nB; i++) {
    const next = new Set<number>();
    for (const j of reach) {
      if (isSkip(body[i])) for (let k = j; k <= nO; k++) next.add(k);
      else if (j < nO && lineMatches(body[i], out[j])) next.add(j + 1);
    }
    if (next.size === 0) {
      const j = Math.min(...reach);
      return { blockLine: i, outputLine: out[j], message: `block line ${i + 1} ${JSON.stringify(body[i])} does not match output line ${j + 1} ${out[j] === undefined ? "(the output has ended)" : JSON.stringify(out[j])}` };
    }
    reach = next;
  }
  const j = Math.min(...reach);
  return { blockLine: nB, outputLine: out[j], message: `the block ends, but the output goes on at line ${j + 1} ${JSON.stringify(out[j])} (end the block with a "…" line to leave the rest out)` };
}

/**
 * A block body refreshed for `out` (UPDATE_README=1): the cheapest alignment keeps every line that
 * still matches and every `…` line; a line that no longer matches is replaced by the output line it
 * aligns with (cut at the same column when it ended in `…`); output lines the block lacks are added,
 * block lines the output lacks are dropped. JSON blocks are not rewritten (null).
 */
export function refreshBlock(body: string[], out: string[], json = false): string[] | null {
  if (json) return null;
  const nB = body.length, nO = out.length;
  const INF = 1e9;
  const cost: number[][] = Array.from({ length: nB + 1 }, () => new Array<number>(nO + 1).fill(INF));
  const move: string[][] = Array.from({ length: nB + 1 }, () => new Array<string>(nO + 1).fill(""));
  for (let i = nB; i >= 0; i--) {
    for (let j = nO; j >= 0; j--) {
      if (i === nB && j === nO) { cost[i][j] = 0; continue; }
      const opts: [number, string][] = [];
      if (i < nB && isSkip(body[i])) {
        opts.push([cost[i + 1][j], "next"]);
        if (j < nO) opts.push([cost[i][j + 1], "eat"]);
      } else if (i < nB) {
        if (j < nO && lineMatches(body[i], out[j])) opts.push([cost[i + 1][j + 1], "keep"]);
        if (j < nO) opts.push([1 + cost[i + 1][j + 1], "replace"]);
        opts.push([1 + cost[i + 1][j], "drop"]);
      }
      if (j < nO) opts.push([1 + cost[i][j + 1], "add"]);
      let best = opts[0];
      for (const o of opts) if (o[0] < best[0]) best = o;
      cost[i][j] = best[0];
      move[i][j] = best[1];
    }
  }
  const res: string[] = [];
  let i = 0, j = 0;
  while (i < nB || j < nO) {
    const m = move[i][j];
    if (m === "next") { res.push(body[i]); i++; }
    else if (m === "eat") j++;
    else if (m === "keep") { res.push(body[i]); i++; j++; }
    else if (m === "replace") {
      const b = body[i].trimEnd();
      const cut = b.indexOf(ELLIPSIS);
      const once = cut >= 0 && cut === b.length - 1;
      res.push(once && out[j].length > cut ? out[j].slice(0, cut) + ELLIPSIS : out[j]);
      i++; j++;
    } else if (m === "drop") i++;
    else { res.push(out[j]); j++; }
  }
  return res;
}
