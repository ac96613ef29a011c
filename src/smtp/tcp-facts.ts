/**
 * What the TCP layer's ACK/window trace says about the dialogue, computed once per session in the
 * conversation pass (Conversation.tcp) and read by the rules that need ACKs, windows or the
 * handshake: when the server's input was drained while it owed replies, how large each pipelined
 * group was against the window the server had offered, what the SYN/ACK looked like against the
 * server's data segments.
 */
import type { FirstData, SynFacts, TcpTrace, TtlStats } from "../tcp/window.js";
import type { Command, Session, SessionTcp, SideTrace } from "./model.js";

/** The trace of a flow, by side (`serverDir`: the server's direction in the TCP layer). */
export function sessionTcp(t: TcpTrace, serverDir: 0 | 1): SessionTcp {
  const server = sideOf(t, serverDir);
  const client = sideOf(t, (serverDir ^ 1) as 0 | 1);
  return { server, client };
}

/** One direction with its handshake segment; spelled out (not a spread): one object shape, no copy loop. */
function sideOf(t: TcpTrace, d: 0 | 1): SideTrace {
  const x = t.dirs[d];
  return {
    records: x.records, count: x.count, scale: x.scale, truncatedAt: x.truncatedAt, dataTtl: x.dataTtl, firstData: x.firstData,
    handshake: d === 0 ? t.syn : t.synAck,
  };
}

/** One ACK/window record: a segment that moved the ACK or changed the window. */
export interface AckPoint {
  frame: number;
  time: number;
  /** offset into the peer's stream the segment acknowledged (null: unknown) */
  ack: number | null;
  /** the advertised receive window in bytes: scaled when `scaled`, else the raw field */
  window: number;
  /** the raw window field (Wireshark tcp.window_size_value) */
  raw: number;
  scaled: boolean;
}

/** The ACK/window records of the segments one side sent. */
export class SideAcks {
  private readonly rec: readonly number[];
  readonly count: number;
  /** the window scale shift of this side (null: unknown, the handshake was not captured) */
  readonly scale: number | null;
  /** records were no longer kept from this frame on (null: all kept) */
  readonly truncatedAt: number | null;

  constructor(t: SideTrace | undefined) {
    this.rec = t?.records ?? [];
    this.count = t?.count ?? 0;
    this.scale = t ? t.scale : null;
    this.truncatedAt = t?.truncatedAt ?? null;
  }

  at(i: number): AckPoint {
    const r = this.rec, j = i * 4;
    const raw = r[j + 3];
    const ack = r[j + 2];
    return { frame: r[j], time: r[j + 1], ack: Number.isNaN(ack) ? null : ack, raw, window: this.scale === null ? raw : raw * 2 ** this.scale, scaled: this.scale !== null };
  }

  frameAt(i: number): number {
    return this.rec[i * 4];
  }

  /** Index of the last record before frame `frame` (-1: none). */
  lastBefore(frame: number): number {
    let lo = 0, hi = this.count; // first index whose frame >= frame
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.rec[mid * 4] < frame) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}

/** Commands the client sent one after another without waiting for the replies between them. */
export interface PipelinedGroup {
  commands: Command[];
  /** client stream offsets of the group's first and past its last octet */
  start: number;
  end: number;
  firstFrame: number;
  lastFrame: number;
}

/** The server had acknowledged every client octet sent so far while it owed replies. */
export interface DrainedWait {
  /** the server's segment whose ACK covered every client octet sent so far */
  drained: AckPoint;
  /** client octets sent by then */
  clientSent: number;
  /** commands the server had received in full and not yet begun to answer */
  owed: Command[];
  /** what ended the silence: the first server reply octet, the client's next segment, a FIN or RST, or the last packet of the session */
  until: { frame: number; time: number; kind: "reply" | "client" | "close" | "end" };
}

export interface TcpFacts {
  /** the TCP layer traced this session */
  traced: boolean;
  /** `ack` values + relBase are Wireshark's relative tcp.ack */
  relBase: number;
  client: SideAcks;
  server: SideAcks;
  /** the client's SYN and the server's SYN/ACK, null when not captured */
  handshake: { client: SynFacts | null; server: SynFacts | null };
  dataTtl: { client: TtlStats | null; server: TtlStats | null };
  /** each side's first data segment and its TSval */
  firstData: { client: FirstData | null; server: FirstData | null };
  /** pipelined groups of two or more commands (PIPELINING in force) */
  groups: PipelinedGroup[];
  /** every time the server's input was drained while it owed replies to two or more commands
   * (a pipelined group, PIPELINING offered), with how long no reply octet followed; empty when
   * `waitsUnknown` says why not */
  waits: DrainedWait[];
  waitsUnknown: string | null;
}

/** What tcpFactsOf needs of the conversation (passed in: conversation.ts imports this file). */
export interface DialogueView {
  /** the server had offered PIPELINING when it processed command `i` */
  pipeliningOffered(i: number): boolean;
  /** the server offered PIPELINING to some command of the session */
  anyPipelining: boolean;
  /** pairing of command `i` with its replies is trusted */
  trusted(i: number): boolean;
  /** commands sent before the reply to the previous command was complete, with PIPELINING in force */
  pipelined: { cmd: Command; prev: Command | null }[];
}

const NO_FACTS_REASON = "the capture gives no TCP trace for this session";

export function tcpFactsOf(s: Session, view: DialogueView): TcpFacts {
  const t = s.tcp;
  const client = new SideAcks(t?.client);
  const server = new SideAcks(t?.server);
  const facts: TcpFacts = {
    traced: t !== undefined, relBase: s.sawSyn ? 1 : 0, client, server,
    handshake: { client: t?.client.handshake ?? null, server: t?.server.handshake ?? null },
    dataTtl: { client: t?.client.dataTtl ?? null, server: t?.server.dataTtl ?? null },
    firstData: { client: t?.client.firstData ?? null, server: t?.server.firstData ?? null },
    groups: groupsOf(s, view), waits: [], waitsUnknown: null,
  };
  facts.waitsUnknown = t === undefined ? NO_FACTS_REASON : waitsUnknown(s, server);
  // two owed replies need a command sent before the previous reply: without one there is no wait
  if (facts.waitsUnknown === null && view.anyPipelining && view.pipelined.length > 0) facts.waits = drainedWaits(s, server, view);
  return facts;
}

function groupsOf(s: Session, view: DialogueView): PipelinedGroup[] {
  // most sessions pipeline nothing: no Set, no walk over the commands
  if (view.pipelined.length === 0) return [];
  const joined = new Set<number>();
  for (const e of view.pipelined) if (e.prev !== null && e.prev.index === e.cmd.index - 1) joined.add(e.cmd.index);
  const out: PipelinedGroup[] = [];
  const cs = s.commands;
  for (let i = 0; i < cs.length; i++) {
    let j = i;
    while (j + 1 < cs.length && joined.has(j + 1) && usable(cs[j + 1]) && usable(cs[j])) j++;
    if (j > i) {
      const first = cs[i], last = cs[j];
      const firstSeg = first.segments[0], lastSeg = last.segments[last.segments.length - 1];
      if (firstSeg && lastSeg) out.push({ commands: cs.slice(i, j + 1), start: first.start, end: last.end, firstFrame: firstSeg.frame, lastFrame: lastSeg.frame });
    }
    i = j;
  }
  return out;
}

function usable(c: Command): boolean {
  return c.kind !== "message" && !c.afterStartTls && c.segments.length > 0;
}

function waitsUnknown(s: Session, server: SideAcks): string | null {
  if (s.bytes.client === 0) return "the capture holds no client data";
  if (server.count === 0) return "the capture holds no ACK from the server";
  // bytes lost inside the encrypted part do not touch the plaintext dialogue the waits are read from
  const tls = tlsFrom(s);
  const gap = s.gaps.find((g) => g.frame <= tls);
  if (gap) {
    return gap.side === "client"
      ? `the capture lacks ${gap.bytes} client bytes (before frame ${gap.frame}): whether the server had read every client octet cannot be proven`
      : `the capture lacks ${gap.bytes} server bytes (before frame ${gap.frame}): a reply may be among them`;
  }
  return null;
}

/** The first frame of encrypted traffic (Infinity: none). */
function tlsFrom(s: Session): number {
  if (!s.tls?.encrypted) return Infinity;
  return s.tls.clientHelloFrame ?? s.tls.serverHelloFrame ?? s.tls.frame;
}

function drainedWaits(s: Session, server: SideAcks, view: DialogueView): DrainedWait[] {
  const cs = s.commands;
  // client octets sent, by frame: [frame, end offset] of every command segment; a message whose
  // segments are not all listed counts from its last frame, and frames inside it are skipped
  const sent: number[][] = [];
  const busy: number[][] = []; // [first, last] frames of message transfers
  for (const c of cs) {
    if (c.kind === "message") {
      const first = c.frames[0] ?? c.segments[0]?.frame;
      const last = c.message?.endFrame ?? c.segments[c.segments.length - 1]?.frame ?? first;
      if (first === undefined || last === undefined) continue;
      busy.push([first, last]);
      sent.push([first, c.start], [last, c.end]);
      continue;
    }
    for (const g of c.segments) sent.push([g.frame, g.end]);
  }
  sent.sort((a, b) => a[0] - b[0]);
  const serverSegs: { frame: number; time: number }[] = [];
  for (const r of s.replies) for (const g of r.segments) serverSegs.push(g);
  serverSegs.sort((a, b) => a.frame - b.frame);
  const replyStart = cs.map((c) => (c.replies.length > 0 ? s.replies[c.replies[0]]?.segments[0]?.frame : undefined) ?? Infinity);
  const closes = [s.close.client, s.close.server].filter((c) => c !== null).sort((a, b) => a.frame - b.frame);
  const stop = tlsFrom(s);
  const out: DrainedWait[] = [];
  let k = 0, maxSent = 0, lo = 0, b = 0;
  for (let i = 0; i < server.count; i++) {
    const A = server.frameAt(i);
    if (A >= stop) break;
    while (k < sent.length && sent[k][0] < A) maxSent = Math.max(maxSent, sent[k++][1]);
    while (b < busy.length && busy[b][1] < A) b++;
    if (b < busy.length && busy[b][0] <= A) continue; // inside a message transfer
    const p = server.at(i);
    if (p.ack === null || maxSent === 0 || p.ack < maxSent) continue;
    while (lo < cs.length && replyStart[lo] < A) lo++;
    const owed: Command[] = [];
    for (let j = lo; j < cs.length; j++) {
      const c = cs[j];
      if ((c.frames[0] ?? Infinity) >= A || c.end > p.ack) break;
      if (replyStart[j] > A && !c.afterStartTls) owed.push(c);
    }
    if (owed.length < 2) continue;
    const f0 = owed[0];
    // the reply to the end of a message comes when the message is processed (RFC 5321 §4.5.3.2.6
    // allows minutes): a pause before it is not replies held back
    if (!f0 || f0.kind === "message" || (f0.verb === "BDAT" && f0.bdat?.last) || !view.trusted(f0.index) || !view.pipeliningOffered(f0.index)) continue;
    const next = (list: { frame: number; time: number }[]) => list.find((x) => x.frame > A);
    const candidates: DrainedWait["until"][] = [];
    const r = next(serverSegs);
    if (r) candidates.push({ frame: r.frame, time: r.time, kind: "reply" });
    const cl = sent.find((x) => x[0] > A);
    if (cl) {
      const c = cs.find((x) => x.segments.some((g) => g.frame === cl[0]) || x.frames[0] === cl[0]);
      const seg = c?.segments.find((g) => g.frame === cl[0]);
      candidates.push({ frame: cl[0], time: seg?.time ?? c?.time ?? Infinity, kind: "client" });
    }
    const cz = next(closes);
    if (cz) candidates.push({ frame: cz.frame, time: cz.time, kind: "close" });
    candidates.push({ frame: s.lastFrame, time: s.endTime, kind: "end" });
    candidates.sort((x, y) => x.frame - y.frame);
    const until = candidates[0];
    out.push({ drained: p, clientSent: maxSent, owed, until });
    // the same silence: skip the server's later records inside it
    while (i + 1 < server.count && server.frameAt(i + 1) < until.frame) i++;
  }
  return out;
}
