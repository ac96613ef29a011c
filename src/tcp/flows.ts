import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, endpoint, type TcpPacket } from "./decode.js";
import { Ip4Table } from "./flow-table.js";
import { DEFAULT_REASSEMBLY, Reassembler, type ReassemblyOptions, type StreamHandler } from "./reassembly.js";

/** A TCP connection as Wireshark counts them: `index` equals Wireshark's `tcp.stream`. */
export class Flow {
  /** endpoint strings, [0] = initiator (SYN sender, else sender of the first packet seen) */
  readonly endpoints: [string, string];
  readonly ports: [number, number];
  readonly initKey: string;
  /** IPv4: the initiator's address (signed 32-bit) and port; initPort is -1 for IPv6 */
  initIp = 0;
  initPort = -1;
  firstSeq: [number, number] = [-1, -1];
  sawSyn = false;
  closedFin: [boolean, boolean] = [false, false];
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

  constructor(readonly index: number, pkt: TcpPacket, readonly firstFrame: number, readonly firstTime: number) {
    const src = endpoint(pkt.addr(pkt.srcAddrStart), pkt.srcPort);
    const dst = endpoint(pkt.addr(pkt.dstAddrStart), pkt.dstPort);
    const synAck = (pkt.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
    if (synAck) {
      this.endpoints = [dst, src];
      this.ports = [pkt.dstPort, pkt.srcPort];
      this.initKey = ""; // filled by the tracker: the destination is the initiator
    } else {
      this.endpoints = [src, dst];
      this.ports = [pkt.srcPort, pkt.dstPort];
      this.initKey = pkt.srcKey;
    }
  }
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
}

export interface TrackerStats {
  tcpPackets: number;
  connections: number;
  /** connections not followed because maxOpenFlows were open */
  overLimit: number;
}

export interface TrackerOptions extends ReassemblyOptions {
  /** connections followed at the same time; more are counted and skipped */
  maxOpenFlows: number;
}

export const DEFAULT_TRACKER: TrackerOptions = { ...DEFAULT_REASSEMBLY, maxOpenFlows: 100000 };

/** The connection table: assigns stream indexes, detects port reuse, feeds reassembly. */
export class FlowTracker {
  private flows = new Map<string, Flow>();
  /** IPv4 connections, looked up without a string or a boxed number per packet */
  private flows4 = new Ip4Table<Flow>();
  private nextIndex = 0;
  readonly stats: TrackerStats = { tcpPackets: 0, connections: 0, overLimit: 0 };
  private open = 0;
  /** followed connections by stream index; finished ones are dropped lazily from the front */
  private openOrder: Flow[] = [];

  constructor(private readonly factory: FlowFactory, private readonly opts: TrackerOptions = DEFAULT_TRACKER) {}

  packet(pkt: TcpPacket, frame: number, time: number): void {
    this.stats.tcpPackets++;
    const v4 = pkt.ipVersion === 4;
    let key = "";
    let srcIp = 0, dstIp = 0;
    let f: Flow | undefined;
    if (v4) {
      srcIp = pkt.srcIp4();
      dstIp = pkt.dstIp4();
      f = this.flows4.get(srcIp, pkt.srcPort, dstIp, pkt.dstPort);
    } else {
      key = pkt.flowKey();
      f = this.flows.get(key);
    }
    const flags = pkt.flags;
    if (f !== undefined && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      const dir = this.dirOf(f, pkt);
      // Wireshark starts a new conversation for a SYN whose sequence number differs from the
      // first one seen in that direction, or for any SYN after a FIN or RST.
      if (f.firstSeq[dir] >= 0 && (pkt.seq !== f.firstSeq[dir] || f.reset || f.closedFin[0] || f.closedFin[1])) {
        this.end(f);
        f = undefined;
      }
    }
    if (f === undefined) {
      if (v4) pkt.flowKey(); // sets srcKey for the Flow constructor
      f = new Flow(this.nextIndex++, pkt, frame, time);
      const synAck = (flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
      if (v4) {
        f.initIp = synAck ? dstIp : srcIp;
        f.initPort = synAck ? pkt.dstPort : pkt.srcPort;
        this.flows4.set(srcIp, pkt.srcPort, dstIp, pkt.dstPort, f);
      } else {
        if (f.initKey === "") (f as { initKey: string }).initKey = this.otherKey(key, pkt.srcKey);
        this.flows.set(key, f);
      }
      this.stats.connections++;
    }
    const dir = this.dirOf(f, pkt);
    if (f.firstSeq[dir] < 0) f.firstSeq[dir] = pkt.seq;
    if (flags & TCP_SYN) f.sawSyn = true;
    f.lastFrame = frame;
    f.lastTime = time;
    if (f.state === "ignored" || f.state === "finished") {
      if (flags & TCP_RST) f.reset = true;
      if (flags & TCP_FIN) f.closedFin[dir] = true;
      return;
    }
    if (f.state === "undecided") {
      let verdict = this.factory.classify(f, pkt, dir);
      if (verdict === "follow" && this.open >= this.opts.maxOpenFlows) {
        verdict = "ignore";
        this.stats.overLimit++;
      }
      if (verdict === "ignore") {
        f.state = "ignored";
        f.reasm = null;
        f.app = null;
      } else if (verdict === "follow") {
        f.state = "followed";
        this.open++;
        let i = this.openOrder.length;
        while (i > 0 && this.openOrder[i - 1].index > f.index) i--;
        this.openOrder.splice(i, 0, f);
      }
      if (f.reasm === null && f.state !== "ignored") {
        f.app = this.factory.create(f);
        f.reasm = new Reassembler(f.app, this.opts);
      }
      if (f.state === "ignored") return;
    }
    f.reasm!.segment(dir, frame, time, pkt.seq, pkt.ack, flags, pkt.buf, pkt.payloadStart, pkt.capturedPayload, pkt.payloadLen);
    if (flags & TCP_RST) f.reset = true;
    if (flags & TCP_FIN) f.closedFin[dir] = true;
    if (f.reset || (f.closedFin[0] && f.closedFin[1])) this.end(f, false);
  }

  /** The lowest stream index of a connection still being followed (Infinity: none). */
  lowestOpen(): number {
    const q = this.openOrder;
    let drop = 0;
    while (drop < q.length && q[drop].state !== "followed") drop++;
    if (drop > 0) q.splice(0, drop);
    return q.length > 0 ? q[0].index : Infinity;
  }

  /** End of capture: finish every open connection, in stream order. */
  finishAll(): void {
    const all = [...this.flows.values()];
    for (const f of this.flows4.values()) all.push(f);
    const open = all.filter((f) => f.state === "followed" || f.state === "undecided");
    open.sort((a, b) => a.index - b.index);
    for (const f of open) this.end(f);
  }

  private end(f: Flow, flush = true): void {
    if (f.state === "followed") this.open--;
    if (f.state === "followed" || f.state === "undecided") {
      if (flush && f.reasm) {
        f.reasm.flush(0, f.lastFrame, f.lastTime, "the end of the capture");
        f.reasm.flush(1, f.lastFrame, f.lastTime, "the end of the capture");
      }
      if (f.app && f.state === "followed") f.app.finish();
    }
    f.state = "finished";
    f.reasm = null;
    f.app = null;
  }

  private dirOf(f: Flow, pkt: TcpPacket): 0 | 1 {
    if (f.initPort >= 0) return pkt.srcPort === f.initPort && pkt.srcIp4() === f.initIp ? 0 : 1;
    return pkt.srcKey === f.initKey ? 0 : 1;
  }

  private otherKey(key: string, srcKey: string): string {
    return key.startsWith(srcKey) ? key.slice(srcKey.length) : key.slice(0, key.length - srcKey.length);
  }
}
