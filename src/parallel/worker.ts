/**
 * An analysis worker (see router.ts): rebuilds each connection routed to it as the main thread's
 * Flow knew it, reassembles, dissects and judges its session, and prepares its output with the
 * file's reporter. Answers the main thread in the order connections ended.
 */
import { readFileSync } from "node:fs";
import type { MessagePort } from "node:worker_threads";
import { bindClock, Clock } from "../capture/clock.js";
import { DEFAULT_ANALYZE, smtpFlowFactory, type AnalyzeOptions } from "../analyze.js";
import { DEFAULT_TRACKER, Flow, type FlowApp } from "../tcp/flows.js";
import { Reassembler } from "../tcp/reassembly.js";
import type { Session } from "../smtp/model.js";
import { ehloLines } from "../smtp/vocabulary.js";
import { DSB_TLS_KEY_LOG, KeyLog, loadKeyLogFiles } from "../tls/keylog.js";
import { Judge, offersStartTls, type JudgedSession } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import { loadFormat } from "../report/formats.js";
import type { FileReporter } from "../report/reporter.js";
import type { Held, WorkerMessage, WorkerRing, WorkerSetup } from "./wire.js";
import {
  B_COARSE, B_FIN0, B_FIN1, B_FINE, B_RESET, B_SAW_SYN, OP_DAMAGE, OP_FACTS, OP_FINISH, OP_FLUSH, OP_OPEN, OP_SECRETS, OP_SEG, SEG_HEAD, SLOT_FREE, align, readText,
} from "./wire.js";

interface Open {
  flow: Flow;
  app: FlowApp;
  reasm: Reassembler;
}

/** A session waiting for the main thread: for what earlier sessions tell (`ask`), or to be prepared when written (`judged`). */
interface Pending {
  session: Session | null;
  judged: { session: JudgedSession; findings: Finding[] } | null;
  settled: boolean;
  fine: boolean;
}

/**
 * Whether a rule may ask what earlier sessions to the same server were offered
 * (starttls-unavailable-or-stripped asks when an EHLO before STARTTLS got a complete 250 reply
 * without STARTTLS): a superset of when it asks. Most sessions are offered STARTTLS, or say
 * HELO: they are judged at once, while their model is young.
 */
function mayAsk(s: Session): boolean {
  for (const c of s.commands) {
    if (c.kind !== "command" || c.verb !== "EHLO" || c.afterStartTls || c.replies.length === 0) continue;
    const r = s.replies[c.replies[0]];
    if (r !== undefined && r.complete && r.code === 250 && !ehloLines(r).some((k) => k.startsWith("STARTTLS"))) return true;
  }
  return false;
}

type Message = number | { k: "file"; setup: WorkerSetup } | { k: "big"; buf: ArrayBuffer } | { k: "answer"; stream: number; offered: number | null }
  | { k: "prepare"; stream: number; index: number; bound: boolean } | { k: "done" };

/** The worker's life: files one after the other, each announced by a "file" message. */
export function runWorker(port: MessagePort, ring: WorkerRing): void {
  const state = new Int32Array(ring.state);
  const slots = state.length - 1;
  const queue: Message[] = [];
  let pumping = false;
  let handle: ((m: number | ShardMessage) => void) | null = null;
  const fail = (err: unknown): void => {
    Atomics.store(state, slots, 1);
    for (let k = 0; k < slots; k++) Atomics.notify(state, k);
    port.postMessage({ k: "error", message: `analysis worker: ${(err as Error).stack ?? String(err)}` } satisfies WorkerMessage);
  };
  const post = (m: WorkerMessage, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);
  // messages in order; a new file's reporter is loaded (asynchronously) before its batches are read
  const pump = async (): Promise<void> => {
    pumping = true;
    try {
      for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
        if (typeof m === "object" && m.k === "file") handle = ringReader(await fileWorker(post, m.setup), ring);
        else handle!(m);
      }
    } catch (err) {
      fail(err);
    }
    pumping = false;
  };
  port.on("message", (m: Message) => {
    queue.push(m);
    if (!pumping) void pump();
  });
}

/** A worker's handler of the main thread's messages: full slots of its ring are read in place, then freed. */
function ringReader(shard: Shard, ring: WorkerRing): (m: number | ShardMessage) => void {
  const state = new Int32Array(ring.state);
  const slotBytes = ring.slotBytes;
  const ringBuf = Buffer.from(ring.ring);
  const ringView = new DataView(ring.ring);
  const ringBytes = new Uint8Array(ring.ring);
  return (m: number | ShardMessage): void => {
    if (typeof m !== "number") return shard.handle(m);
    // a full slot of the ring, as slot × (slotBytes + 1) + the bytes it holds
    const slot = Math.floor(m / (slotBytes + 1));
    const start = slot * slotBytes;
    shard.batch(ringBuf, ringView, ringBytes, start, start + m - slot * (slotBytes + 1));
    Atomics.store(state, slot, SLOT_FREE);
    Atomics.notify(state, slot);
  };
}

/** The messages of the main thread to a shard, but the ring's slots. */
export type ShardMessage = Exclude<Message, number | { k: "file" }>;

/**
 * One file's connections of one shard: on a worker thread, or on the main thread itself (which
 * then analyses a share of the connections as a worker would, src/parallel/router.ts). `batch`
 * reads the records in [p, end) of a batch (buf, view and bytes: the same memory) and keeps
 * nothing of it once it returns; `handle` takes the other messages. Answers go to `post`.
 */
export interface Shard {
  batch(buf: Buffer, view: DataView, bytes: Uint8Array, p: number, end: number): void;
  handle(m: ShardMessage): void;
  /** the main thread's shard: its connections are its own Flows, their segments go to the Reassembler returned, not through records */
  follow(flow: Flow): Reassembler;
  /** the main thread's shard: the connection ended (its OP_FINISH bits) */
  end(stream: number, bits: number): void;
}

/** `home`: the shard is the main thread's, with the main thread's clock (no OP_SEG records come) */
export async function fileWorker(post: (m: WorkerMessage, transfer?: ArrayBuffer[]) => void, setup: WorkerSetup, home: Clock | null = null): Promise<Shard> {
  const opts: AnalyzeOptions = { ...DEFAULT_ANALYZE, ...setup.opts };
  const format = await loadFormat(setup.format);
  const fr = format.file(setup.file, setup.n, () => undefined, setup.ctx) as FileReporter<unknown>;
  const sel = setup.select;
  const streams = new Set(sel?.streams ?? []);
  const mayPick = (tcpStream: number): boolean => !sel || !sel.active || streams.has(tcpStream) || sel.sessions;
  const prepare = (s: JudgedSession, fs: Finding[]): Held => {
    const severities: Finding["severity"][] = [];
    for (const f of fs) severities.push(f.severity);
    const shown = sel === null || (mayPick(s.tcpStream) && (!sel.onlyFindings || fs.length > 0));
    return { tcpStream: s.tcpStream, severities, body: shown ? pack(fr.prepare(s, fs)) : null };
  };
  // a prepared session's bytes are transferred, not copied
  const pack = format.pack ?? ((p: unknown) => p);
  const postHeld = (stream: number, held: Held): void => {
    const transfer: ArrayBuffer[] = [];
    if (held.body !== null && typeof held.body === "object") for (const v of Object.values(held.body)) if (v instanceof Uint8Array) transfer.push(v.buffer as ArrayBuffer);
    post({ k: "held", stream, held }, transfer);
  };

  const clock = home ?? new Clock();
  let answer: number | null = null;
  const judge = new Judge(opts, { offeredStartTls: () => answer });
  let damage: string | null = null;
  let keys: KeyLog | null = loadKeyLogFiles(opts.tlsKeylogs, (f) => readFileSync(f, "latin1"), []);
  const open = new Map<number, Open>();
  const pending = new Map<number, Pending>();
  // the connection ending now: its clock bits, and whether its app gave a session
  let endBits = 0;
  let gave = false;

  const finishSession = (p: Pending, stream: number): void => {
    const j = judge.judge(p.session!);
    p.session = null;
    if (p.settled) {
      if (p.fine) {
        bindClock(j.session, clock);
        for (const f of j.findings) bindClock(f, clock);
      }
      pending.delete(stream);
      postHeld(stream, prepare(j.session, j.findings));
    } else p.judged = j;
  };
  const onSession = (s: Session): void => {
    gave = true;
    if (damage !== null) s.limits.push({ kind: "file-damaged", frame: s.lastFrame, text: damage });
    const ask = mayAsk(s);
    post({ k: "end", stream: s.tcpStream, session: true, server: s.server, offers: offersStartTls(s), ask });
    const p: Pending = { session: s, judged: null, settled: (endBits & (B_COARSE | B_FINE)) !== 0, fine: (endBits & B_FINE) !== 0 };
    pending.set(s.tcpStream, p);
    if (!ask) {
      answer = null;
      finishSession(p, s.tcpStream);
    }
  };
  const factory = smtpFlowFactory(opts, onSession, () => keys);
  const reasmOpts = { ...DEFAULT_TRACKER, maxOutOfOrderBytes: opts.maxOutOfOrderBytes, maxOpenFlows: opts.maxOpenFlows };
  const follow = (flow: Flow): Reassembler => {
    const app = factory.create(flow);
    const reasm = new Reassembler(app, reasmOpts);
    open.set(flow.index, { flow, app, reasm });
    return reasm;
  };
  const ended = (stream: number, bits: number): void => {
    const o = open.get(stream)!;
    open.delete(stream);
    endBits = bits;
    gave = false;
    o.app.finish();
    if (!gave) post({ k: "end", stream, session: false, server: "", offers: false, ask: false });
  };

  /** The records in [p, end) of a batch (buf, view and bytes: the same memory). */
  const batch = (buf: Buffer, view: DataView, bytes: Uint8Array, p: number, end: number): void => {
    while (p < end) {
      const op = view.getUint8(p);
      if (op === OP_SEG) {
        const stream = view.getUint32(p + 4, true);
        const o = open.get(stream)!;
        const f = o.flow;
        const bits = view.getUint8(p + 2);
        f.sawSyn = (bits & B_SAW_SYN) !== 0;
        f.fin0 = (bits & B_FIN0) !== 0;
        f.fin1 = (bits & B_FIN1) !== 0;
        f.reset = (bits & B_RESET) !== 0;
        const frame = view.getUint32(p + 8, true);
        f.lastFrame = view.getUint32(p + 12, true);
        const time = view.getFloat64(p + 16, true);
        f.lastTime = view.getFloat64(p + 24, true);
        const ns = view.getInt32(p + 52, true);
        if (ns >= 0) clock.record(frame, time, ns);
        const captured = view.getUint32(p + 56, true);
        o.reasm.segment(view.getUint8(p + 1) as 0 | 1, frame, time, view.getUint32(p + 32, true), view.getUint32(p + 36, true), view.getUint32(p + 40, true),
          buf, p + SEG_HEAD, captured, view.getUint32(p + 60, true), view.getInt32(p + 44, true), view.getInt32(p + 48, true));
        p += SEG_HEAD + align(captured);
        continue;
      }
      const r = readText(view, bytes, p);
      p = r.next;
      if (op === OP_OPEN) {
        const flow = Object.assign(Object.create(Flow.prototype) as Flow, JSON.parse(r.text), { state: "followed", early: null, earlyData: null, reasm: null, app: null });
        flow.reasm = follow(flow);
        flow.app = open.get(flow.index)!.app;
      } else if (op === OP_FACTS) {
        Object.assign(open.get(r.n)!.flow, JSON.parse(r.text));
      } else if (op === OP_FLUSH) {
        const [dir, frame, time, why] = JSON.parse(r.text) as [0 | 1, number, number, string];
        open.get(r.n)!.reasm.flush(dir, frame, time, why);
      } else if (op === OP_FINISH) {
        const [bits, lastFrame, lastTime] = JSON.parse(r.text) as [number, number, number];
        const f = open.get(r.n)!.flow;
        f.sawSyn = (bits & B_SAW_SYN) !== 0;
        f.fin0 = (bits & B_FIN0) !== 0;
        f.fin1 = (bits & B_FIN1) !== 0;
        f.reset = (bits & B_RESET) !== 0;
        f.lastFrame = lastFrame;
        f.lastTime = lastTime;
        ended(r.n, bits);
        f.state = "finished";
        f.reasm = null;
        f.app = null;
      } else if (op === OP_SECRETS) {
        if (r.n === DSB_TLS_KEY_LOG) {
          keys ??= new KeyLog();
          keys.add(r.text, "pcapng Decryption Secrets Block");
        }
      } else if (op === OP_DAMAGE) {
        damage = r.text;
      } else throw new Error(`analysis worker: unknown record ${op} at ${p}`);
    }
  };

  const handle = (m: ShardMessage): void => {
    if (m.k === "big") {
      batch(Buffer.from(m.buf), new DataView(m.buf), new Uint8Array(m.buf), 0, m.buf.byteLength);
    } else if (m.k === "answer") {
      const p = pending.get(m.stream)!;
      answer = m.offered;
      finishSession(p, m.stream);
      answer = null;
    } else if (m.k === "prepare") {
      const p = pending.get(m.stream)!;
      pending.delete(m.stream);
      const j = p.judged!;
      j.session.index = m.index;
      if (m.bound) {
        bindClock(j.session, clock);
        for (const f of j.findings) bindClock(f, clock);
      }
      for (const f of j.findings) f.session = m.index;
      postHeld(m.stream, prepare(j.session, j.findings));
    } else if (m.k === "done") {
      post({ k: "stats", connectionsWithoutPayload: factory.stats.connectionsWithoutPayload, notSmtp: factory.stats.notSmtp });
    }
  };
  return { batch, handle, follow, end: ended };
}
