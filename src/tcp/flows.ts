import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, endpoint, type TcpPacket } from "./decode.js";
import { Ip4Connections, R_FIN0, R_FIN1, R_INIT_FIRST, R_RESET, R_SYN } from "./flow-table.js";
import { DEFAULT_REASSEMBLY, Reassembler, type ReassemblyOptions, type StreamHandler } from "./reassembly.js";
import { ipIdSeen, synFacts, tcpTrace, tsvalOf, type FirstData, type SynFacts, type TcpTrace } from "./window.js";

/** Seconds of capture time after which a connection still without payload on a non-SMTP port is given up. */
const UNDECIDED_TTL = 300;

/** Payload-less packets of an undecided connection kept for replay, at most (the last overwrites). */
const MAX_EARLY_PACKETS = 16;
/** numbers kept per early packet (see Flow.early) */
const EARLY_STRIDE = 9;

/**
 * A TCP connection as Wireshark counts them: `index` equals Wireshark's `tcp.stream`. Kept small:
 * every connection of a capture keeps one (a scan has millions), and only connections found to be
 * SMTP get a reassembler and a dissector.
 */
export class Flow {
  /** the initiator's (SYN sender's, else first sender's) and the responder's port */
  readonly initPort: number;
  readonly respPort: number;
  /** IPv4: the initiator's and responder's address as signed 32-bit integers */
  initIp = 0;
  respIp = 0;
  /** IPv6: the endpoints' text, [initiator, responder]; null for IPv4 */
  readonly v6: [string, string] | null;
  /** IPv6: the initiator's address and port key (see TcpPacket.flowKey) */
  readonly initKey: string;
  /** first sequence number seen from the initiator (0) and the responder (1); -1 while none */
  firstSeq0 = -1;
  firstSeq1 = -1;
  sawSyn = false;
  fin0 = false;
  fin1 = false;
  reset = false;
  reasm: Reassembler | null = null;
  app: FlowApp | null = null;
  /** "undecided" until the application layer has seen enough to decide */
  state: "undecided" | "followed" | "ignored" | "finished" = "undecided";
  lastFrame = 0;
  lastTime = 0;
  /** direction of the application server (set by the flow factory), -1 while unknown */
  serverDir: -1 | 0 | 1 = -1;
  /** how the flow factory recognised the application ("greeting", "http-connect"), or "" */
  tag = "";
  /** while undecided: the packets so far, nine numbers each (dir, frame, time, seq, ack, flags,
   * index in `earlyData` or -1 for no payload, window field, TTL) */
  early: number[] | null = null;
  /** while undecided: payloads kept for replay (a client that speaks first), with their wire length */
  earlyData: { data: Buffer; wire: number }[] | null = null;
  /** why the reader ended this connection without its end in the capture, as a session states it
   * ("the capture saw no end of this connection within 10 min of capture time (--idle)"); null
   * when it closed or the capture ended */
  endedBy: string | null = null;
  /** IPv6: the connection's key in the tracker's table */
  v6Key: string | null = null;
  /** the initiator's first SYN and the responder's first SYN/ACK (null: not captured); read through tcpTrace() */
  syn: SynFacts | null = null;
  synAck: SynFacts | null = null;
  /** each direction's first data segment (its TSval read once), null until one is seen */
  firstData: [FirstData | null, FirstData | null] | null = null;
  /** payload packets kept while undecided */
  get earlyPayloads(): number {
    return this.earlyData === null ? 0 : this.earlyData.length;
  }

  constructor(readonly index: number, pkt: TcpPacket, readonly firstFrame: number, readonly firstTime: number) {
    const synAck = (pkt.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
    this.initPort = synAck ? pkt.dstPort : pkt.srcPort;
    this.respPort = synAck ? pkt.srcPort : pkt.dstPort;
    if (pkt.ipVersion === 4) {
      this.v6 = null;
      this.initIp = synAck ? pkt.dstIp4 : pkt.srcIp4;
      this.respIp = synAck ? pkt.srcIp4 : pkt.dstIp4;
      this.initKey = "";
    } else {
      const src = endpoint(pkt.addr(pkt.srcAddrStart), pkt.srcPort);
      const dst = endpoint(pkt.addr(pkt.dstAddrStart), pkt.dstPort);
      this.v6 = synAck ? [dst, src] : [src, dst];
      this.initKey = synAck ? "" : pkt.srcKey; // "": filled by the tracker, the destination is the initiator
    }
  }

  /** endpoint text ("192.0.2.25:25", "[2001:db8::1]:25"), [initiator, responder] */
  get endpoints(): [string, string] {
    if (this.v6 !== null) return this.v6;
    return [endpoint(ip4(this.initIp), this.initPort), endpoint(ip4(this.respIp), this.respPort)];
  }

  firstSeq(dir: 0 | 1): number {
    return dir === 0 ? this.firstSeq0 : this.firstSeq1;
  }

  remember(dir: 0 | 1, frame: number, time: number, seq: number, ack: number, flags: number, payload: { data: Buffer; wire: number } | null = null,
    window = -1, ttl = -1): void {
    const e = (this.early ??= []);
    // payload-less packets beyond the limit overwrite the last one that carried no payload
    if (e.length >= MAX_EARLY_PACKETS * EARLY_STRIDE && e[e.length - EARLY_STRIDE + 6] < 0 && payload === null) e.length -= EARLY_STRIDE;
    let idx = -1;
    if (payload !== null) {
      const d = (this.earlyData ??= []);
      idx = d.length;
      d.push(payload);
    }
    e.push(dir, frame, time, seq, ack, flags, idx, window, ttl);
  }

  /** ACK progress, advertised windows (with the scale from the handshake), handshake facts and
   * data-segment TTLs of this connection, as far as the capture shows them (see window.ts).
   * Available while the connection is followed, up to and including its app's finish(). */
  tcpTrace(): TcpTrace {
    return tcpTrace(this.syn, this.synAck, this.reasm === null ? null : this.reasm.window, this.firstData ?? [null, null]);
  }
}

function ip4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** What the application layer (SMTP) attaches to a followed flow. */
export interface FlowApp extends StreamHandler {
  /** The connection ended (closed, restarted, or the capture ended). */
  finish(): void;
}

/** Decides which connections to follow; creates the per-connection application handler. */
export interface FlowFactory {
  /**
   * Called for every packet of an undecided flow. `dir` is the packet's direction (0 = initiator).
   * Return "follow" to attach an app, "ignore" to stop looking, "undecided" to wait for more.
   */
  classify(flow: Flow, pkt: TcpPacket, dir: 0 | 1): "follow" | "ignore" | "undecided";
  create(flow: Flow): FlowApp;
  /** A connection ended (or was given up) while still undecided. */
  abandoned?(flow: Flow): void;
}

export interface TrackerStats {
  tcpPackets: number;
  connections: number;
  /** connections not followed because maxOpenFlows were open */
  overLimit: number;
  /** live (evictIdlest): connections ended early to make room, the longest idle each time */
  evicted: number;
}

export interface TrackerOptions extends ReassemblyOptions {
  /** connections followed at the same time; more are counted and skipped */
  maxOpenFlows: number;
  /** a live reader: past maxOpenFlows, the longest-idle followed connection is ended (with this
   * sentence, see Flow.endedBy) to make room, instead of skipping the new one */
  evictIdlest?: string;
  /** where a followed connection's segments go instead of a Reassembler of its own (analysis on
   * worker threads: src/parallel/ routes them to the thread that reassembles the connection) */
  segments?: (flow: Flow, app: FlowApp) => Reassembler;
}

export const DEFAULT_TRACKER: TrackerOptions = { ...DEFAULT_REASSEMBLY, maxOpenFlows: 100000 };

/** The connection table: assigns stream indexes, detects port reuse, feeds reassembly. */
export class FlowTracker {
  private flows = new Map<string, Flow>();
  /** IPv4 connections, looked up without a string or a boxed number per packet */
  private flows4 = new Ip4Connections<Flow>();
  private nextIndex = 0;
  readonly stats: TrackerStats = { tcpPackets: 0, connections: 0, overLimit: 0, evicted: 0 };
  private open = 0;
  /** followed connections by stream index; finished ones are dropped lazily from the front */
  private openOrder: Flow[] = [];
  /** connections followed or still undecided, in the order they began: what an idle sweep or the
   * end of the capture walks (not the whole table, which also holds retired connections) */
  private active = new Set<Flow>();
  /** IPv6 connections that ended, in the order they ended, to forget once closed and silent (see forgetV6) */
  private endedV6: Flow[] = [];

  constructor(private readonly factory: FlowFactory, private readonly opts: TrackerOptions = DEFAULT_TRACKER) {}

  packet(pkt: TcpPacket, frame: number, time: number): void {
    this.stats.tcpPackets++;
    const flags = pkt.flags;
    let f: Flow | undefined;
    if (pkt.ipVersion === 4) {
      const t = this.flows4;
      if (time > t.now) t.now = time;
      const srcIp = pkt.srcIp4, dstIp = pkt.dstIp4;
      const slot = t.find(srcIp, pkt.srcPort, dstIp, pkt.dstPort);
      if (slot >= 0) {
        f = t.live[slot];
        if (f === undefined) {
          // a connection that ended or is not SMTP: only its numbers are kept
          if (!this.retiredPacket(slot, pkt, srcIp, time)) return;
          f = this.newFlow(pkt, frame, time);
          t.put(slot, f.index, f);
        } else if (this.restarts(f, pkt)) {
          this.end(f);
          f = this.newFlow(pkt, frame, time);
          t.put(slot, f.index, f);
        }
      } else {
        f = this.newFlow(pkt, frame, time);
        if ((this.stats.connections & 0xffff) === 0) this.sweepUndecided();
        t.add(srcIp, pkt.srcPort, dstIp, pkt.dstPort, f.index, f);
      }
    } else {
      f = this.flowV6(pkt, frame, time);
    }
    const dir = this.dirOf(f, pkt);
    if (dir === 0 ? f.firstSeq0 < 0 : f.firstSeq1 < 0) {
      if (dir === 0) f.firstSeq0 = pkt.seq;
      else f.firstSeq1 = pkt.seq;
    }
    // handshake facts (options, TTL): only SYNs pay for the option walk
    if (flags & TCP_SYN) this.syn(f, pkt, dir, frame, time);
    const state = f.state;
    if (pkt.payloadLen > 0 && (state === "undecided" || state === "followed")) {
      const fd = f.firstData === null ? null : f.firstData[dir];
      if (fd === null) this.firstData(f, pkt, dir, frame, time);
      else if (fd.ipIds !== null) ipIdSeen(fd.ipIds, pkt.ipId, frame);
    }
    f.lastFrame = frame;
    f.lastTime = time;
    if (state !== "followed") {
      if (state === "ignored" || state === "finished") {
        this.closing(f, dir, flags); // IPv6 only: IPv4 connections are retired instead
        return;
      }
      if (!this.decide(f, pkt, dir, frame, time)) return;
    }
    f.reasm!.segment(dir, frame, time, pkt.seq, pkt.ack, flags, pkt.buf, pkt.payloadStart, pkt.capturedPayload, pkt.payloadLen, pkt.window, pkt.ttl);
    this.closing(f, dir, flags);
  }

  /** The IPv6 connection of a packet (a new one for a restarting SYN). */
  private flowV6(pkt: TcpPacket, frame: number, time: number): Flow {
    const key = pkt.flowKey();
    let f = this.flows.get(key);
    if (f !== undefined && this.restarts(f, pkt)) {
      this.end(f);
      f = undefined;
    }
    if (f === undefined) {
      f = this.newFlow(pkt, frame, time);
      if (f.initKey === "") (f as { initKey: string }).initKey = this.otherKey(key, pkt.srcKey);
      f.v6Key = key;
      this.flows.set(key, f);
    }
    return f;
  }

  /** A SYN or SYN/ACK: the first of each kind keeps its handshake facts. */
  private syn(f: Flow, pkt: TcpPacket, dir: 0 | 1, frame: number, time: number): void {
    f.sawSyn = true;
    if (pkt.flags & TCP_ACK) { if (f.synAck === null && dir === 1) f.synAck = synFacts(pkt, frame, time); }
    else if (f.syn === null && dir === 0) f.syn = synFacts(pkt, frame, time);
  }

  /** The first data segment of direction `dir`, with its TSval (one option walk per direction). */
  private firstData(f: Flow, pkt: TcpPacket, dir: 0 | 1, frame: number, time: number): void {
    const fd = (f.firstData ??= [null, null]);
    const ts = tsvalOf(pkt);
    const id = pkt.ipId;
    fd[dir] = { frame, time, tsval: ts < 0 ? null : ts, ipIds: id < 0 ? null : { first: id, firstFrame: frame, last: id, lastFrame: frame, segments: 1, counter: true } };
  }

  /** A packet of an undecided connection: true when the connection is now followed and the packet goes to its reassembler. */
  private decide(f: Flow, pkt: TcpPacket, dir: 0 | 1, frame: number, time: number): boolean {
    const flags = pkt.flags;
    let verdict = this.factory.classify(f, pkt, dir);
    if (verdict === "follow" && this.open >= this.opts.maxOpenFlows) {
      if (this.opts.evictIdlest !== undefined) this.evict(this.opts.evictIdlest);
      else {
        verdict = "ignore";
        this.stats.overLimit++;
      }
    }
    if (verdict === "ignore") {
      f.state = "ignored";
      this.inactive(f);
      f.early = null;
      f.earlyData = null;
      this.closing(f, dir, flags);
      this.retire(f);
      return false;
    }
    if (verdict === "undecided") {
      // no payload yet, or a client that spoke first: kept to replay once the connection is followed
      const payload = pkt.payloadLen > 0
        ? { data: Buffer.from(pkt.buf.subarray(pkt.payloadStart, pkt.payloadStart + pkt.capturedPayload)), wire: pkt.payloadLen }
        : null;
      f.remember(dir, frame, time, pkt.seq, pkt.ack, flags, payload, pkt.window, pkt.ttl);
      this.closing(f, dir, flags);
      return false;
    }
    this.follow(f);
    return true;
  }

  private newFlow(pkt: TcpPacket, frame: number, time: number): Flow {
    this.stats.connections++;
    const f = new Flow(this.nextIndex++, pkt, frame, time);
    this.active.add(f);
    return f;
  }

  /**
   * Wireshark starts a new conversation for a SYN whose sequence number differs from the first
   * one seen in that direction, or for any SYN after a FIN or RST.
   */
  private restarts(f: Flow, pkt: TcpPacket): boolean {
    if ((pkt.flags & (TCP_SYN | TCP_ACK)) !== TCP_SYN) return false;
    const first = f.firstSeq(this.dirOf(f, pkt));
    return first >= 0 && (pkt.seq !== first || f.reset || f.fin0 || f.fin1);
  }

  /** A packet of a retired IPv4 connection: bookkeeping only. Returns true when a SYN restarts the pair. */
  private retiredPacket(slot: number, pkt: TcpPacket, srcIp: number, time: number): boolean {
    const t = this.flows4;
    let b = t.bits[slot];
    const dir = t.fromFirst(slot, srcIp, pkt.srcPort) === ((b & R_INIT_FIRST) !== 0) ? 0 : 1;
    const first = dir === 0 ? t.seq0[slot] : t.seq1[slot];
    const flags = pkt.flags;
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && first >= 0 && (pkt.seq !== first || (b & (R_RESET | R_FIN0 | R_FIN1)) !== 0)) return true;
    if (first < 0) (dir === 0 ? t.seq0 : t.seq1)[slot] = pkt.seq;
    if (flags & TCP_SYN) b |= R_SYN;
    if (flags & TCP_RST) b |= R_RESET;
    if (flags & TCP_FIN) b |= dir === 0 ? R_FIN0 : R_FIN1;
    t.bits[slot] = b;
    t.last[slot] = time;
    return false;
  }

  /** An IPv4 connection that ended or is not SMTP keeps only its numbers. */
  private retire(f: Flow): void {
    if (f.v6 !== null) return;
    const t = this.flows4;
    const slot = t.find(f.initIp, f.initPort, f.respIp, f.respPort);
    if (slot < 0 || t.live[slot] !== f) return;
    const bits = (f.sawSyn ? R_SYN : 0) | (f.fin0 ? R_FIN0 : 0) | (f.fin1 ? R_FIN1 : 0) | (f.reset ? R_RESET : 0)
      | (t.fromFirst(slot, f.initIp, f.initPort) ? R_INIT_FIRST : 0);
    t.retire(slot, f.firstSeq0, f.firstSeq1, bits, f.lastTime);
  }

  /**
   * Connections on other ports that stay without payload (a scan's unanswered SYNs) would keep a
   * live object each: after UNDECIDED_TTL seconds of capture time without a packet, they are
   * treated as not SMTP. Runs once every 65536 new connections.
   */
  private sweepUndecided(): void {
    const horizon = this.flows4.now - UNDECIDED_TTL;
    const stale: Flow[] = [];
    for (const f of this.flows4.liveValues()) if (f.state === "undecided" && f.lastTime < horizon) stale.push(f);
    for (const f of stale) {
      this.factory.abandoned?.(f);
      f.state = "ignored";
      this.inactive(f);
      f.early = null;
      f.earlyData = null;
      this.retire(f);
    }
  }

  /** Start following `f`: its dissector sees the payload-less packets that came before the decision. */
  private follow(f: Flow): void {
    f.state = "followed";
    this.open++;
    let i = this.openOrder.length;
    while (i > 0 && this.openOrder[i - 1].index > f.index) i--;
    this.openOrder.splice(i, 0, f);
    f.app = this.factory.create(f);
    f.reasm = this.opts.segments ? this.opts.segments(f, f.app) : new Reassembler(f.app, this.opts);
    const e = f.early;
    const d = f.earlyData;
    f.early = null;
    f.earlyData = null;
    if (e === null) return;
    const none = Buffer.alloc(0);
    for (let k = 0; k < e.length; k += EARLY_STRIDE) {
      const p = e[k + 6] >= 0 && d !== null ? d[e[k + 6]] : null;
      if (p === null) f.reasm.segment(e[k] as 0 | 1, e[k + 1], e[k + 2], e[k + 3], e[k + 4], e[k + 5], none, 0, 0, 0, e[k + 7], e[k + 8]);
      else f.reasm.segment(e[k] as 0 | 1, e[k + 1], e[k + 2], e[k + 3], e[k + 4], e[k + 5], p.data, 0, p.data.length, p.wire, e[k + 7], e[k + 8]);
    }
  }

  /** FIN and RST bookkeeping; a followed or undecided connection ends when both sides closed or one reset. */
  private closing(f: Flow, dir: 0 | 1, flags: number): void {
    if (flags & TCP_RST) f.reset = true;
    if (flags & TCP_FIN) {
      if (dir === 0) f.fin0 = true;
      else f.fin1 = true;
    }
    if ((f.state === "followed" || f.state === "undecided") && (f.reset || (f.fin0 && f.fin1))) {
      this.end(f, false);
      this.retire(f);
    }
  }

  /**
   * Ended connections leave openOrder: at once from its front, and all of them once they are
   * more than the open ones (a connection open for the whole capture must not keep every later
   * one; amortised O(1) per connection).
   */
  private trimOpenOrder(): void {
    const q = this.openOrder;
    let drop = 0;
    while (drop < q.length && q[drop].state !== "followed") drop++;
    if (drop > 0) q.splice(0, drop);
    if (q.length > 2 * this.open + 1024) this.openOrder = q.filter((x) => x.state === "followed");
  }

  /** The lowest stream index of a connection still being followed (Infinity: none). */
  lowestOpen(): number {
    const q = this.openOrder;
    let drop = 0;
    while (drop < q.length && q[drop].state !== "followed") drop++;
    if (drop > 0) q.splice(0, drop);
    return q.length > 0 ? q[0].index : Infinity;
  }

  /**
   * A live reader's idle timeout: ends every connection being followed or still undecided whose
   * last packet is older than `before` (capture time), in stream order, as the end of the capture
   * would. Returns how many were ended. Costs a walk over the live connections.
   */
  expireIdle(before: number, why: string | null = null): number {
    const stale: Flow[] = [];
    for (const f of this.active) if (f.lastTime < before) stale.push(f);
    // the set is in the order connections began: stream order
    for (const f of stale) {
      f.endedBy = why;
      this.end(f);
      this.retire(f);
    }
    return stale.length;
  }

  /** Ends the followed connection silent the longest (a walk over the open ones: only past the limit). */
  private evict(why: string): void {
    let idlest: Flow | null = null;
    for (const f of this.openOrder) if (f.state === "followed" && (idlest === null || f.lastTime < idlest.lastTime)) idlest = f;
    if (idlest === null) return;
    this.stats.evicted++;
    idlest.endedBy = why;
    this.end(idlest);
    this.retire(idlest);
  }

  /** The first frame of the oldest connection followed or undecided (Infinity: none). */
  oldestActiveFrame(): number {
    for (const f of this.active) return f.firstFrame;
    return Infinity;
  }

  /** Connections followed or still undecided. */
  get activeCount(): number {
    return this.active.size;
  }

  /**
   * A live reader's memory: IPv6 connections that ended (closed, reset, given up) and have been
   * silent for `ttl` seconds of capture time before `now` are forgotten, and retired IPv4 ones by
   * Ip4Connections (when its table grows, and every tenth of its TTL: purge). A later packet of the same address and port
   * pair then starts a new tcp.stream, where Wireshark, which never forgets, would continue the
   * old one: so files are read without it.
   */
  forgetEnded(now: number, ttl: number): void {
    this.trackEnded = true;
    this.flows4.forgetUnclosed = true;
    this.flows4.purge();
    const q = this.endedV6;
    if (q.length === 0) return;
    // an ended connection may still get packets (lastTime moves): the whole queue is looked at
    const horizon = now - ttl;
    this.endedV6 = q.filter((f) => {
      if (f.lastTime >= horizon) return true;
      if (f.v6Key !== null && this.flows.get(f.v6Key) === f) this.flows.delete(f.v6Key);
      return false;
    });
  }


  /** The connection table's size: IPv4 connections kept (live or retired), its slots, IPv6 connections kept. */
  get tableSizes(): { ip4: number; ip4Slots: number; ip6: number } {
    return { ip4: this.flows4.size, ip4Slots: this.flows4.capacity, ip6: this.flows.size };
  }

  /** Connections being followed now. */
  get openCount(): number {
    return this.open;
  }

  /** End of capture: finish every open connection, in stream order. */
  finishAll(): void {
    for (const f of [...this.active]) this.end(f);
  }

  private inactive(f: Flow): void {
    this.active.delete(f);
    if (f.v6 !== null && this.trackEnded) this.endedV6.push(f);
  }

  /** set by a live reader (forgetEnded): ended IPv6 connections are queued to be forgotten */
  trackEnded = false;

  private end(f: Flow, flush = true): void {
    if (f.state === "followed") this.open--;
    if (f.state === "undecided") this.factory.abandoned?.(f);
    if (f.state === "followed" || f.state === "undecided") {
      if (flush && f.reasm) {
        f.reasm.flush(0, f.lastFrame, f.lastTime, "the end of the capture");
        f.reasm.flush(1, f.lastFrame, f.lastTime, "the end of the capture");
      }
      if (f.app && f.state === "followed") f.app.finish();
    }
    if (f.state === "followed" || f.state === "undecided") this.inactive(f);
    const wasFollowed = f.state === "followed";
    f.state = "finished";
    if (wasFollowed) this.trimOpenOrder();
    f.reasm = null;
    f.app = null;
    f.early = null;
    f.earlyData = null;
  }

  private dirOf(f: Flow, pkt: TcpPacket): 0 | 1 {
    if (pkt.ipVersion === 4) return pkt.srcPort === f.initPort && pkt.srcIp4 === f.initIp ? 0 : 1;
    return pkt.srcKey === f.initKey ? 0 : 1;
  }

  private otherKey(key: string, srcKey: string): string {
    return key.startsWith(srcKey) ? key.slice(srcKey.length) : key.slice(0, key.length - srcKey.length);
  }
}
