import { plural } from "./text/plural.js";
import { bindClock, Clock } from "./capture/clock.js";
import { followCapture, readCapture, type FollowOptions, type ReadResult } from "./capture/source.js";
import { offsetText, type ReadProblem } from "./capture/types.js";
import { TcpPacket } from "./tcp/decode.js";
import { isSupportedLinkType } from "./capture/link.js";
import { DEFAULT_TRACKER, FlowTracker } from "./tcp/flows.js";
import { SmtpFlowFactory } from "./smtp/detect.js";
import type { Session } from "./smtp/model.js";
import { DEFAULT_DISSECT } from "./smtp/session.js";
import { DEFAULT_RULE_OPTIONS, Judge, type JudgedSession, type RuleOptions } from "./rules/engine.js";
import type { Finding } from "./rules/types.js";
import { readFileSync } from "node:fs";
import { DSB_TLS_KEY_LOG, KeyLog, loadKeyLogFiles } from "./tls/keylog.js";
import { TlsConnection } from "./tls/connection.js";
import { timedTls } from "./tls/describe.js";

export interface AnalyzeOptions extends RuleOptions {
  /** extra ports on which to expect SMTP */
  ports: number[];
  showSecrets: boolean;
  /** keep and show the first 64 KiB of each message */
  showData: boolean;
  maxOutOfOrderBytes: number;
  maxOpenFlows: number;
  /** NSS key log files (--tls-keylog), read for each capture; pcapng Decryption Secrets Blocks are added to them */
  tlsKeylogs: string[];
}

export const DEFAULT_ANALYZE: AnalyzeOptions = {
  ...DEFAULT_RULE_OPTIONS,
  ports: [],
  showSecrets: false,
  showData: false,
  maxOutOfOrderBytes: DEFAULT_TRACKER.maxOutOfOrderBytes,
  maxOpenFlows: DEFAULT_TRACKER.maxOpenFlows,
  tlsKeylogs: [],
};

export interface FileStats {
  frames: number;
  tcpPackets: number;
  tcpConnections: number;
  nonTcp: number;
  ipFragments: number;
  malformed: number;
  /** TCP connections that never carried payload (refused, scanned): counted, not reported */
  connectionsWithoutPayload: number;
  /** connections with a 220 banner whose client did not speak SMTP (FTP and the like): not reported */
  notSmtp: number;
}

/** What is known of a file once it has been read (everything but the sessions). */
export interface FileSummary {
  file: string;
  format: ReadResult["format"];
  gzip: boolean;
  packets: number;
  bytes: number;
  stats: FileStats;
  sessionCount: number;
  problems: ReadProblem[];
  /** capture time (epoch seconds) of the earliest and the latest packet; null when no packet was read */
  firstTime?: number | null;
  lastTime?: number | null;
  /** present when some frames have a resolution finer than 1 µs: their exact times, for reports (report/time.ts isoTime) */
  clock?: Clock;
  /** when no SMTP session was found: why, in one sentence ("no TCP", "unsupported link type 147",
   * "TCP but no SMTP: try --port 8025") */
  diagnosis?: string;
}

/** Everything smtpcap knows about one capture file. */
export interface FileReport extends Omit<FileSummary, "sessionCount"> {
  sessions: JudgedSession[];
  findings: Finding[];
}

/** How a session ended by a live reader's idle limit begins its sentence. */
const SAW_NO_END = "the capture saw no end of this connection within";

/** Seconds of capture time after which a live reader forgets a connection that ended (see FlowTracker.forgetEnded). */
const RETIRED_TTL = 600;

/** Judged sessions held back at most, waiting for an earlier connection to close. */
export const MAX_WAITING = 2000;

/** Receives each judged session, in tcp.stream order, as soon as no earlier connection is still open. */
export type SessionSink = (session: JudgedSession, findings: Finding[]) => void;

/**
 * A sink that turns each session into its output (its report text) as soon as it is judged, and
 * writes the outputs in tcp.stream order once no earlier connection is still open. Sessions
 * judged while an earlier connection is open wait (on replay-200, 150 of them at a time): held
 * as their output rather than as the session model, they take a fraction of the memory, and the
 * model becomes garbage while it is young instead of being promoted by the collector (-5% CPU
 * on replay-200 --format json). `prepare` must not depend on the session's index
 * (`session.index`, `finding.session`): it is known only when `write` is called. Where the
 * capture's clock may still change what a report says (a pcapng not yet known to have only
 * microsecond times), `prepare` runs when the session is written, as SessionSink is called.
 */
export interface PreparedSink<P> {
  prepare(session: JudgedSession, findings: Finding[]): P;
  write(prepared: P, index: number): void;
}

/**
 * Read, reassemble, dissect and judge one capture file as a stream: memory is bounded by the
 * connections open at one time, not by the size of the capture. Never throws for bad input.
 */
export function analyzeStream(path: string, options: Partial<AnalyzeOptions>, sink: SessionSink): Promise<FileSummary> {
  return analyze(path, options, { prepare: (session, findings) => ({ session, findings }), write: (p) => sink(p.session, p.findings) }, false);
}

/** analyzeStream() for a sink that makes each session's output as soon as it is judged (PreparedSink). */
export function analyzeStreamPrepared<P>(path: string, options: Partial<AnalyzeOptions>, sink: PreparedSink<P>, live?: LiveOptions): Promise<FileSummary> {
  return analyze(path, options, sink, true, live);
}

/**
 * Reading a capture as it arrives (`smtpcap watch`): sessions are written in the order their
 * connections end, and a connection silent for `idleSeconds` of capture time is ended.
 */
export interface LiveOptions {
  /** end a connection after this many seconds of capture time without a packet (0: never) */
  idleSeconds: number;
  /** the limit as a session states it: "10 min of capture time (--idle)" */
  idleText: string;
  /** end every open connection when no packet has arrived for this many seconds of wall-clock time (0: never) */
  idleWallSeconds?: number;
  /** that limit as a session states it: "30 s without any packet arriving (--idle-wall)" */
  idleWallText?: string;
  /** counters, after each session and at most once per second of capture time */
  onStats?: (s: LiveStats) => void;
  /** `--follow`: the file is read as it grows, and tcpdump's rotation followed (capture/source.ts followCapture) */
  follow?: FollowOptions;
}

export interface LiveStats {
  packets: number;
  open: number;
  judged: number;
  /** connections ended by the idle limit */
  idleClosed: number;
  /** connections ended to make room (--max-open-flows) */
  evicted: number;
  /** the connection table (see FlowTracker.tableSizes), for SMTPCAP_MEM_TRACE */
  table: () => { ip4: number; ip4Slots: number; ip6: number };
}

/** A judged session waiting for earlier connections to end: the session, or its output once prepared. */
interface Waiting<P> {
  tcpStream: number;
  session: JudgedSession | null;
  findings: Finding[];
  prepared: P | null;
}

async function analyze<P>(path: string, options: Partial<AnalyzeOptions>, sink: PreparedSink<P>, early: boolean, live?: LiveOptions): Promise<FileSummary> {
  const opts: AnalyzeOptions = { ...DEFAULT_ANALYZE, ...options };
  const judge = new Judge(opts);
  // judged sessions waiting for earlier connections to end, sorted by tcp.stream
  const waiting: Waiting<P>[] = [];
  let emitted = 0;
  const clock = new Clock();
  const emit = (w: Waiting<P>) => {
    const index = emitted++;
    const s = w.session;
    if (s === null) return sink.write(w.prepared as P, index);
    s.index = index;
    if (clock.fine) {
      bindClock(s, clock);
      for (const f of w.findings) bindClock(f, clock);
    }
    for (const f of w.findings) f.session = index;
    sink.write(sink.prepare(s, w.findings), index);
  };
  // set once the file is read: sessions still open then may continue beyond a damaged or cut file
  let damage: string | null = null;
  const onSession = (s: Session) => {
    if (damage !== null) s.limits.push({ kind: "file-damaged", frame: s.lastFrame, text: damage });
    const j = judge.judge(s);
    const w: Waiting<P> = { tcpStream: s.tcpStream, session: j.session, findings: j.findings, prepared: null };
    // the output is final now when the clock will not change: no fine-resolution frame can come
    // (microsecond pcap), or they come already (a later frame never changes an earlier frame's exact time)
    if (early && (clock.coarse || clock.fine)) {
      if (clock.fine) {
        bindClock(j.session, clock);
        for (const f of j.findings) bindClock(f, clock);
      }
      w.prepared = sink.prepare(j.session, j.findings);
      w.session = null;
      w.findings = NO_FINDINGS;
    }
    // live: written now, in the order connections end
    if (live) {
      emit(w);
      live.onStats?.(liveStats());
      return;
    }
    let i = waiting.length;
    while (i > 0 && waiting[i - 1].tcpStream > s.tcpStream) i--;
    waiting.splice(i, 0, w);
  };
  // TLS keys: the --tls-keylog files, and pcapng Decryption Secrets Blocks as they are read (before the frames that need them)
  const keyProblems: string[] = [];
  let keys: KeyLog | null = loadKeyLogFiles(opts.tlsKeylogs, (f) => readFileSync(f, "latin1"), keyProblems);
  const onSecrets = (type: number, data: Buffer) => {
    if (type !== DSB_TLS_KEY_LOG) return;
    keys ??= new KeyLog();
    keys.add(data.toString("latin1"), "pcapng Decryption Secrets Block");
  };
  const factory = smtpFlowFactory(opts, onSession, () => keys);
  let idleClosed = 0;
  const table = () => tracker.tableSizes;
  const liveStats = (): LiveStats => ({ packets: stats.frames, open: tracker.openCount, judged: emitted, idleClosed, evicted: tracker.stats.evicted, table });
  // capture time of the last idle sweep
  let swept = -Infinity;
  const tracker = new FlowTracker(factory, {
    ...DEFAULT_TRACKER, maxOutOfOrderBytes: opts.maxOutOfOrderBytes, maxOpenFlows: opts.maxOpenFlows,
    // live: a new connection past the limit makes room by ending the longest-idle one, counted
    ...(live ? { evictIdlest: `smtpcap stopped following this connection, the longest idle, to follow a new one (more than ${opts.maxOpenFlows} open, --max-open-flows): the capture saw no end of it` } : {}),
  });
  let overtaken = 0;
  const release = () => {
    const low = tracker.lowestOpen();
    let n = 0;
    while (n < waiting.length && waiting[n].tcpStream < low) emit(waiting[n++]);
    // a connection that stays open for the whole capture must not make memory grow with it:
    // past MAX_WAITING judged sessions, later ones are written before it
    while (waiting.length - n > MAX_WAITING) {
      emit(waiting[n++]);
      overtaken++;
    }
    if (n > 0) waiting.splice(0, n);
  };
  // --idle-wall: when nothing arrives for that long, every open connection is ended
  let arrived = Date.now();
  let framesSeen = 0;
  const wall = live?.idleWallSeconds ? setInterval(() => {
    // no clock read per frame: a frame arrived since the last tick, then the silence starts now
    if (stats.frames !== framesSeen) {
      framesSeen = stats.frames;
      arrived = Date.now();
      return;
    }
    if (Date.now() - arrived < live.idleWallSeconds! * 1000 || tracker.activeCount === 0) return;
    idleClosed += tracker.expireIdle(Infinity, `${SAW_NO_END} ${live.idleWallText ?? `${live.idleWallSeconds} s of silence`}`);
    live.onStats?.(liveStats());
  }, Math.min(1000, live.idleWallSeconds * 1000)) : null;
  wall?.unref();
  const pkt = new TcpPacket();
  const stats: FileStats = { frames: 0, tcpPackets: 0, tcpConnections: 0, nonTcp: 0, ipFragments: 0, malformed: 0, connectionsWithoutPayload: 0, notSmtp: 0 };
  const unsupported = new Map<number, number>();
  let firstTime = Infinity;
  let lastTime = -Infinity;
  let lastTimed = 0;
  const follow = live?.follow;
  const reader: typeof readCapture = follow ? (p, fs, c, x) => followCapture(p, fs, c, x, follow) : readCapture;
  const read = await reader(path, (frame, time, linkType, data, start, capLen) => {
    // a frame without a time (pcapng simple packet block) takes the previous frame's for the
    // pipeline, and is left out of the capture's first and last time
    if (time !== time) time = lastTimed;
    else {
      lastTimed = time;
      if (time < firstTime) firstTime = time;
      if (time > lastTime) lastTime = time;
    }
    const kind = pkt.decode(linkType, data, start, capLen);
    if (live) {
      stats.frames++;
      if (time >= swept + 1) {
        swept = time;
        // once per second of capture time: a walk over the open connections only
        if (live.idleSeconds > 0) idleClosed += tracker.expireIdle(time - live.idleSeconds, `${SAW_NO_END} ${live.idleText}`);
        // flat memory: connections judged long ago are forgotten, and the exact times of frames
        // below the oldest open connection (their sessions are written)
        tracker.forgetEnded(time, RETIRED_TTL);
        if (clock.fine) clock.forgetBefore(tracker.oldestActiveFrame());
        live.onStats?.(liveStats());
      }
    }
    if (kind === "tcp") {
      tracker.packet(pkt, frame, time);
      if (waiting.length > 0) release();
    } else if (kind === "frag") stats.ipFragments++;
    else if (kind === "short") stats.malformed++;
    else {
      stats.nonTcp++;
      if (!isSupportedLinkType(linkType)) unsupported.set(linkType, (unsupported.get(linkType) ?? 0) + 1);
    }
  }, clock, onSecrets);
  if (wall !== null) clearInterval(wall);
  for (const p of keyProblems) read.problems.push({ level: "warning", offset: 0, message: p });
  const hurt = read.problems.find((p) => p.level === "error" || /truncated|corrupt|incomplete/i.test(p.message));
  if (hurt) damage = `the capture file is damaged or cut at ${offsetText(hurt.offset, read.gzip)}: the session may continue beyond what was read`;
  tracker.finishAll();
  for (const w of waiting) emit(w);
  stats.frames = read.frames;
  stats.tcpPackets = tracker.stats.tcpPackets;
  stats.tcpConnections = tracker.stats.connections;
  stats.connectionsWithoutPayload = factory.stats.connectionsWithoutPayload;
  stats.notSmtp = factory.stats.notSmtp;
  pushEndWarnings(read.problems, overtaken, tracker.stats, opts.maxOpenFlows);
  return {
    file: displayPath(path),
    format: read.format,
    gzip: read.gzip,
    packets: read.frames,
    bytes: read.bytes,
    stats,
    sessionCount: emitted,
    problems: read.problems,
    ...(emitted === 0 && read.frames > 0 ? { diagnosis: diagnose(stats, unsupported, factory.stats.smtpLikePorts) } : {}),
    firstTime: firstTime <= lastTime ? firstTime : null,
    lastTime: firstTime <= lastTime ? lastTime : null,
    ...(clock.fine ? { clock } : {}),
  };
}


const NO_FINDINGS: Finding[] = [];

/** Why a readable file gave no SMTP session, in one sentence. */
/** The file's warnings about sessions written out of order and connections over --max-open-flows
 * (the same on the main thread and on worker threads, src/parallel/router.ts). */
export function pushEndWarnings(problems: ReadProblem[], overtaken: number, t: { evicted: number; overLimit: number }, maxOpenFlows: number): void {
  if (overtaken > 0) {
    problems.push({ level: "warning", offset: 0, message: `${overtaken} sessions were written before a connection with a lower tcp.stream that stayed open (more than ${MAX_WAITING} were waiting)` });
  }
  if (t.evicted > 0) {
    problems.push({ level: "warning", offset: 0, message: `SMTP connections ended early to make room: ${t.evicted} (more than ${maxOpenFlows} were open at once, --max-open-flows; the longest idle each time)` });
  }
  if (t.overLimit > 0) {
    problems.push({ level: "warning", offset: 0, message: `${t.overLimit} SMTP connections were not analysed: more than ${maxOpenFlows} were open at once (--max-open-flows)` });
  }
}

/**
 * The SMTP flow factory of one capture, on the main thread or a worker (src/parallel/worker.ts):
 * every TLS connection is read (handshake facts without keys) and decrypted when a key of
 * `keys()` matches; `keys()` is asked per connection, as Decryption Secrets Blocks add keys.
 */
export function smtpFlowFactory(opts: AnalyzeOptions, onSession: (s: Session) => void, keys: () => KeyLog | null): SmtpFlowFactory {
  return new SmtpFlowFactory(opts.ports, onSession, {
    ...DEFAULT_DISSECT, showSecrets: opts.showSecrets, showData: opts.showData,
    tls: (sink, _tcpStream, clientDir) => timedTls(new TlsConnection({ keys: keys(), sink, clientDir })),
  });
}

export function diagnose(stats: FileStats, unsupported: Map<number, number>, smtpLike: Map<number, number>): string {
  if (stats.tcpPackets === 0) {
    if (unsupported.size > 0) {
      const types = [...unsupported.keys()].sort((a, b) => a - b).join(", ");
      return `unsupported link type ${types}: ${plural(stats.frames, "frame")} could not be decoded`;
    }
    return `no TCP: ${plural(stats.frames, "frame")}, none of them TCP over IPv4 or IPv6`;
  }
  const ports = [...smtpLike.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 3);
  const conns = plural(stats.tcpConnections, "TCP connection");
  if (ports.length > 0) {
    const named = ports.map(([p, n]) => `--port ${p} (${plural(n, "connection")})`).join(", ");
    return `TCP but no SMTP: ${conns}, none on an SMTP port or opened by a 220 greeting and an SMTP command; payload that looks like SMTP was seen on other ports: try ${named}`;
  }
  const without = stats.connectionsWithoutPayload > 0 ? ` (${stats.connectionsWithoutPayload} never carried payload)` : "";
  const ftp = stats.notSmtp > 0 ? `; ${plural(stats.notSmtp, "connection")} with a 220 banner did not continue in SMTP (FTP or another protocol)` : "";
  return `TCP but no SMTP: ${conns}${without}, none on an SMTP port or opened by a 220 greeting and an SMTP command${ftp}`;
}

/** Read, reassemble, dissect and judge one capture file, keeping every session in memory. */
export async function analyzeFile(path: string, options: Partial<AnalyzeOptions> = {}): Promise<FileReport> {
  const sessions: JudgedSession[] = [];
  const findings: Finding[] = [];
  const summary = await analyzeStream(path, options, (s, f) => {
    sessions.push(s);
    findings.push(...f);
  });
  const { sessionCount: _count, ...rest } = summary;
  return { ...rest, sessions, findings };
}

export function displayPath(path: string): string {
  return path === "-" ? "<stdin>" : path;
}
