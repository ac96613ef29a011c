/**
 * `smtpcap compare A B --format html`: one self-contained page for a comparison of two captures of
 * one path (issue #14). Drawn here, on the server side, as plain HTML and inline SVG: the page
 * needs no script (its CSP allows none), every string from the captures goes through htmlEscape,
 * and the report model is embedded as JSON the way index.ts embeds its data (`</script>` in
 * capture text cannot end the element).
 *
 * Per pair, the ladder has three lifelines — client, middlebox (the path between the two capture
 * points), server — and draws every aligned unit as each capture point saw it: a command goes
 * client → middlebox at its time at the client-side point and middlebox → server at its time at
 * the server-side point (both on A's clock, through the pair's offset); a reply the other way.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { MAX_ALIGNED_UNITS, type AlignedUnit, type Change, type CompareReport, type EndpointVerdict, type Pair } from "../../compare/model.js";
import type { Clock } from "../../capture/clock.js";
import { escapeControls, escapeText } from "../../text/escape.js";
import { plural } from "../../text/plural.js";
import { isoTime, UTC } from "../time.js";
import { PAGE_CSS } from "./client.js";
import { COMPRESS_ABOVE, fileSha256, htmlEscape, jsonForScript } from "./index.js";

export interface CompareHtmlOptions {
  /** credentials are already redacted in the model unless --show-secrets; this only labels the page */
  showSecrets: boolean;
  /** SHA-256 (hex) per capture file, when the caller has it; otherwise the files are hashed here */
  sha256?: Record<string, string>;
  /** embed the report JSON gzip-compressed (base64) above this many bytes (default 256 KiB) */
  compressAbove?: number;
  /** the captures' clocks (FileReport.clock), where their resolution is finer than 1 µs: times then have their exact nanoseconds */
  clocks?: Partial<Record<Cap, Clock>>;
}

type Cap = "a" | "b";

/** Capture text (already escaped by the comparison) made safe for a text node or attribute. */
function t(s: string): string {
  return htmlEscape(escapeControls(s));
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + "…";
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

/**
 * A capture time as Wireshark's frame.time shows it in UTC, to the microsecond; to the
 * nanosecond, exact, for a frame of a capture whose clock holds it (resolution finer than 1 µs).
 */
export function utcTime(sec: number, withDate = false, clock?: Clock, frame?: number): string {
  if (clock !== undefined && clock.exact(sec, frame) !== null) {
    const iso = isoTime(sec, UTC, clock, frame);
    return withDate ? iso.slice(0, -1).replace("T", " ") : iso.slice(11, -1);
  }
  let s = Math.floor(sec);
  let us = Math.round((sec - s) * 1e6);
  if (us >= 1e6) {
    s += 1;
    us -= 1e6;
  }
  const d = new Date(s * 1000);
  const date = withDate ? `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` : "";
  return `${date}${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(us, 6)}`;
}

function ms(sec: number): string {
  const v = Math.abs(sec) * 1000;
  return v >= 1000 ? `${(v / 1000).toFixed(3)} s` : `${v.toFixed(3)} ms`;
}

/** "frame 6" / "frames 6, 8" / "7 frames: 8, 9, …, 14" */
function frameList(fs: number[], max = 4): string {
  if (fs.length === 0) return "no frame";
  if (fs.length <= max) return `${fs.length === 1 ? "frame" : "frames"} ${fs.join(", ")}`;
  return `${fs.length} frames: ${fs.slice(0, max - 2).join(", ")}, …, ${fs[fs.length - 1]}`;
}

const CAP = (k: Cap) => k.toUpperCase();

export const COMPARE_CSS = String.raw`
.pairs-summary{margin:6px 0}
details.pair{border:1px solid var(--line);border-radius:6px;margin:14px 0;padding:0 12px}
details.pair>summary{cursor:pointer;padding:8px 0;font-weight:600}
table.changes td.kind{white-space:nowrap;font-weight:600}
table.changes td.frames{white-space:nowrap}
.endpoints{display:grid;grid-template-columns:1fr 1fr;gap:10px}
.endpoints .verdict{margin:0}
.placement{border-left:4px dashed var(--warn);padding:4px 10px;background:#fffaf0}
svg.cmp{display:block;width:100%;max-width:1120px;height:auto;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11px}
svg.cmp text{fill:var(--fg);paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg.cmp .life{stroke:#777;stroke-width:1.5}
svg.cmp .life.mb{stroke-dasharray:6 4}
svg.cmp .who{font-weight:bold;font-size:12px}
svg.cmp .point{fill:var(--muted);font-style:italic}
svg.cmp .axis{fill:var(--muted)}
svg.cmp .arrow line{stroke-width:1.6}
svg.cmp .arrow.c2s line{stroke:var(--cl)}
svg.cmp .arrow.s2c line{stroke:var(--sv)}
svg.cmp .arrow.c2s text.hd{fill:var(--cl)}
svg.cmp .arrow.s2c text.hd{fill:var(--sv)}
svg.cmp .arrow.differs line{stroke:var(--hl);stroke-dasharray:7 3}
svg.cmp .arrow.one line{stroke-dasharray:3 3}
svg.cmp .tail line{stroke-width:1.3;stroke-dasharray:5 3}
svg.cmp .tail.c2s line{stroke:var(--cl)}
svg.cmp .tail.s2c line{stroke:var(--sv)}
svg.cmp .tail text.hd{fill:var(--muted)}
svg.cmp .arrowhead-c2s{fill:var(--cl)}
svg.cmp .arrowhead-s2c{fill:var(--sv)}
svg.cmp .through line{stroke:#aaa;stroke-width:4;stroke-opacity:.5}
svg.cmp .hold line{stroke:var(--err);stroke-width:4;stroke-opacity:.75}
svg.cmp .mark text{font-weight:bold;fill:var(--err)}
svg.cmp .mark.neutral text{fill:var(--muted)}
svg.cmp .gap text{fill:var(--muted);font-style:italic}
svg.cmp .gap line{stroke:#ccc;stroke-dasharray:2 4}
svg.cmp .note{fill:var(--err)}
`;

/** Where the capture points sit for a pair: which capture is on the left half of the ladder. */
interface Layout {
  known: boolean;
  /** capture on the left half (nearer the client when known) */
  left: Cap;
  right: Cap;
}

function layout(p: Pair): Layout {
  if (p.placement === "b-nearer-client") return { known: true, left: "b", right: "a" };
  return { known: p.placement === "a-nearer-client", left: "a", right: "b" };
}

/** Does change `c` concern unit `u`: same direction, and sharing frames at every point where both have some. */
function concerns(u: AlignedUnit, c: Change): boolean {
  if (c.kind === "tcp-terminated" || c.direction !== u.direction) return false;
  let shared = false;
  for (const k of ["a", "b"] as const) {
    const seen = u[k];
    if (!seen || c.frames[k].length === 0) continue;
    if (!c.frames[k].some((f) => seen.frames.includes(f))) return false;
    shared = true;
  }
  return shared;
}

/** The changes that concern each unit, in the order of `changes` (looked up by frame, not scanned per unit). */
export function changesPerUnit(units: AlignedUnit[], changes: Change[]): Change[][] {
  const byFrame = new Map<string, number[]>();
  changes.forEach((c, i) => {
    for (const k of ["a", "b"] as const) for (const f of c.frames[k]) {
      const key = `${k}${f}`;
      const list = byFrame.get(key);
      if (!list) byFrame.set(key, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    }
  });
  return units.map((u) => {
    const cand = new Set<number>();
    for (const k of ["a", "b"] as const) for (const f of u[k]?.frames ?? []) for (const i of byFrame.get(`${k}${f}`) ?? []) cand.add(i);
    return [...cand].sort((x, y) => x - y).map((i) => changes[i]).filter((c) => concerns(u, c));
  });
}

interface Event {
  unit: number;
  cap: Cap;
  /** an arrow (the unit's first frame at this point) or a tail (its last frame, when later) */
  kind: "arrow" | "tail";
  frame: number;
  /** time on A's clock */
  t: number;
  /** the capture point the unit passes first (or, placement unknown, A) */
  up: boolean;
}

interface Row {
  y: number;
  t: number;
  events: Event[];
  gapBefore: number;
  /** lines of marks drawn under the row (what the box did to the units that end here) */
  marks: number;
}

const W = 1120, XL = 180, XM = 620, XR = 1060, TOP = 92, ROWH = 54, LH = 13, GAPH = 20, GAP_S = 1;
const HALF_CHARS = 62;

/** What happened between the points to one unit, as drawn on the middlebox lifeline. */
interface UnitMarks {
  lines: string[];
  kinds: string[];
  detail: string;
  /** the comparison reported a change for it (else a one-sided unit is only unseen at one point) */
  reported: boolean;
  /** delayed changes: the frame the held bytes passed the upstream point in, and the one they left in */
  holds: { up: Cap; upFrame: number; downFrame: number; ms: number }[];
}

/**
 * The marks of every unit. A change is marked once, at the last unit it concerns (a run of
 * commands forwarded in other segments is one `resegmented`); its hold bars are drawn there.
 */
function marksOf(p: Pair, lay: Layout): UnitMarks[] {
  const matched = changesPerUnit(p.units, p.changes);
  const owner = new Map<Change, number>(), members = new Map<Change, number>();
  matched.forEach((cs, i) => { for (const c of cs) { owner.set(c, i); members.set(c, (members.get(c) ?? 0) + 1); } });
  return p.units.map((u, i) => {
    const cs = matched[i].filter((c) => owner.get(c) === i);
    const lines: string[] = [];
    const up: Cap = !lay.known ? "a" : u.direction === "client-to-server" ? lay.left : lay.right;
    const down: Cap = up === "a" ? "b" : "a";
    const holds = cs.filter((c) => c.kind === "delayed" && c.frames[up].length && c.frames[down].length)
      .map((c) => ({ up, upFrame: c.frames[up][0], downFrame: c.frames[down][c.frames[down].length - 1], ms: c.delayMs ?? 0 }));
    for (const h of holds) lines.push(`‖ held ${h.ms} ms beyond the usual transit (${CAP(up)} frame ${h.upFrame} → ${CAP(down)} frame ${h.downFrame})`);
    for (const c of cs.filter((x) => x.kind === "resegmented")) {
      const n = members.get(c) ?? 1;
      // one unit: its own segment counts (a long message lists only its first frames)
      const count = (k: Cap) => (n === 1 && u[k] ? u[k]!.segments : c.frames[k].length);
      lines.push(`✂ ${n > 1 ? `these ${n} units ` : ""}resegmented: ${segs(count(lay.left))} at ${CAP(lay.left)}, ${count(lay.right)} at ${CAP(lay.right)}`);
    }
    if (u.a && u.b && u.differs) {
      if (cs.some((c) => c.kind === "rewritten")) lines.push("≠ rewritten between the points");
      else if (!matched[i].some((c) => c.kind === "rewritten")) lines.push("≠ differs between the points (not reported as a change: see what the captures lack)");
    }
    let reported = matched[i].length > 0;
    if (!u.a || !u.b) {
      const missing: Cap = u.a ? "b" : "a";
      const kind = matched[i].find((c) => c.kind === "injected" || c.kind === "removed");
      reported = !!kind;
      if (kind && owner.get(kind) === i) lines.push(`${kind.kind === "injected" ? "✱ injected" : "✕ removed"} between the points: not in ${CAP(missing)}`);
      else if (!kind) lines.push(`? not in ${CAP(missing)}, not reported as a change (see what the captures lack)`);
    }
    const kinds = [...new Set(matched[i].map((c) => c.kind))];
    return { lines, kinds: kinds.length ? kinds : u.a && u.b ? [] : ["unseen"], detail: cs.map((c) => c.detail).join(" "), reported, holds };
  });
}

interface Layout2 {
  rows: Row[];
  /** per unit and capture ("3 a"): the row of its arrow, and of its tail if drawn apart */
  arrowRow: Map<string, Row>;
  tailRow: Map<string, Row>;
  /** per unit: the row its marks go under, and their first line there */
  markAt: Map<number, { row: Row; line: number }>;
}

/**
 * The rows of the ladder: events in time order on one clock. A unit's second arrow shares the row
 * of its first when nothing happened in between and the box did not hold it; a tail (the last
 * frame of a unit that came in several) gets its own row only when something came in between or
 * its bytes were held.
 */
function rows(p: Pair, lay: Layout, marks: UnitMarks[]): Layout2 {
  const upCap = (u: AlignedUnit): Cap => (!lay.known ? "a" : u.direction === "client-to-server" ? lay.left : lay.right);
  const heldDown = new Set<string>();
  marks.forEach((m, i) => { for (const h of m.holds) heldDown.add(`${i} ${h.downFrame}`); });
  const ev: Event[] = [];
  p.units.forEach((u, i) => {
    for (const k of ["a", "b"] as const) {
      const s = u[k];
      if (!s) continue;
      const on = (t: number) => (k === "a" ? t : t - p.offset);
      const up = upCap(u) === k;
      ev.push({ unit: i, cap: k, kind: "arrow", frame: s.frames[0] ?? 0, t: on(s.time), up });
      const n = s.frames.length;
      if (n > 1 && s.times[n - 1] > s.time) ev.push({ unit: i, cap: k, kind: "tail", frame: s.frames[n - 1], t: on(s.times[n - 1]), up });
    }
  });
  ev.sort((x, y) => x.t - y.t || x.unit - y.unit || Number(x.kind === "tail") - Number(y.kind === "tail") || Number(y.up) - Number(x.up));
  const out: Row[] = [];
  const arrowRow = new Map<string, Row>(), tailRow = new Map<string, Row>(), lastRow = new Map<number, Row>();
  for (const [i, e] of ev.entries()) {
    const prev = out[out.length - 1];
    const before = ev[i - 1];
    const key = `${e.unit} ${e.cap}`;
    const held = heldDown.has(`${e.unit} ${e.frame}`);
    // a tail right after its own arrow's row: the arrow stands for both (unless bytes were held)
    if (e.kind === "tail" && !held && prev && prev === arrowRow.get(key)) continue;
    // the same unit's arrow (or tail) at the other point, with nothing in between: one row
    const only = prev?.events.length === 1 ? prev.events[0] : null;
    if (prev && only && before === only && only.unit === e.unit && only.kind === e.kind && only.cap !== e.cap && !held) {
      prev.events.push(e);
      (e.kind === "tail" ? tailRow : arrowRow).set(key, prev);
      lastRow.set(e.unit, prev);
      continue;
    }
    const gap = prev && e.t - prev.t > GAP_S ? GAPH : 0;
    const row: Row = { y: 0, t: e.t, events: [e], gapBefore: gap, marks: 0 };
    out.push(row);
    (e.kind === "tail" ? tailRow : arrowRow).set(key, row);
    lastRow.set(e.unit, row);
  }
  const markAt = new Map<number, { row: Row; line: number }>();
  for (const [unit, row] of [...lastRow].sort((x, y) => x[0] - y[0])) {
    const n = marks[unit].lines.length;
    if (n === 0) continue;
    markAt.set(unit, { row, line: row.marks });
    row.marks += n;
  }
  let y = TOP;
  out.forEach((row, i) => {
    if (i > 0) y += ROWH + out[i - 1].marks * LH + row.gapBefore;
    row.y = y;
  });
  return { rows: out, arrowRow, tailRow, markAt };
}

function svgText(x: number, y: number, s: string, o: { cls?: string; anchor?: "start" | "middle" | "end"; max?: number } = {}): string {
  const shown = o.max ? clip(s, o.max) : s;
  const title = shown !== s ? `<title>${t(s)}</title>` : "";
  return `<text x="${x}" y="${y}"${o.cls ? ` class="${o.cls}"` : ""}${o.anchor ? ` text-anchor="${o.anchor}"` : ""}>${title}${t(shown)}</text>`;
}

function segs(n: number): string {
  return plural(n, "segment");
}

/** The ladder of one pair as an SVG element, and how many arrows it drew per capture. */
export function ladderSvg(r: CompareReport, p: Pair, n: number, clocks: Partial<Record<Cap, Clock>> = {}): { svg: string; arrows: Record<Cap, number> } {
  const lay = layout(p);
  const marks = marksOf(p, lay);
  const L = rows(p, lay, marks);
  const rs = L.rows;
  const t0 = rs.length ? rs[0].t : 0;
  const lastRow = rs[rs.length - 1];
  const height = (lastRow ? lastRow.y + lastRow.marks * LH : TOP) + ROWH + (p.unitsDropped > 0 ? 16 : 0);
  const parts: string[] = [];
  const id = `p${n}`;
  parts.push(`<svg class="cmp" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="ladder of pair ${n}: ${lay.known ? "client, middlebox and server" : "capture A, the path between the capture points, capture B"} lifelines">`);
  parts.push(`<defs><marker id="${id}-hc" class="arrowhead-c2s" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker>` +
    `<marker id="${id}-hs" class="arrowhead-s2c" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker></defs>`);
  // the lifelines with their names
  const heads: { x: number; who: string; sub: string; cls: string; name: string }[] = lay.known
    ? [
      { x: XL, who: "client", sub: `${p[lay.left].client} in ${CAP(lay.left)}`, cls: "life", name: "client" },
      { x: XM, who: "middlebox", sub: "the path between the capture points", cls: "life mb", name: "middlebox" },
      { x: XR, who: "server", sub: `${p[lay.right].server} in ${CAP(lay.right)}`, cls: "life", name: "server" },
    ]
    : [
      { x: XL, who: `A: ${escapeText(r.a.file)}`, sub: "the end of the path beyond capture A", cls: "life", name: "a" },
      { x: XM, who: "between the capture points", sub: "which end is the client's is not known", cls: "life mb", name: "middlebox" },
      { x: XR, who: `B: ${escapeText(r.b.file)}`, sub: "the end of the path beyond capture B", cls: "life", name: "b" },
    ];
  for (const h of heads) {
    const anchor = h.x === XR ? "end" : "middle";
    const hx = h.x === XR ? W - 4 : h.x;
    parts.push(`<g class="lifeline" data-lifeline="${h.name}">${svgText(hx, 16, h.who, { cls: "who", anchor, max: 44 })}${svgText(hx, 30, h.sub, { cls: "axis", anchor, max: 50 })}` +
      `<line class="${h.cls}" x1="${h.x}" y1="38" x2="${h.x}" y2="${height - 10}"/></g>`);
  }
  // the capture points: one on each half of the path
  const pointName = (k: Cap) => `capture ${CAP(k)}: ${escapeText(r[k].file)}${lay.known ? (k === lay.left ? " (client side)" : " (server side)") : ""}`;
  parts.push(svgText((XL + XM) / 2, 56, pointName(lay.left), { cls: "point", anchor: "middle", max: HALF_CHARS }));
  parts.push(svgText((XM + XR) / 2, 56, pointName(lay.right), { cls: "point", anchor: "middle", max: HALF_CHARS }));
  parts.push(svgText(4, 74, "time on A's clock", { cls: "axis" }));
  const term = p.changes.find((c) => c.kind === "tcp-terminated");
  if (term) parts.push(svgText(XM, 74, `TCP terminated in between: two connections (A frames ${term.frames.a.join(", ")} | B frames ${term.frames.b.join(", ")})`, { cls: "note", anchor: "middle", max: 100 }));

  // on the middlebox lifeline, under the arrows: bars joining the two sightings of a unit
  const barY = (i: number, k: Cap, frame: number): number | undefined => {
    const s = p.units[i][k];
    const key = `${i} ${k}`;
    if (!s) return undefined;
    if (frame !== s.frames[0] && L.tailRow.has(key)) return L.tailRow.get(key)!.y;
    return L.arrowRow.get(key)?.y;
  };
  const holdBars: { i: number; y1: number; y2: number; attrs: string }[] = [];
  marks.forEach((m, i) => {
    const u = p.units[i];
    if (u.a && u.b) {
      const ya = L.arrowRow.get(`${i} a`)!.y, yb = L.arrowRow.get(`${i} b`)!.y;
      if (ya !== yb) parts.push(`<g class="through" data-unit="${i}"><line x1="${XM}" y1="${Math.min(ya, yb)}" x2="${XM}" y2="${Math.max(ya, yb)}"/></g>`);
    }
    for (const h of m.holds) {
      const down: Cap = h.up === "a" ? "b" : "a";
      const y1 = barY(i, h.up, h.upFrame), y2 = barY(i, down, h.downFrame);
      if (y1 === undefined || y2 === undefined || y1 === y2) continue;
      holdBars.push({ i, y1: Math.min(y1, y2), y2: Math.max(y1, y2), attrs: `data-frames="${h.up} ${h.upFrame} ${down} ${h.downFrame}"` });
    }
  });
  // overlapping holds side by side
  const lanes: number[] = [];
  for (const b of holdBars.sort((x, y) => x.y1 - y.y1)) {
    let lane = lanes.findIndex((end) => end < b.y1);
    if (lane < 0) lane = lanes.length;
    lanes[lane] = b.y2;
    const x = XM + lane * 6;
    parts.push(`<g class="hold" data-unit="${b.i}" ${b.attrs}><line x1="${x}" y1="${b.y1}" x2="${x}" y2="${b.y2}"/></g>`);
  }

  const arrows: Record<Cap, number> = { a: 0, b: 0 };
  for (const row of rs) {
    if (row.gapBefore) {
      const gy = row.y - ROWH / 2 - row.gapBefore / 2 - 4;
      parts.push(`<g class="gap"><line x1="4" y1="${gy}" x2="${W - 4}" y2="${gy}"/></g>`);
    }
    parts.push(svgText(4, row.y + 4, `+${ms(row.t - t0)}`, { cls: "axis" }));
    for (const e of row.events) {
      const u = p.units[e.unit];
      const seen = u[e.cap]!;
      const other: Cap = e.cap === "a" ? "b" : "a";
      const seenThere = u[other];
      const c2s = u.direction === "client-to-server";
      const onLeft = e.cap === lay.left;
      const edge = onLeft ? XL : XR;
      // known placement: arrows point the way the bytes went; otherwise no direction along the path
      const fromX = !lay.known ? edge : c2s === onLeft ? edge : XM;
      const toX = !lay.known ? XM : c2s === onLeft ? XM : edge;
      const sgn = fromX < toX ? 1 : -1;
      const mk = lay.known ? ` marker-end="url(#${id}-${c2s ? "hc" : "hs"})"` : "";
      const mid = onLeft ? (XL + XM) / 2 : (XM + XR) / 2;
      const dirWord = lay.known ? "" : c2s ? "client → server: " : "server → client: ";
      const line = `<line x1="${fromX + 2 * sgn}" y1="${row.y}" x2="${toX - 3 * sgn}" y2="${row.y}"${mk}/>`;
      if (e.kind === "tail") {
        const nth = seen.segments > seen.frames.length ? `the last listed of ${segs(seen.segments)}` : `the last of ${segs(seen.segments)}`;
        const last = seen.frames.length - 1;
        parts.push(`<g class="tail ${c2s ? "c2s" : "s2c"}" data-cap="${e.cap}" data-unit="${e.unit}" data-frame="${e.frame}">` +
          `<title>${t(`${u.label}, continued — capture ${CAP(e.cap)}: frame ${e.frame}, ${nth}, at ${utcTime(seen.times[last], true, clocks[e.cap], seen.frames[last])} UTC`)}</title>` + line +
          svgText(mid, row.y - 6, `${dirWord}… ${u.label}, continued`, { cls: "hd", anchor: "middle", max: HALF_CHARS }) +
          svgText(mid, row.y + 13, `${CAP(e.cap)} frame ${e.frame}: ${nth}`, { cls: "fr", anchor: "middle", max: HALF_CHARS + 6 }) +
          svgText(mid, row.y + 26, `${CAP(e.cap)}: ${utcTime(seen.times[last], false, clocks[e.cap], seen.frames[last])}`, { cls: "axis", anchor: "middle", max: HALF_CHARS + 6 }) +
          "</g>");
        continue;
      }
      const cls = ["arrow", c2s ? "c2s" : "s2c", u.differs && seenThere ? "differs" : "", seenThere ? "" : "one"].filter(Boolean).join(" ");
      const both = `${CAP(e.cap)} ${frameList(seen.frames)} · ${CAP(other)} ${seenThere ? frameList(seenThere.frames) : "not seen"}`;
      parts.push(`<g class="${cls}" data-cap="${e.cap}" data-unit="${e.unit}" data-frames="${seen.frames.join(" ")}">` +
        `<title>${t(`${u.label} — capture ${CAP(e.cap)}: ${frameList(seen.frames, Infinity)} (${segs(seen.segments)}) from ${utcTime(seen.time, true, clocks[e.cap], seen.frames[0])} UTC; capture ${CAP(other)}: ${seenThere ? frameList(seenThere.frames, Infinity) : "not seen"}`)}</title>` + line +
        svgText(mid, row.y - 6, dirWord + u.label, { cls: "hd", anchor: "middle", max: HALF_CHARS }) +
        svgText(mid, row.y + 13, both, { cls: "fr", anchor: "middle", max: HALF_CHARS + 6 }) +
        svgText(mid, row.y + 26, `${CAP(e.cap)}: ${segs(seen.segments)} · ${utcTime(seen.time, false, clocks[e.cap], seen.frames[0])}`, { cls: "axis", anchor: "middle", max: HALF_CHARS + 6 }) +
        "</g>");
      arrows[e.cap]++;
    }
  }
  // what happened to each unit between the points, under the row of its last sighting
  marks.forEach((m, i) => {
    const u = p.units[i];
    const attrs = `data-unit="${i}" data-marks="${m.kinds.join(" ")}"`;
    if (!u.a || !u.b) {
      const y = L.arrowRow.get(`${i} ${u.a ? "a" : "b"}`)!.y;
      parts.push(`<g class="${m.reported ? "end" : "end neutral"}" ${attrs}><circle cx="${XM}" cy="${y}" r="4" class="${m.reported ? "note" : "axis"}"/></g>`);
    }
    const at = L.markAt.get(i);
    if (!at) return;
    const y0 = at.row.y + 39 + at.line * LH;
    parts.push(`<g class="mark${m.reported ? "" : " neutral"}" ${attrs}>${m.detail ? `<title>${t(m.detail)}</title>` : ""}` +
      m.lines.map((l, j) => svgText(XM + 6, y0 + j * LH, l, { anchor: "start", max: 74 })).join("") + "</g>");
  });
  if (p.unitsDropped > 0) {
    parts.push(svgText(XM, height - 8, `${plural(p.unitsDropped, "more unit")} not drawn (a pair lists at most ${MAX_ALIGNED_UNITS})`, { cls: "note", anchor: "middle" }));
  }
  parts.push("</svg>");
  return { svg: parts.join(""), arrows };
}

function endpointBlock(p: Pair, k: Cap, lay: Layout): string {
  const e: EndpointVerdict = p.endpoints[k];
  const side = lay.known ? ` (the ${k === lay.left ? "client" : "server"} side)` : "";
  const rule = e.decisive ? `<p class="small">Deciding rule <code>${t(e.decisive.rule)}</code>, ${t(e.decisive.reference)}</p>` : "";
  const fs = e.findings.length
    ? `<ul class="small">${e.findings.map((f) => `<li><span class="sev sev-${t(f.severity)}">${t(f.severity.toUpperCase())}</span> <code>${t(f.rule)}</code> [${t(f.side)}] frames ${f.frames.join(", ")}: ${t(f.message)}</li>`).join("")}</ul>`
    : `<p class="small muted">No findings.</p>`;
  return `<div class="verdict v-${t(e.fault)}" data-endpoint="${k}"><p><strong>Endpoint verdict in ${CAP(k)}${side}</strong> (tcp.stream ${p[k].tcpStream}): ${t(e.summary)}</p>${rule}${fs}</div>`;
}

function pairBlock(r: CompareReport, p: Pair, n: number, clocks: Partial<Record<Cap, Clock>> = {}): string {
  const lay = layout(p);
  const ep = (k: Cap) => `${CAP(k)} tcp.stream ${p[k].tcpStream} (${t(p[k].client)} → ${t(p[k].server)}, frames ${p[k].firstFrame}–${p[k].lastFrame})`;
  const out: string[] = [];
  const summary = p.changes.length ? plural(p.changes.length, "change") + `: ${[...new Set(p.changes.map((c) => c.kind))].join(", ")}` : "no change";
  out.push(`<details class="pair" id="pair-${n}" open><summary>Pair ${n}: ${ep("a")} ↔ ${ep("b")} · ${t(summary)}</summary>`);
  out.push(`<p class="small muted">Paired: ${t(p.pairedBy)} (similarity ${p.similarity}). Clock of B minus A for this pair: ${p.offset >= 0 ? "+" : "−"}${ms(p.offset)}; transit between the points: ${ms(p.transit)}.</p>`);
  if (lay.known) {
    out.push(`<p>${CAP(lay.left)} was captured nearer the client, ${CAP(lay.right)} nearer the server (commands reach ${CAP(lay.left)} first and replies ${CAP(lay.right)} first).</p>`);
  } else {
    out.push(`<p class="placement" data-placement="unknown">Cannot judge which capture point is nearer the client: the units seen at both points show no one-way transit between them. The ladder names its outer lifelines after the captures and draws no direction along the path.</p>`);
  }
  out.push(`<div class="verdict"><p><strong>Between the capture points</strong></p>${p.verdict.map((v) => `<p>${t(v)}</p>`).join("")}` +
    (p.limits.length ? `<p><strong>What the captures lack:</strong></p><ul>${p.limits.map((l) => `<li>${t(l)}</li>`).join("")}</ul>` : "") + "</div>");
  out.push(`<div class="endpoints">${endpointBlock(p, "a", lay)}${endpointBlock(p, "b", lay)}</div>`);
  out.push("<h3>Changes between the capture points</h3>");
  if (p.changes.length) {
    out.push(`<table class="changes"><thead><tr><th>kind</th><th>direction</th><th>frames A</th><th>frames B</th><th>delay</th><th>detail</th></tr></thead><tbody>` +
      p.changes.map((c) => `<tr data-kind="${t(c.kind)}"><td class="kind">${t(c.kind)}</td><td>${t(c.direction)}</td><td class="frames">${c.frames.a.join(", ") || "–"}</td><td class="frames">${c.frames.b.join(", ") || "–"}</td><td>${c.delayMs !== undefined ? `${c.delayMs} ms` : ""}</td><td class="msg">${t(c.detail)}</td></tr>`).join("") +
      "</tbody></table>");
  } else out.push(`<p class="muted">No change: the same bytes in the same segments at both points.</p>`);
  out.push("<h3>Findings</h3>");
  if (p.findings.length) {
    out.push(`<ol class="findings">${p.findings.map((f) => `<li data-rule="${t(f.rule)}"><div class="head"><span class="sev sev-${t(f.severity)}">${t(f.severity.toUpperCase())}</span> <code>${t(f.rule)}</code> <span>[${t(f.side)}]</span> <span class="muted">A frames ${f.frames.a.join(", ") || "–"} · B frames ${f.frames.b.join(", ") || "–"}</span></div>` +
      `<div class="msg">${t(f.message)}</div><div class="evidence">evidence: ${t(f.evidence)}</div><div class="small">${t(f.reference)}</div>` +
      `<div class="small">Wireshark filter in A: <code class="filter-text">${t(f.filter.a)}</code><br>in B: <code class="filter-text">${t(f.filter.b)}</code></div></li>`).join("")}</ol>`);
  } else out.push(`<p class="muted">No findings of the comparison.</p>`);
  out.push("<h3>Ladder</h3>");
  const { svg } = ladderSvg(r, p, n, clocks);
  out.push(`<div class="ladder">${svg}</div>`);
  out.push(legend(lay));
  out.push("</details>");
  return out.join("\n");
}

function legend(lay: Layout): string {
  const items = [
    "Time runs down, in the order of the events on one clock (A's; B's times minus the pair's offset); rows are evenly spaced, not proportional to time, and the left column gives each row's time since the first. A dotted line marks a pause of over a second.",
    lay.known
      ? "Each command or reply is drawn as each capture point saw it: the arrow between client and middlebox is what the client-side capture holds, the one between middlebox and server what the server-side capture holds. Blue: client → server; green: server → client."
      : "Each command or reply is drawn as each capture saw it: between the left lifeline and the middle what A holds, between the middle and the right lifeline what B holds. Which point is nearer the client is not known, so the lines have no arrowheads; the label says which way the bytes went between client and server.",
    "Every arrow names its frames in both captures and, below, the number of segments and the capture time (UTC, as Wireshark's frame.time) at its own point.",
    "A unit that came in several segments is drawn at its first; when other events came between its first and last segment at a point, or the box held its last part, a dashed arrow (… continued) marks the last one.",
    "On the middlebox lifeline: a grey bar joins the two sightings of a unit when other events came between them; a red bar and ‖ mark bytes held beyond the usual transit; ✂ a unit that arrived in other segments; ≠ (dashed magenta arrows) a unit that differs; ✱ a unit only the downstream point saw (injected), ✕ one only the upstream point saw (removed); ? a unit one capture lacks that the comparison does not call a change (see the limits).",
  ];
  return `<ul class="legend">${items.map((i) => `<li>${htmlEscape(i)}</li>`).join("")}</ul>`;
}

function sideFacts(r: CompareReport, k: Cap, sha: string): string {
  const s = r[k];
  const where = s.nearer === "unknown" ? "not known which end it is nearer" : `nearer the ${s.nearer}`;
  return `<dt>${CAP(k)}</dt><dd><code>${t(escapeText(s.file))}</code> · ${plural(s.sessions, "session")} · ${where}</dd>` +
    `<dt>SHA-256 of ${CAP(k)}</dt><dd>${sha ? `<code>${sha}</code>` : "not computed (the file could not be read again)"}</dd>`;
}

const sha = (s: string) => "'sha256-" + createHash("sha256").update(s).digest("base64") + "'";

/**
 * The page of `smtpcap compare`: the two files, the clock offset, the placement, the unpaired
 * sessions, and per pair its verdicts, changes, findings and a three-lifeline ladder. No script.
 */
export function compareHtmlReport(r: CompareReport, opts: CompareHtmlOptions): string {
  const css = PAGE_CSS + COMPARE_CSS;
  const csp = `default-src 'none'; script-src 'none'; style-src ${sha(css)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const shaOf = (f: string) => opts.sha256?.[f] ?? fileSha256(f);
  const title = `smtpcap compare: ${escapeText(r.a.file)} ↔ ${escapeText(r.b.file)}`;
  const body: string[] = [];
  body.push(`<h1>${t(title)}</h1>`);
  body.push(`<dl class="facts">${sideFacts(r, "a", shaOf(r.a.file))}${sideFacts(r, "b", shaOf(r.b.file))}` +
    `<dt>clock offset</dt><dd>${r.clockOffset ? `B = A ${r.clockOffset.seconds >= 0 ? "+" : "−"} ${ms(r.clockOffset.seconds)}, estimated from ${plural(r.clockOffset.pairs, "pair")} (transit cancelled out)` : "cannot judge: no session was paired"}</dd>` +
    (opts.showSecrets ? "<dt>credentials</dt><dd>shown (--show-secrets)</dd>" : "") + "</dl>");
  const changed = r.pairs.filter((p) => p.changes.length > 0).length;
  body.push(`<p class="sentence">${r.pairs.length === 0 ? "No session of A was found in B." : `${plural(r.pairs.length, "paired session")}: ${changed === 0 ? "nothing changed between the capture points" : `changes between the capture points in ${changed}`}${changed && changed < r.pairs.length ? `, none in ${r.pairs.length - changed}` : ""}.`}</p>`);
  const placements = new Set(r.pairs.map((p) => p.placement));
  if (r.a.nearer !== "unknown") body.push(`<p>${r.a.nearer === "client" ? "A" : "B"} was captured nearer the client, ${r.a.nearer === "client" ? "B" : "A"} nearer the server.</p>`);
  else if (r.pairs.length === 0) body.push(`<p class="placement" data-placement="unknown">Cannot judge which capture is nearer the client: no session was paired.</p>`);
  else if (placements.has("unknown") && placements.size === 1) body.push(`<p class="placement" data-placement="unknown">Cannot judge which capture is nearer the client: the pairs do not show it; the ladders name their lifelines after the capture files.</p>`);
  else body.push(`<p class="placement" data-placement="mixed">The pairs disagree on which capture is nearer the client; each pair says how its own captures sit.</p>`);
  const un = (k: Cap) => (r.unpaired[k].length ? `tcp.stream ${r.unpaired[k].join(", ")}` : "none");
  body.push(`<h2>Unpaired sessions</h2><p class="unpaired">Only in A: ${un("a")}. Only in B: ${un("b")}.</p>`);
  if (r.pairs.length) body.push("<h2>Pairs</h2>");
  r.pairs.forEach((p, i) => body.push(pairBlock(r, p, i + 1, opts.clocks)));
  const json = jsonForScript(r);
  const embed = json.length > (opts.compressAbove ?? COMPRESS_ABOVE)
    ? `<script type="application/json" id="smtpcap-compare-data" data-encoding="gzip-base64">${gzipSync(json, { level: 9 }).toString("base64")}</script>\n`
    : `<script type="application/json" id="smtpcap-compare-data">${json}</script>\n`;
  return (
    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
    `<meta http-equiv="Content-Security-Policy" content="${htmlEscape(csp)}">\n` +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
    "<meta name=\"referrer\" content=\"no-referrer\">\n" +
    `<title>${t(title)}</title>\n<style>${css}</style>\n</head>\n<body>\n<main id="app">\n` +
    body.join("\n") +
    "\n</main>\n" +
    embed +
    "</body>\n</html>\n"
  );
}
