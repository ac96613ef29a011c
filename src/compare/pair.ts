/**
 * One pair: the same session seen at two points of the path. Aligns each direction's units,
 * estimates the clock offset and the transit between the points, and reports every change with
 * frames on both sides. Which point is nearer the client is read from the transit's sign (bytes
 * from the client reach that point first), never assumed.
 */
import type { JudgedSession } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import { ms, q } from "../rules/util.js";
import { TCP_ACK, TCP_SYN } from "../tcp/decode.js";
import { escapeText } from "../text/escape.js";
import { align, type Step } from "./align.js";
import { MAX_ALIGNED_UNITS, type AlignedUnit, type Change, type ChangeKind, type CompareOptions, type Direction, type EndpointVerdict, type Pair, type Placement, type SessionRef, type UnitSighting } from "./model.js";
import { maxOf, median, minOf } from "./pairing.js";
import type { Unit } from "./units.js";
import type { WireSession } from "./wire.js";

/** Transit below this (seconds) cannot tell which capture point comes first. */
const MIN_TRANSIT = 10e-6;

export interface PairSide {
  name: "a" | "b";
  session: JudgedSession;
  findings: Finding[];
  units: { c2s: Unit[]; s2c: Unit[] };
  wire: WireSession | undefined;
}

type Key = "c2s" | "s2c";
const DIRS: [Key, Direction][] = [["c2s", "client-to-server"], ["s2c", "server-to-client"]];

function ref(s: JudgedSession): SessionRef {
  return { tcpStream: s.tcpStream, client: s.client, server: s.server, firstFrame: s.firstFrame, lastFrame: s.lastFrame };
}

function endpoint(s: JudgedSession, fs: Finding[]): EndpointVerdict {
  const v = s.verdict;
  return {
    fault: v.fault,
    summary: v.summary,
    decisive: v.decisive ? { rule: v.decisive.rule, reference: v.decisive.reference } : null,
    findings: fs.map((f) => ({ rule: f.rule, severity: f.severity, side: f.side, frames: f.frames, message: f.message })),
  };
}

/** "lines 1–3" for 0-based indexes. */
function lineRange(lines: number[]): string {
  if (lines.length === 0) return "";
  const lo = Math.min(...lines) + 1, hi = Math.max(...lines) + 1;
  return lo === hi ? `line ${lo}` : `lines ${lo}–${hi}`;
}

/** What each segment of a unit carried: "lines 1–3 | 4–7" or "bytes 1–5 | 6–21". */
export function cuts(u: Unit): string {
  if (u.kind === "reply") {
    return u.pieces.map((p) => {
      const r = lineRange(p.lines);
      if (p.midLine) return r ? `${r} + part of line ${Math.max(...p.lines) + 2}` : "part of a line";
      return r || "part of a line";
    }).join(" | ").replace(/ \| lines? /g, " | ");
  }
  return u.pieces.map((p) => `bytes ${p.start + 1}–${p.end}`).join(" | ").replace(/ \| bytes /g, " | ");
}

function frameList(fs: number[]): string {
  return fs.length === 1 ? `frame ${fs[0]}` : `frames ${fs.join(", ")}`;
}

/** A unit as one capture point saw it, for the ladder: each frame with its capture time. */
function sighting(u: Unit): UnitSighting {
  const times = u.frames.map((f) => u.pieces.find((p) => p.frame === f)?.time ?? u.firstTime);
  return { frames: u.frames, time: u.firstTime, times, segments: u.segments };
}

function uniq(xs: number[]): number[] {
  return [...new Set(xs)].sort((x, y) => x - y);
}

/**
 * The lines of two versions of a reply that differ: an LCS alignment, with a deletion next to an
 * insertion read as one line changed. `i` indexes `x`, `j` indexes `y`.
 */
export function lineDiff(x: string[], y: string[]): { i: number | null; j: number | null }[] {
  const n = x.length, m = y.length;
  const w = m + 1;
  const L = new Uint16Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) L[i * w + j] = x[i] === y[j] ? L[(i + 1) * w + j + 1] + 1 : Math.max(L[(i + 1) * w + j], L[i * w + j + 1]);
  }
  const out: { i: number | null; j: number | null }[] = [];
  let i = 0, j = 0;
  const dels: number[] = [], ins: number[] = [];
  const flush = () => {
    const k = Math.min(dels.length, ins.length);
    for (let t = 0; t < k; t++) out.push({ i: dels[t], j: ins[t] });
    for (const d of dels.slice(k)) out.push({ i: d, j: null });
    for (const a of ins.slice(k)) out.push({ i: null, j: a });
    dels.length = 0;
    ins.length = 0;
  };
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) { flush(); i++; j++; }
    else if (j >= m || (i < n && L[(i + 1) * w + j] >= L[i * w + j + 1])) dels.push(i++);
    else ins.push(j++);
  }
  flush();
  return out;
}

export class PairAnalysis {
  readonly changes: Change[] = [];
  readonly limits: string[] = [];
  readonly verdict: string[] = [];
  /** STARTTLS taken away between the points: the sentence and the frames of the change */
  readonly stripped: { message: string; change: Change }[] = [];
  offset = 0;
  transit = 0;
  placement: Placement = "unknown";
  /** both captures hold the handshake and its ISNs are equal: one TCP connection for certain */
  sameConnection = false;
  private readonly steps: Record<Key, Step[]>;
  private readonly when = new Map<Change, number>();
  /** per direction: why segment boundaries in one capture are not the wire's (null: they are) */
  private readonly merged: Record<Key, string | null> = { c2s: null, s2c: null };

  constructor(private readonly A: PairSide, private readonly B: PairSide, private readonly opts: CompareOptions) {
    const ca = align(A.units.c2s, B.units.c2s);
    const sa = align(A.units.s2c, B.units.s2c);
    this.steps = { c2s: ca.steps, s2c: sa.steps };
    if (!ca.exact || !sa.exact) this.limits.push("cannot judge every unit: the dialogues differ too much to align them fully; the middle was compared position by position");
    this.clock();
    for (const [k, dir] of DIRS) this.merged[k] = this.offloaded(dir);
  }

  /**
   * Clock offset (B − A) and transit from the equal units of both directions, as NTP does: a box
   * or the network can only add delay, so the smallest difference in each direction is the
   * truest (units held back do not move the estimate).
   */
  private clock(): void {
    const d: Record<Key, number[]> = { c2s: [], s2c: [] };
    for (const [k] of DIRS) {
      for (const s of this.steps[k]) {
        if (s.a === null || s.b === null) continue;
        const x = this.A.units[k][s.a], y = this.B.units[k][s.b];
        if (x.key === y.key) d[k].push(y.firstTime - x.firstTime);
      }
    }
    // (not the SYNs: a proxy that terminates TCP sends its own SYN only after the client's)
    if (d.c2s.length > 0 && d.s2c.length > 0) {
      // A nearer the client: c2s = offset + transit + hold, s2c = offset − transit − hold;
      // B nearer the client: the other way round. Overlapping ranges (jitter): the medians.
      const cMin = minOf(d.c2s), cMax = maxOf(d.c2s), sMin = minOf(d.s2c), sMax = maxOf(d.s2c);
      if (cMin >= sMax) {
        this.offset = (cMin + sMax) / 2;
        this.transit = (cMin - sMax) / 2;
      } else if (sMin >= cMax) {
        this.offset = (cMax + sMin) / 2;
        this.transit = (cMax - sMin) / 2;
      } else {
        const c = median(d.c2s), s = median(d.s2c);
        this.offset = (c + s) / 2;
        this.transit = (c - s) / 2;
      }
      if (this.transit >= MIN_TRANSIT) this.placement = "a-nearer-client";
      else if (this.transit <= -MIN_TRANSIT) this.placement = "b-nearer-client";
    } else {
      const one = d.c2s.length ? d.c2s : d.s2c;
      this.offset = one.length ? median(one) : this.B.session.startTime - this.A.session.startTime;
      this.limits.push("cannot tell the transit between the capture points: only one direction has units seen at both points");
    }
  }

  /** The capture the bytes of `dir` pass first, and the other. */
  private flow(dir: Key): [PairSide, PairSide] {
    const aFirst = this.placement === "b-nearer-client" ? dir === "s2c" : dir === "c2s" || this.placement === "unknown";
    return aFirst ? [this.A, this.B] : [this.B, this.A];
  }

  /** A time of side `p` on A's clock. */
  private onA(p: PairSide, t: number): number {
    return p.name === "a" ? t : t - this.offset;
  }

  /** "the server side" / "the client side" / "A" / "B" */
  where(p: PairSide): string {
    if (this.placement === "unknown") return p.name.toUpperCase();
    const client = (this.placement === "a-nearer-client") === (p.name === "a");
    return client ? "the client side" : "the server side";
  }

  run(): void {
    for (const [k, dir] of DIRS) {
      const [up, down] = this.flow(k);
      for (const s of this.steps[k]) {
        const x = s.a !== null ? this.A.units[k][s.a] : null;
        const y = s.b !== null ? this.B.units[k][s.b] : null;
        const uu = up === this.A ? x : y, dd = up === this.A ? y : x;
        if (uu && dd) {
          if (uu.key !== dd.key) this.rewritten(dir, up, uu, down, dd);
          else {
            this.resegmented(dir, up, uu, down, dd);
            this.delayed(dir, up, uu, down, dd);
          }
        } else if (uu) this.onlyAt(dir, "removed", up, uu, down);
        else if (dd) this.onlyAt(dir, "injected", down, dd, up);
      }
      this.regrouped(k, dir, up, down);
    }
    this.terminated();
    // in time order; the sort is stable, so one moment keeps the order the changes were found in
    this.changes.sort((x, y) => (this.when.get(x)! - this.when.get(y)!) || 0);
  }

  /** `t`: when it happened, on A's clock (orders the changes the same in either argument order) */
  private add(t: number, kind: ChangeKind, direction: Direction, fa: number[], fb: number[], detail: string, delayMs?: number): Change {
    const c: Change = { kind, direction, frames: { a: uniq(fa), b: uniq(fb) }, detail };
    if (delayMs !== undefined) c.delayMs = delayMs;
    this.changes.push(c);
    this.when.set(c, t);
    return c;
  }

  private frames(p: PairSide, fs: number[], q2: number[]): [number[], number[]] {
    return p === this.A ? [fs, q2] : [q2, fs];
  }

  /**
   * A capture host that merges received segments (GRO/LRO) records segments larger than the MSS
   * the receiver announced: its boundaries are then not the wire's, and segmentation cannot be
   * compared in that direction.
   */
  private offloaded(dir: Direction): string | null {
    for (const p of [this.A, this.B]) {
      const w = p.wire;
      if (!w) continue;
      const fromClient = dir === "client-to-server";
      // the receiver's MSS: the server's in its SYN-ACK for client bytes, the client's in its SYN
      const mss = fromClient ? w.synAck?.mss : w.syn?.mss;
      if (!mss) continue;
      const big = w.packets.find((x) => x.fromClient === fromClient && x.len > mss);
      if (big) return `cannot compare the segmentation ${dir}: ${p.name.toUpperCase()} holds segments larger than the MSS the receiver announced (frame ${big.frame}: ${big.len} > ${mss} bytes), so its capture host merged segments (GRO/LRO) and its boundaries are not the wire's`;
    }
    return null;
  }

  /** The direction's segmentation can be compared; else its reason goes to the limits, once. */
  private comparable(k: Key): boolean {
    const why = this.merged[k];
    if (why && !this.limits.includes(why)) this.limits.push(why);
    return why === null;
  }

  private resegmented(dir: Direction, up: PairSide, u: Unit, down: PairSide, d: Unit): void {
    const cu = cuts(u), cd = cuts(d);
    if (cu === cd && u.segments === d.segments) return;
    if (!this.comparable(dir === "client-to-server" ? "c2s" : "s2c")) return;
    const what = u.kind === "reply" ? u.label : u.kind === "message" ? u.label : q(u.label, 60);
    const tail = u.kind === "message" && u.pieces.length < u.segments ? "" : `: ${cu} at ${this.where(up)}, ${cd} at ${this.where(down)}`;
    const n = (x: Unit) => `${x.segments} segment${x.segments === 1 ? "" : "s"}`;
    const [fa, fb] = this.frames(up, u.frames, d.frames);
    this.add(this.onA(up, u.firstTime), "resegmented", dir, fa, fb, `${what}: ${n(u)} at ${this.where(up)} (${frameList(u.frames)}), ${n(d)} at ${this.where(down)} (${frameList(d.frames)})${tail}`);
    if (this.placement !== "unknown") {
      const sender = dir === "server-to-client" ? "server" : "client";
      const receiver = dir === "server-to-client" ? "client" : "server";
      this.verdict.push(`The segmentation the ${receiver} saw of ${what} was produced between the two capture points; the ${sender} sent it in ${n(u)}.`);
    }
  }

  /**
   * Units that shared one segment at one point and not at the other (pipelined commands sent
   * together and forwarded apart, replies coalesced): one `resegmented` per run of such units.
   */
  private regrouped(k: Key, dir: Direction, up: PairSide, down: PairSide): void {
    const ups = up === this.A ? "a" : "b";
    const pairs = this.steps[k]
      .filter((s) => s.a !== null && s.b !== null && this.A.units[k][s.a].key === this.B.units[k][s.b].key)
      .map((s) => {
        const x = this.A.units[k][s.a!], y = this.B.units[k][s.b!];
        return ups === "a" ? { u: x, d: y } : { u: y, d: x };
      });
    const joined = (p: Unit, n: Unit) => p.pieces.length > 0 && n.pieces.length > 0 && p.pieces[p.pieces.length - 1].frame === n.pieces[0].frame;
    let i = 0;
    while (i < pairs.length - 1) {
      const same = (j: number) => joined(pairs[j].u, pairs[j + 1].u) === joined(pairs[j].d, pairs[j + 1].d);
      if (same(i)) { i++; continue; }
      let j = i;
      while (j < pairs.length - 1 && !same(j)) j++;
      if (!this.comparable(k)) return;
      const run = pairs.slice(i, j + 1);
      const frames = (sel: (p: { u: Unit; d: Unit }) => Unit) => uniq(run.flatMap((p) => sel(p).frames));
      const fu = frames((p) => p.u), fd = frames((p) => p.d);
      const n = (fs: number[]) => `${fs.length} segment${fs.length === 1 ? "" : "s"}`;
      const names = run.map((p) => (p.u.kind === "reply" ? p.u.label : p.u.kind === "message" ? p.u.label : q(p.u.label, 40))).join(", ");
      const [fa, fb] = this.frames(up, fu, fd);
      this.add(this.onA(up, run[0].u.firstTime), "resegmented", dir, fa, fb, `${names}: ${n(fu)} at ${this.where(up)} (${frameList(fu)}), ${n(fd)} at ${this.where(down)} (${frameList(fd)})`);
      if (this.placement !== "unknown") {
        this.verdict.push(`The ${dir === "server-to-client" ? "client" : "server"} received ${run.length} ${run[0].u.kind === "reply" ? "replies" : "commands"} in ${n(fd)} that the ${dir === "server-to-client" ? "server" : "client"} had sent in ${n(fu)}: the box between the capture points re-segmented them.`);
      }
      i = j + 1;
    }
  }

  private delayed(dir: Direction, up: PairSide, u: Unit, down: PairSide, d: Unit): void {
    const usual = Math.abs(this.transit);
    const threshold = Math.max(this.opts.delayMs / 1000, 10 * usual);
    let worst: { delay: number; pd: Unit["pieces"][number]; pu: Unit["pieces"][number] } | null = null;
    for (const pd of d.pieces) {
      const last = pd.end - 1;
      const pu = u.pieces.find((p) => p.start <= last && last < p.end);
      if (!pu) continue;
      const delay = this.onA(down, pd.time) - this.onA(up, pu.time) - usual;
      if (delay > threshold && (!worst || delay > worst.delay)) worst = { delay, pd, pu };
    }
    if (!worst) return;
    const { pd, pu, delay } = worst;
    const part = u.kind === "reply" && pd.lines.length && u.lines.length > 1 ? `${lineRange(pd.lines)} of ${u.label}` : u.kind === "reply" || u.kind === "message" ? u.label : q(u.label, 60);
    // one figure for the hold (the one the change and the verdict give): the time between the capture points less the usual transit
    let detail = `${part} passed ${this.where(up)} in frame ${pu.frame} and left towards the ${dir === "server-to-client" ? "client" : "server"} in frame ${pd.frame} (${this.where(down)}): held ${ms(delay)} (${ms(delay + usual)} from ${this.where(up)} to ${this.where(down)}, ${ms(usual)} of it usual transit)`;
    detail += `. ${this.waitedFor(dir, down, this.onA(up, pu.time) + usual, pd.time, pd.frame)}`;
    const resent = this.resentWhileHeld(dir, this.onA(up, pu.time), this.onA(down, pd.time));
    if (resent > 0) detail += ` (the captures hold ${resent} retransmitted bytes in this direction while the bytes were held: part of the delay may be loss on the path rather than the box holding the bytes)`;
    const [fa, fb] = this.frames(up, [pu.frame], [pd.frame]);
    this.add(this.onA(up, pu.time), "delayed", dir, fa, fb, detail, Math.round(delay * 1000));
    this.verdict.push(`The box between the capture points held back ${part} for ${ms(delay)}; the ${dir === "server-to-client" ? "server" : "client"} had sent ${u.kind === "reply" ? "the reply" : "it"} ${u.pieces.length === 1 ? "at once" : `in ${u.segments} segments`}.`);
  }

  /**
   * Payload bytes of `dir` sent again (at either capture point) between `from` and `to` (A's
   * clock): only a retransmission inside the hold can explain part of it as loss on the path; one
   * after the release (a lost copy beyond the downstream point) cannot.
   */
  private resentWhileHeld(dir: Direction, from: number, to: number): number {
    const fromClient = dir === "client-to-server";
    let n = 0;
    for (const p of [this.A, this.B]) {
      let high = -1;
      for (const x of p.wire?.packets ?? []) {
        if (x.fromClient !== fromClient || x.len === 0 || x.flags & TCP_SYN) continue;
        const t = this.onA(p, x.time);
        if (x.seqOff < high && t >= from && t <= to) n += Math.min(x.len, high - x.seqOff);
        high = Math.max(high, x.seqOff + x.len);
      }
    }
    return n;
  }

  /** Did the box wait for a packet from the receiving endpoint before releasing the bytes? */
  private waitedFor(dir: Direction, down: PairSide, heldFromA: number, release: number, frame: number): string {
    const w = down.wire;
    const receiver = dir === "server-to-client" ? "client" : "server";
    if (!w || w.truncated) return `cannot judge whether the box waited for the ${receiver}: its packets were not read`;
    const fromReceiver = dir === "server-to-client";
    const held = w.packets.filter((p) => p.fromClient === fromReceiver && p.frame < frame && this.onA(down, p.time) >= heldFromA && p.time <= release);
    if (held.length === 0) return `Nothing came from the ${receiver} while the bytes were held: the box released them on its own`;
    const last = held[held.length - 1];
    const gap = release - last.time;
    const what = last.len > 0 ? `segment with ${last.len} bytes of data` : last.flags & TCP_ACK ? "ACK" : "packet";
    if (gap <= Math.max(0.002, 3 * Math.abs(this.transit))) return `The box released them ${ms(gap)} after the ${receiver}'s ${what} in frame ${last.frame} (${this.where(down)}): it may have waited for it`;
    return `The box did not wait for the ${receiver}: the ${receiver}'s last packet before the release (frame ${last.frame}, ${what}) came ${ms(gap)} earlier`;
  }

  private rewritten(dir: Direction, up: PairSide, u: Unit, down: PairSide, d: Unit): void {
    const parts: string[] = [];
    if (u.kind === "reply") {
      const ehlo = u.answers === "EHLO";
      const kw = (l: string) => l.slice(4).split(" ")[0] ?? "";
      for (const { i, j } of lineDiff(u.lines, d.lines)) {
        const lu = i !== null ? u.lines[i] : undefined, ld = j !== null ? d.lines[j] : undefined;
        let why = "";
        if (lu !== undefined && ld !== undefined) {
          if (ehlo && i! > 0 && /^X{4,}[A-Z]?$/i.test(kw(ld)) && !/^X+$/i.test(kw(lu))) why = ` (the ${q(kw(lu))} keyword masked)`;
          else if (ehlo && i! > 0 && kw(lu).toUpperCase() !== kw(ld).toUpperCase()) why = ` (the ${q(kw(lu))} keyword replaced)`;
          else if (u.greeting) why = " (banner changed)";
          parts.push(`line ${i! + 1} ${q(lu)} at ${this.where(up)} became ${q(ld)} at ${this.where(down)}${why}`);
        } else if (lu !== undefined) {
          if (ehlo && i! > 0) why = ` (the ${q(kw(lu))} keyword removed)`;
          parts.push(`line ${i! + 1} ${q(lu)} at ${this.where(up)} is missing at ${this.where(down)}${why}`);
        } else {
          if (ehlo && j! > 0) why = ` (the ${q(kw(ld!))} keyword added)`;
          parts.push(`line ${j! + 1} ${q(ld!)} at ${this.where(down)} is not at ${this.where(up)}${why}`);
        }
        if (parts.length >= 8) { parts.push("…"); break; }
      }
    } else {
      parts.push(`${u.kind === "message" ? u.label : q(u.label)} at ${this.where(up)} arrived as ${d.kind === "message" ? d.label : q(d.label)} at ${this.where(down)}`);
    }
    const [fa, fb] = this.frames(up, u.frames, d.frames);
    const change = this.add(this.onA(up, u.firstTime), "rewritten", dir, fa, fb, `${u.kind === "reply" ? u.label : "a command"}: ${parts.join("; ")}`);
    const tls = (ls: string[]) => ls.slice(1).some((l) => /^STARTTLS\b/i.test(l.slice(4)));
    if (u.kind === "reply" && u.answers === "EHLO" && tls(u.lines) && !tls(d.lines)) {
      this.stripped.push({ message: `the server offered STARTTLS in its EHLO reply (${this.where(up)}), but the client was shown the reply without it (${this.where(down)})`, change });
    }
    if (u.kind === "command" && /^STARTTLS$/i.test(u.label.trim())) {
      this.stripped.push({ message: `the client's STARTTLS (${this.where(up)}) reached the server as ${q(d.label, 40)} (${this.where(down)})`, change });
    }
    this.verdict.push(`${u.kind === "reply" ? u.label[0].toUpperCase() + u.label.slice(1) : `The command ${q(u.label, 40)}`} was rewritten between the capture points: the ${dir === "server-to-client" ? "server" : "client"} sent it as ${this.where(up)} shows it.`);
  }

  /** A unit present at one point only: a change, unless the other capture lacks that part. */
  private onlyAt(dir: Direction, kind: "injected" | "removed", at: PairSide, u: Unit, other: PairSide): void {
    const lack = this.lacks(other, dir, this.onA(at, u.firstTime));
    const what = u.kind === "reply" ? u.label : u.kind === "message" ? u.label : q(u.label, 60);
    if (lack) {
      this.limits.push(`cannot judge ${what} (${frameList(u.frames)} in ${at.name.toUpperCase()}): it is not in ${other.name.toUpperCase()}, whose capture ${lack}`);
      return;
    }
    const [fa, fb] = this.frames(at, u.frames, []);
    const sentence = kind === "injected"
      ? `${what} appears at ${this.where(at)} (${frameList(u.frames)}) but never passed ${this.where(other)}: the box between the capture points ${u.kind === "reply" ? "answered by itself" : "added it"}`
      : `${what} passed ${this.where(at)} (${frameList(u.frames)}) but never reached ${this.where(other)}: the box between the capture points swallowed it`;
    const change = this.add(this.onA(at, u.firstTime), kind, dir, fa, fb, sentence + (this.placement === "unknown" ? " (which capture is upstream is not known: the direction is read from A to B)" : ""));
    if (kind === "removed" && u.kind === "command" && /^STARTTLS$/i.test(u.label.trim())) {
      this.stripped.push({ message: `the client's STARTTLS (${this.where(at)}) never reached the server (${this.where(other)}): the box kept the session from upgrading to TLS`, change });
    }
    this.verdict.push(sentence[0].toUpperCase() + sentence.slice(1) + ".");
  }

  /** Why `p`'s capture may simply not hold a unit of `dir` seen at time `t` (A's clock); null if it should. */
  private lacks(p: PairSide, dir: Direction, t: number): string | null {
    const s = p.session;
    const side = dir === "client-to-server" ? "client" : "server";
    for (const l of s.limits) {
      if (l.kind === "gap" || l.kind === "acked-not-captured" || l.kind === "fin-not-captured" || l.kind === "file-damaged") {
        if (!l.side || l.side === side) return `has a gap: ${l.text}`;
      }
      if (l.kind === (side === "client" ? "no-client-bytes" : "no-server-bytes")) return l.text;
    }
    if (s.gaps.some((g) => g.side === side)) return "has a gap in that direction";
    if (s.bytes[side] === 0) return `holds none of the ${side}'s bytes`;
    // the other endpoint acknowledged more than the capture holds (a FIN takes one number)
    const acks = p.wire?.packets.filter((x) => x.fromClient === (side === "server") && x.ackOff < 2 ** 31).map((x) => x.ackOff) ?? [];
    if (acks.length > 0 && maxOf(acks) > s.bytes[side] + 1) return `misses ${side} bytes that the ${side === "server" ? "client" : "server"} acknowledged`;
    const start = this.onA(p, s.startTime), end = this.onA(p, s.endTime);
    if (t < start) return `starts later (${ms(start - t)} after it)`;
    if (t > end) return `ends earlier (${ms(t - end)} before it)`;
    if (s.tls && t >= this.onA(p, s.tls.time)) return "is encrypted from there on";
    return null;
  }

  /** Different TCP connections: the box answered the SYN itself or acknowledged bytes before they passed. */
  private terminated(): void {
    const wa = this.A.wire, wb = this.B.wire;
    this.sameConnection = !!(wa?.syn && wb?.syn && wa.syn.isn === wb.syn.isn && (!wa.synAck || !wb.synAck || wa.synAck.isn === wb.synAck.isn));
    if (!wa || !wb || this.placement === "unknown") return;
    const [cs, ss] = this.placement === "a-nearer-client" ? [this.A, this.B] : [this.B, this.A];
    const wc = cs.wire!, ws = ss.wire!;
    // on a direct path an ACK reaches the client side a full transit after the data reached the
    // server side; the offset estimate errs by at most half the asymmetry of the two transits
    const margin = Math.max(0.0002, Math.abs(this.transit));
    const proofs: string[] = [];
    const fc: number[] = [], fs: number[] = [];
    if (wc.synAck && ws.syn) {
      const early = this.onA(ss, ws.syn.time) - this.onA(cs, wc.synAck.time);
      if (early > margin) {
        proofs.push(`the SYN-ACK at the client side (frame ${wc.synAck.frame}) came ${ms(early)} before the SYN reached the server side (frame ${ws.syn.frame}): the box answered the client's SYN itself`);
        fc.push(wc.synAck.frame);
        fs.push(ws.syn.frame);
      }
    }
    if (proofs.length === 0) {
      // an ACK at the client side for client bytes that had not yet reached the server side
      const units = this.steps.c2s;
      for (const st of units) {
        if (st.a === null || st.b === null) continue;
        const uc = cs === this.A ? this.A.units.c2s[st.a] : this.B.units.c2s[st.b];
        const us = cs === this.A ? this.B.units.c2s[st.b] : this.A.units.c2s[st.a];
        if (uc.key !== us.key || us.pieces.length === 0) continue;
        const ack = wc.packets.find((p) => !p.fromClient && p.ackOff >= uc.end && p.ackOff - uc.end < 1 << 30);
        const arrived = us.pieces[us.pieces.length - 1];
        if (!ack) continue;
        const early = this.onA(ss, arrived.time) - this.onA(cs, ack.time);
        if (early > margin) {
          proofs.push(`the client side received an ACK for ${q(uc.label, 40)} (frame ${ack.frame}) ${ms(early)} before those bytes reached the server side (frame ${arrived.frame})`);
          fc.push(ack.frame);
          fs.push(arrived.frame);
          break;
        }
      }
    }
    const facts: string[] = [];
    if (cs.session.client !== ss.session.client || cs.session.server !== ss.session.server) {
      facts.push(`${escapeText(cs.session.client)} → ${escapeText(cs.session.server)} / ${escapeText(ss.session.client)} → ${escapeText(ss.session.server)}`);
    }
    if (wc.syn && ws.syn && wc.syn.isn !== ws.syn.isn) facts.push(`client ISN ${wc.syn.isn} / ${ws.syn.isn}`);
    if (wc.synAck && ws.synAck && wc.synAck.isn !== ws.synAck.isn) facts.push(`server ISN ${wc.synAck.isn} / ${ws.synAck.isn}`);
    if (wc.synAck && ws.synAck) {
      if (wc.synAck.mss !== ws.synAck.mss) facts.push(`SYN-ACK MSS ${wc.synAck.mss ?? "none"} / ${ws.synAck.mss ?? "none"}`);
      if (wc.synAck.window !== ws.synAck.window) facts.push(`SYN-ACK window ${wc.synAck.window} / ${ws.synAck.window}`);
      if (wc.synAck.options !== ws.synAck.options) facts.push(`SYN-ACK options ${wc.synAck.options || "none"} / ${ws.synAck.options || "none"}`);
    }
    if (proofs.length === 0) {
      const otherIsns = !!(wc.syn && ws.syn && wc.syn.isn !== ws.syn.isn);
      if (otherIsns && this.changes.some((c) => c.kind === "resegmented")) proofs.push("the same bytes travel in other segments with other sequence numbers");
      else if (facts.length > 0) this.verdict.push(`The connection differs between the capture points (${facts.join("; ")}) but nothing shows the box ending TCP: addresses, ports or sequence numbers may have been translated.`);
      else return;
    }
    if (proofs.length === 0) return;
    if (wc.syn) fc.push(wc.syn.frame);
    if (wc.synAck) fc.push(wc.synAck.frame);
    if (ws.syn) fs.push(ws.syn.frame);
    if (ws.synAck) fs.push(ws.synAck.frame);
    const [fa, fb] = cs === this.A ? [fc, fs] : [fs, fc];
    this.add(-Infinity, "tcp-terminated", "client-to-server", fa, fb, `Two TCP connections: ${proofs.join("; ")}${facts.length ? ` (client side / server side: ${facts.join("; ")})` : ""}.`);
    this.verdict.unshift("A proxy between the capture points terminates TCP: the client's connection ends at the box, which opens its own to the server.");
  }

  result(): Pair {
    return {
      a: ref(this.A.session),
      b: ref(this.B.session),
      similarity: 0,
      pairedBy: "",
      offset: this.offset,
      transit: this.transit,
      placement: this.placement,
      changes: this.changes,
      findings: [],
      verdict: this.verdict,
      limits: this.limits,
      endpoints: { a: endpoint(this.A.session, this.A.findings), b: endpoint(this.B.session, this.B.findings) },
      ...this.aligned(),
    };
  }

  private aligned(): { units: AlignedUnit[]; unitsDropped: number } {
    const all: (AlignedUnit & { t: number })[] = [];
    for (const [k, direction] of DIRS) {
      for (const s of this.steps[k]) {
        const x = s.a !== null ? this.A.units[k][s.a] : null;
        const y = s.b !== null ? this.B.units[k][s.b] : null;
        const u = x ?? y!;
        const label = u.kind === "reply" || u.kind === "message" ? u.label : escapeText(u.label);
        all.push({
          direction, label,
          a: x ? sighting(x) : null,
          b: y ? sighting(y) : null,
          differs: !x || !y || x.key !== y.key,
          t: x ? x.firstTime : y!.firstTime - this.offset,
        });
      }
    }
    all.sort((p, q) => p.t - q.t);
    const units = all.slice(0, MAX_ALIGNED_UNITS).map(({ t: _t, ...rest }) => rest);
    return { units, unitsDropped: all.length - units.length };
  }
}
