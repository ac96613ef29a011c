/**
 * One capture file analysed on several cores (issue #25). The main thread reads the records,
 * decodes link, IP and TCP headers, keeps the connection table and numbers connections as
 * Wireshark's tcp.stream, exactly as the single-thread path (src/analyze.ts) does; each followed
 * connection goes, whole, to one shard: a worker thread (its segments in batches of records,
 * src/parallel/wire.ts) or the main thread's own (its segments straight to its Reassembler, see
 * PickRule). Each shard reassembles, dissects, judges and prepares its sessions' output (the
 * format's `prepare`, and `pack` where the format has it); the main thread writes the outputs in
 * the order the single-thread path writes them.
 *
 * What needs the whole capture stays on the main thread:
 * - the order sessions are written in: the main thread logs, as it reads, every connection end
 *   and the lowest open connection after each packet that changed it, and replays the
 *   single-thread path's hold-and-release (MAX_WAITING included) over that log once the workers
 *   say which ends gave a session;
 * - what rules know of earlier sessions (EarlierSessions: the first earlier session to a server
 *   that was offered STARTTLS): a worker tells, before judging, each session's server, whether it
 *   offers STARTTLS and whether a rule may ask; the main thread, which takes the ends in the
 *   order they happened, answers;
 * - the capture's clock: a worker is told, with each connection end, whether the clock then has
 *   fine (sub-µs) times or never will; sessions that end while it is not known yet (a pcapng
 *   with microsecond times so far) are prepared when they are written, as in the single-thread path;
 * - file statistics, problems, damage and truncation: the read and the connection table are the
 *   main thread's; the workers' counters of skipped connections are added at the end.
 */
import { Worker } from "node:worker_threads";
import { readFileSync } from "node:fs";
import { DEFAULT_ANALYZE, MAX_WAITING, diagnose, pushEndWarnings, displayPath, type AnalyzeOptions, type FileStats, type FileSummary } from "../analyze.js";
import { Clock } from "../capture/clock.js";
import { isSupportedLinkType } from "../capture/link.js";
import { readCapture } from "../capture/source.js";
import { offsetText } from "../capture/types.js";
import { TcpPacket } from "../tcp/decode.js";
import { DEFAULT_TRACKER, FlowTracker, type Flow, type FlowApp } from "../tcp/flows.js";
import type { Reassembler } from "../tcp/reassembly.js";
import { SmtpFlowFactory } from "../smtp/detect.js";
import { DSB_TLS_KEY_LOG, loadKeyLogFiles } from "../tls/keylog.js";
import { fileWorker, type Shard, type ShardMessage } from "./worker.js";
import type { Held, WorkerMessage, WorkerRing, WorkerSetup } from "./wire.js";
import {
  B_COARSE, B_FIN0, B_FIN1, B_FINE, B_RESET, B_SAW_SYN, BatchWriter, OP_DAMAGE, SLOT_FREE, SLOT_FULL, OP_FACTS, OP_FINISH, OP_FLUSH, OP_OPEN, OP_SECRETS, OP_SEG,
  SEG_HEAD, align, textRecord, textRecordSize,
} from "./wire.js";




export interface ParallelOptions {
  /** threads that analyse: the main thread and jobs - 1 workers */
  jobs: number;
  /** the worker entry (src/cli/analyze-worker.ts as built) */
  workerUrl: URL;
  /** bytes per batch (default BATCH_BYTES) */
  batchBytes?: number;
  /** how connections are spread over the shards (default "load") */
  pick?: PickRule;
}

export type { Held, WorkerMessage, WorkerRing, WorkerSetup };

/** A batch of this size goes to its worker. */
export const BATCH_BYTES = 256 * 1024;
/** batch slots per worker: the batches a worker may have queued before the reader waits (memory stays bounded when the workers are slower than the reading) */
const SLOTS = 8;
/** after this many bytes routed, batches that hold a connection end are sent even if not full */
const END_FLUSH_BYTES = 1 << 20;

/**
 * Which shard a new connection goes to. "load" (the default): a worker whose queue of batches is
 * short (less than BACKLOG_SLOTS full slots: it keeps up), else the main thread's own shard. The
 * main thread thus analyses what the workers cannot take: while it does, it reads nothing and the
 * workers catch up; when they keep up, it only reads and routes. "even": the shard with the fewest
 * connections (tests: every shard gets connections, whatever the speeds).
 */
export type PickRule = "load" | "even";

/** a worker with fewer full slots than this gets the next connection */
const BACKLOG_SLOTS = 2;

/** An entry of the log the main thread writes as it reads. */
type LogEntry =
  | { k: "end"; stream: number; w: number; settled: boolean }
  | { k: "release"; low: number; fine: boolean }
  | { k: "finish"; fine: boolean };

interface Waiting {
  tcpStream: number;
  w: number;
  settled: boolean;
}

/**
 * The worker threads, kept from one file to the next (`analyze -j N` on several large files; the
 * tests' many small ones): a worker starts at the cost of loading the analysis code, ~50 ms.
 * Each has its ring of batch slots. Workers keep the process alive only while a file is analysed.
 */
class Pool {
  readonly workers: Worker[] = [];
  readonly rings: SharedArrayBuffer[] = [];
  readonly states: Int32Array[] = [];
  /** per worker: the slot being filled */
  readonly cur: number[] = [];
  /** the file being analysed: where the workers' messages and errors go */
  onMessage: (m: WorkerMessage) => void = () => undefined;
  onError: (e: Error) => void = () => undefined;

  constructor(readonly url: string, readonly n: number, readonly slotBytes: number) {
    for (let id = 0; id < n; id++) {
      const ring = new SharedArrayBuffer(SLOTS * slotBytes);
      const state = new SharedArrayBuffer(4 * (SLOTS + 1));
      this.rings.push(ring);
      this.states.push(new Int32Array(state));
      this.cur.push(0);
      const w = new Worker(new URL(url), { workerData: { ring, state, slotBytes } satisfies WorkerRing });
      w.on("message", (m: WorkerMessage) => this.onMessage(m));
      w.on("error", (err) => this.onError(err));
      w.unref();
      this.workers.push(w);
    }
  }
}

let pool: Pool | null = null;

function poolFor(url: URL, n: number, slotBytes: number): Pool {
  if (pool !== null && pool.url === url.href && pool.n === n && pool.slotBytes === slotBytes && pool.states.every((s) => s[SLOTS] === 0)) return pool;
  closeParallel();
  return (pool = new Pool(url.href, n, slotBytes));
}

/** Ends the worker threads (they do not keep the process alive between files anyway). */
export function closeParallel(): void {
  if (pool === null) return;
  for (const w of pool.workers) void w.terminate();
  pool = null;
}


/** A promise with its resolver. */
class Later<T> {
  promise: Promise<T>;
  resolve!: (v: T) => void;
  reject!: (e: Error) => void;
  constructor() {
    this.promise = new Promise((r, j) => {
      this.resolve = r;
      this.reject = j;
    });
    this.promise.catch(() => undefined);
  }
}

/** The main thread's clock, which also tells the exact nanoseconds of the frame being read. */
class TapClock extends Clock {
  frame = -1;
  ns = -1;
  override record(frame: number, t: number, ns: number): void {
    super.record(frame, t, ns);
    this.frame = frame;
    this.ns = ns;
  }
}

/**
 * analyzeStreamPrepared() on `jobs` worker threads for a reporter's driver: the workers make each
 * session's `Held` output; `write` gets them in the single-thread path's order with their index.
 */
export async function analyzeParallel(path: string, options: Partial<AnalyzeOptions>, setup: Omit<WorkerSetup, "opts">,
  write: (held: Held, index: number) => void, par: ParallelOptions): Promise<FileSummary> {
  const opts: AnalyzeOptions = { ...DEFAULT_ANALYZE, ...options };
  // shards 0 … n - 2 are worker threads, shard n - 1 (L) the main thread's own
  const n = Math.max(1, par.jobs);
  const L = n - 1;
  const slotBytes = par.batchBytes ?? BATCH_BYTES;
  const pl = poolFor(par.workerUrl, n - 1, slotBytes);
  const { workers, rings, states, cur } = pl;
  const batches: BatchWriter[] = [];
  const routed: number[] = [];
  let failure: Error | null = null;
  let failNow!: (e: Error) => void;
  const failed = new Promise<never>((_, reject) => (failNow = reject));
  failed.catch(() => undefined);
  const fail = { promise: failed };
  // what the writer awaits now: failed at once when the file fails. (Each await raced against one
  // promise that never settles left a reaction on it: at 1 GB, 40 MB of them on the main thread.)
  const awaiting = new Set<Later<unknown>>();
  const wait = async <T>(l: Later<T>): Promise<T> => {
    if (failure !== null) throw failure;
    awaiting.add(l as Later<unknown>);
    try {
      return await l.promise;
    } finally {
      awaiting.delete(l as Later<unknown>);
    }
  };
  const stop = (e: Error): void => {
    failure ??= e;
    failNow(failure);
    for (const l of awaiting) l.reject(failure);
  };
  // per tcp.stream: what the worker says when the connection ended, and its prepared output
  const ends = new Map<number, Later<Extract<WorkerMessage, { k: "end" }>>>();
  const helds = new Map<number, Later<Held>>();
  const later = <T>(m: Map<number, Later<T>>, s: number): Later<T> => {
    let l = m.get(s);
    if (l === undefined) m.set(s, (l = new Later<T>()));
    return l;
  };
  const stats = new Later<Extract<WorkerMessage, { k: "stats" }>[]>();
  const got: Extract<WorkerMessage, { k: "stats" }>[] = [];
  const onMessage = (m: WorkerMessage) => {
    if (m.k === "end") later(ends, m.stream).resolve(m);
    else if (m.k === "held") later(helds, m.stream).resolve(m.held);
    else if (m.k === "stats") {
      got.push(m);
      if (got.length === n) stats.resolve(got);
    } else stop(new Error(m.message));
  };
  pl.onMessage = onMessage;
  pl.onError = (err) => stop(err);
  for (let id = 0; id < L; id++) {
    workers[id].ref();
    workers[id].postMessage({ k: "file", setup: { ...setup, opts } satisfies WorkerSetup });
    batches.push(new BatchWriter(rings[id], cur[id] * slotBytes, slotBytes));
    routed.push(0);
  }
  // the main thread's shard: its batches are read as soon as they are full, in a buffer of their own
  // its connections are the tracker's own Flows, their segments go straight to its Reassemblers, its sessions have this clock
  const clock = new TapClock();
  const local: Shard = await fileWorker(onMessage, { ...setup, opts }, clock);
  const localBuf = new ArrayBuffer(slotBytes);
  const localBytes = Buffer.from(localBuf);
  batches.push(new BatchWriter(localBuf, 0, slotBytes));
  routed.push(0);
  /** a batch (or a message) for the main thread's shard: read now (a failure stops the file as a worker's does) */
  const atHome = (f: () => void): void => {
    try {
      f();
    } catch (err) {
      stop(err as Error);
      throw err;
    }
  };
  const toShard = (w: number, m: ShardMessage): void => {
    if (w === L) atHome(() => local.handle(m));
    else workers[w].postMessage(m);
  };

  const send = (w: number): void => {
    const b = batches[w];
    if (b.pos === 0) return;
    if (w === L) {
      atHome(() => local.batch(localBytes, b.view, b.bytes, 0, b.pos));
      b.pos = 0;
      b.hasFinish = false;
      return;
    }
    const st = states[w];
    const slot = cur[w];
    Atomics.store(st, slot, SLOT_FULL);
    workers[w].postMessage(slot * (slotBytes + 1) + b.pos);
    // the next slot, once the worker is done with it: the reader waits (the thread blocks) while
    // the worker has SLOTS batches queued. The worker empties slots in order, so when the next one
    // is full they all are; the reader then waits until half of them are free, not for each one:
    // woken per slot, it filled one batch and blocked again, a wake-up (and a context switch on
    // both threads) every 256 KB.
    const next = (slot + 1) % SLOTS;
    const until = Atomics.load(st, next) === SLOT_FREE ? next : (next + SLOTS / 2 - 1) % SLOTS;
    for (let spins = 0; Atomics.load(st, until) !== SLOT_FREE; spins++) {
      if (st[SLOTS] !== 0) throw failure ?? new Error("an analysis worker stopped");
      if (spins > 3000) throw new Error("an analysis worker does not answer");
      Atomics.wait(st, until, SLOT_FULL, 200);
    }
    cur[w] = next;
    batches[w] = new BatchWriter(rings[w], next * slotBytes, slotBytes);
  };
  let sinceEndFlush = 0;
  /** a record larger than a slot goes alone, in a buffer of its own (transferred) */
  let big: { w: number; b: BatchWriter; buf: ArrayBuffer } | null = null;
  const room = (w: number, len: number): BatchWriter => {
    if (len > slotBytes) {
      send(w);
      const buf = new ArrayBuffer(len);
      big = { w, b: new BatchWriter(buf, 0, len), buf };
      return big.b;
    }
    const b = batches[w];
    if (!b.fits(len)) {
      send(w);
      return batches[w];
    }
    return b;
  };
  /** after a record is written: a record larger than a slot is sent now */
  const written = (): void => {
    if (big === null) return;
    const { w, b, buf } = big;
    big = null;
    toShard(w, { k: "big", buf: buf.slice(0, b.pos) });
  };
  const text = (w: number, op: number, num: number, t: string): void => {
    textRecord(room(w, textRecordSize(t)), op, num, t);
    written();
    if (w === L) send(L); // before the next segment (secrets, damage)
  };
  const broadcast = (op: number, num: number, t: string): void => {
    for (let w = 0; w < n; w++) text(w, op, num, t);
  };

  // the log replayed by the writer (below), and the clock's state
  const log: LogEntry[] = [];
  let logWake: Later<void> | null = null;
  const pushLog = (e: LogEntry): void => {
    log.push(e);
    if (logWake !== null) {
      const l = logWake;
      logWake = null;
      l.resolve();
    }
  };
  // connections: worker and the facts last sent
  interface Route { w: number; syn: unknown; synAck: unknown; firstData: unknown }
  const routes = new Map<number, Route>();
  let changed = false;

  const bitsOf = (f: Flow): number => (f.sawSyn ? B_SAW_SYN : 0) | (f.fin0 ? B_FIN0 : 0) | (f.fin1 ? B_FIN1 : 0) | (f.reset ? B_RESET : 0);
  const facts = (f: Flow, r: Route): void => {
    if (r.w === L) return;
    if (r.syn === f.syn && r.synAck === f.synAck && r.firstData === f.firstData) return;
    r.syn = f.syn;
    r.synAck = f.synAck;
    r.firstData = f.firstData;
    text(r.w, OP_FACTS, f.index, JSON.stringify({ syn: f.syn, synAck: f.synAck, firstData: f.firstData }));
  };
  const backlog = (w: number): number => {
    let full = 0;
    for (let k = 0; k < SLOTS; k++) if (Atomics.load(states[w], k) === SLOT_FULL) full++;
    return full;
  };
  const even = par.pick === "even";
  const pick = (): number => {
    let best = even ? L : -1;
    let least = Infinity;
    for (let w = 0; w < L; w++) {
      if (even) {
        if (routed[w] < routed[best]) best = w;
        continue;
      }
      const b = backlog(w);
      if (b < least) [best, least] = [w, b];
    }
    return best >= 0 && (even || least < BACKLOG_SLOTS) ? best : L;
  };
  const open = (f: Flow): Route => {
    const w = pick();
    const r: Route = { w, syn: f.syn, synAck: f.synAck, firstData: f.firstData };
    routes.set(f.index, r);
    changed = true;
    routed[w]++;
    if (w === L) return r;
    text(w, OP_OPEN, f.index, JSON.stringify({
      index: f.index, initPort: f.initPort, respPort: f.respPort, initIp: f.initIp, respIp: f.respIp, v6: f.v6, initKey: f.initKey,
      firstFrame: f.firstFrame, firstTime: f.firstTime, firstSeq0: f.firstSeq0, firstSeq1: f.firstSeq1, sawSyn: f.sawSyn, fin0: f.fin0, fin1: f.fin1,
      reset: f.reset, lastFrame: f.lastFrame, lastTime: f.lastTime, serverDir: f.serverDir, tag: f.tag, syn: f.syn, synAck: f.synAck, firstData: f.firstData,
    }));
    return r;
  };
  const finish = (f: Flow): void => {
    const r = routes.get(f.index)!;
    routes.delete(f.index);
    facts(f, r);
    const settled = clock.coarse || clock.fine;
    const bits = bitsOf(f) | (clock.coarse ? B_COARSE : 0) | (clock.fine ? B_FINE : 0);
    if (r.w === L) atHome(() => local.end(f.index, bits));
    else {
      text(r.w, OP_FINISH, f.index, JSON.stringify([bits, f.lastFrame, f.lastTime]));
      batches[r.w].hasFinish = true;
    }
    changed = true;
    pushLog({ k: "end", stream: f.index, w: r.w, settled });
  };
  /** a router in the place of the connection's Reassembler */
  const router = (f: Flow): Reassembler => {
    const r = open(f);
    if (r.w === L) return local.follow(f);
    return {
      segment(dir: 0 | 1, frame: number, time: number, seq: number, ack: number, flags: number, buf: Buffer, start: number, captured: number, wireLen: number, window = -1, ttl = -1): void {
        facts(f, r);
        const w = r.w;
        const len = SEG_HEAD + align(captured);
        const b = room(w, len);
        const v = b.view, p = b.pos;
        v.setUint8(p, OP_SEG);
        v.setUint8(p + 1, dir);
        v.setUint8(p + 2, bitsOf(f));
        v.setUint32(p + 4, f.index, true);
        v.setUint32(p + 8, frame, true);
        v.setUint32(p + 12, f.lastFrame, true);
        v.setFloat64(p + 16, time, true);
        v.setFloat64(p + 24, f.lastTime, true);
        v.setUint32(p + 32, seq >>> 0, true);
        v.setUint32(p + 36, ack >>> 0, true);
        v.setUint32(p + 40, flags, true);
        v.setInt32(p + 44, window, true);
        v.setInt32(p + 48, ttl, true);
        let ns = -1;
        if (clock.fine) ns = frame === clock.frame ? clock.ns : clock.exact(time, frame)?.ns ?? -1;
        v.setInt32(p + 52, ns, true);
        v.setUint32(p + 56, captured, true);
        v.setUint32(p + 60, wireLen, true);
        if (captured > 0) b.bytes.set(buf.subarray(start, start + captured), p + SEG_HEAD);
        b.pos = p + len;
        written();
        sinceEndFlush += len;
        if (sinceEndFlush >= END_FLUSH_BYTES) {
          sinceEndFlush = 0;
          for (let k = 0; k < n; k++) if (batches[k].hasFinish) send(k);
        }
      },
      flush(dir: 0 | 1, frame: number, time: number, why: string): void {
        text(r.w, OP_FLUSH, f.index, JSON.stringify([dir, frame, time, why]));
      },
    } as unknown as Reassembler;
  };

  // the main thread's connection table: the real SMTP detection, with routers for reassemblers
  const factory = new SmtpFlowFactory(opts.ports, () => undefined);
  const stubApp = (f: Flow): FlowApp => ({ data() {}, gap() {}, ack() {}, close() {}, finish: () => finish(f) });
  const tracker = new FlowTracker({
    classify: (f, pkt, dir) => factory.classify(f, pkt, dir),
    abandoned: (f) => factory.abandoned(f),
    create: stubApp,
  }, { ...DEFAULT_TRACKER, maxOutOfOrderBytes: opts.maxOutOfOrderBytes, maxOpenFlows: opts.maxOpenFlows, segments: router });

  // the writer: replays the single-thread path's hold-and-release over the log
  let emitted = 0;
  let overtaken = 0;
  const outputs: { index: number; held: Later<Held> }[] = [];
  let outputWake: Later<void> | null = null;
  const offered = new Map<string, number>();
  const waiting: Waiting[] = [];
  const emit = (e: Waiting, fine: boolean): void => {
    const index = emitted++;
    const l = later(helds, e.tcpStream);
    if (!e.settled) toShard(e.w, { k: "prepare", stream: e.tcpStream, index, bound: fine });
    outputs.push({ index, held: l });
    if (outputWake !== null) {
      const o = outputWake;
      outputWake = null;
      o.resolve();
    }
  };
  const release = (low: number, fine: boolean): void => {
    let i = 0;
    while (i < waiting.length && waiting[i].tcpStream < low) emit(waiting[i++], fine);
    while (waiting.length - i > MAX_WAITING) {
      emit(waiting[i++], fine);
      overtaken++;
    }
    if (i > 0) waiting.splice(0, i);
  };
  let logDone = false;
  const replay = (async () => {
    for (let at = 0; ; at++) {
      while (at >= log.length) {
        logWake = new Later<void>();
        await wait(logWake);
      }
      const e = log[at];
      log[at] = undefined as unknown as LogEntry;
      if (e.k === "end") {
        const l = later(ends, e.stream);
        const m = await wait(l);
        ends.delete(e.stream);
        if (!m.session) continue;
        if (m.ask) toShard(e.w, { k: "answer", stream: e.stream, offered: offered.get(m.server) ?? null });
        if (m.offers && !offered.has(m.server)) offered.set(m.server, e.stream);
        let i = waiting.length;
        while (i > 0 && waiting[i - 1].tcpStream > e.stream) i--;
        waiting.splice(i, 0, { tcpStream: e.stream, w: e.w, settled: e.settled });
      } else if (e.k === "release") {
        if (waiting.length > 0) release(e.low, e.fine);
      } else {
        for (const x of waiting) emit(x, e.fine);
        waiting.length = 0;
        logDone = true;
        (outputWake as Later<void> | null)?.resolve();
        return;
      }
    }
  })();
  const writing = (async () => {
    for (let at = 0; ; at++) {
      while (at >= outputs.length) {
        if (logDone) return;
        outputWake = new Later<void>();
        await wait(outputWake);
      }
      const o = outputs[at];
      const held = await wait(o.held);
      helds.delete(held.tcpStream);
      outputs[at] = undefined as unknown as (typeof outputs)[number];
      write(held, o.index);
    }
  })();
  replay.catch(() => undefined);
  writing.catch(() => undefined);

  // TLS keys: the main thread loads the --tls-keylog files for their problems; each worker loads them too
  const keyProblems: string[] = [];
  loadKeyLogFiles(opts.tlsKeylogs, (f) => readFileSync(f, "latin1"), keyProblems);
  const onSecrets = (type: number, data: Buffer) => {
    if (type !== DSB_TLS_KEY_LOG) return;
    broadcast(OP_SECRETS, type, data.toString("latin1"));
  };
  const pkt = new TcpPacket();
  const fstats: FileStats = { frames: 0, tcpPackets: 0, tcpConnections: 0, nonTcp: 0, ipFragments: 0, malformed: 0, connectionsWithoutPayload: 0, notSmtp: 0 };
  const unsupported = new Map<number, number>();
  let firstTime = Infinity;
  let lastTime = -Infinity;
  let lastTimed = 0;
  let read;
  try {
    read = await readCapture(path, (frame, time, linkType, data, start, capLen) => {
      if (time !== time) time = lastTimed;
      else {
        lastTimed = time;
        if (time < firstTime) firstTime = time;
        if (time > lastTime) lastTime = time;
      }
      const kind = pkt.decode(linkType, data, start, capLen);
      if (kind === "tcp") {
        tracker.packet(pkt, frame, time);
        if (changed) {
          changed = false;
          pushLog({ k: "release", low: tracker.lowestOpen(), fine: clock.fine });
        }
      } else if (kind === "frag") fstats.ipFragments++;
      else if (kind === "short") fstats.malformed++;
      else {
        fstats.nonTcp++;
        if (!isSupportedLinkType(linkType)) unsupported.set(linkType, (unsupported.get(linkType) ?? 0) + 1);
      }
    }, clock, onSecrets);
    if (failure !== null) throw failure;
    for (const p of keyProblems) read.problems.push({ level: "warning", offset: 0, message: p });
    const hurt = read.problems.find((p) => p.level === "error" || /truncated|corrupt|incomplete/i.test(p.message));
    if (hurt) broadcast(OP_DAMAGE, 0, `the capture file is damaged or cut at ${offsetText(hurt.offset, read.gzip)}: the session may continue beyond what was read`);
    tracker.finishAll();
    pushLog({ k: "finish", fine: clock.fine });
    for (let w = 0; w < n; w++) send(w);
    for (const w of workers) w.postMessage({ k: "done" });
    toShard(L, { k: "done" });
    await Promise.race([Promise.all([replay, writing]), fail.promise]);
    const all = await Promise.race([stats.promise, fail.promise]);
    if (failure !== null) throw failure;
    for (const s of all) {
      fstats.connectionsWithoutPayload += s.connectionsWithoutPayload;
      fstats.notSmtp += s.notSmtp;
    }
  } catch (err) {
    closeParallel(); // a worker may be in any state now
    throw err;
  } finally {
    pl.onMessage = () => undefined;
    pl.onError = () => undefined;
    for (const w of workers) w.unref();
  }
  if (failure !== null) throw failure;
  // for tests and benchmarks: how the connections were spread
  if (process.env.SMTPCAP_PARALLEL_TRACE) process.stderr.write(`smtpcap: trace: connections per shard: ${routed.map((c, w) => `${w === L ? "main thread" : `worker ${w + 1}`} ${c}`).join(", ")}\n`);
  fstats.frames = read.frames;
  fstats.tcpPackets = tracker.stats.tcpPackets;
  fstats.tcpConnections = tracker.stats.connections;
  fstats.connectionsWithoutPayload += factory.stats.connectionsWithoutPayload;
  fstats.notSmtp += factory.stats.notSmtp;
  pushEndWarnings(read.problems, overtaken, tracker.stats, opts.maxOpenFlows);
  return {
    file: displayPath(path),
    format: read.format,
    gzip: read.gzip,
    packets: read.frames,
    bytes: read.bytes,
    stats: fstats,
    sessionCount: emitted,
    problems: read.problems,
    ...(emitted === 0 && read.frames > 0 ? { diagnosis: diagnose(fstats, unsupported, factory.stats.smtpLikePorts) } : {}),
    firstTime: firstTime <= lastTime ? firstTime : null,
    lastTime: firstTime <= lastTime ? lastTime : null,
    ...(clock.fine ? { clock: clock as Clock } : {}),
  };
}
