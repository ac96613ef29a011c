// analyze -j N (src/parallel/): one capture's connections on worker threads must write exactly
// what the single-thread path writes — every shared capture, every format, and crafted captures
// for what needs the whole file (damage, truncation, gaps, the clock, the order sessions are
// written in, what rules know of earlier sessions).
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { displayPath, MAX_WAITING, type AnalyzeOptions } from "../../src/analyze.js";
import { loadFormat } from "../../src/report/formats.js";
import type { ReportContext } from "../../src/report/reporter.js";
import { UTC } from "../../src/report/time.js";
import { reportFile, selector } from "../../src/cli/report-file.js";
import { reportFileParallel, takesParallelPath } from "../../src/cli/report-file-parallel.js";
import { problemLines } from "../../src/cli/options.js";
import { closeParallel, type PickRule } from "../../src/parallel/router.js";
import { conv, ehloReply, EHLO_LINES, SHARED, tmpFile } from "../support/fixtures.js";
import { pcapngBlock, writeCapture, frameFor, type Packet } from "../support/writer.js";
import { exactTimes, nanoPcap, session } from "../support/exact-times.js";
import { SHARED_PRESENT, describeShared } from "../support/shared.js";

const ROOT = join(import.meta.dirname, "..", "..");
// the tsc output of the worker entry (npm test builds first)
const WORKER = new URL(`file://${join(ROOT, "dist", "cli", "analyze-worker.js")}`);
const FORMATS = ["text", "summary", "json", "ndjson", "compact", "junit"];
const ctx: ReportContext = { text: { color: false, verbose: false, zone: UTC, width: 100 }, showSecrets: false, failOn: "warning" };

interface Run {
  out: string;
  problems: string[];
  summary: unknown;
  counts: unknown;
}

interface Flags {
  stream?: number[];
  session?: number[];
  onlyFindings?: boolean;
}

/**
 * One file through a format, as `smtpcap analyze` writes it: single-thread (jobs 1) or on
 * workers; `pick` "even" (the default here) spreads connections over the main thread and the
 * workers whatever their speeds, "load" as the command does (a small file: all on the workers).
 */
async function run(file: string, format: string, jobs: number, opts: Partial<AnalyzeOptions> = {}, flags: Flags = {}, batchBytes?: number, pick: PickRule = "even"): Promise<Run> {
  const fmt = await loadFormat(format);
  let out = "";
  const env = fmt.envelope((s) => (out += s), ctx);
  env.begin();
  const bytes = new TextDecoder();
  const fr = fmt.file(displayPath(file), 0, (s) => env.piece(0, s), ctx, (b) => (out += bytes.decode(b)));
  const sel = { chosen: selector(flags), onlyFindings: !!flags.onlyFindings };
  const r = jobs === 1
    ? await reportFile(file, opts, fr, sel)
    : await reportFileParallel(file, opts, fr, sel, { jobs, format, ctx, file: displayPath(file), n: 0, streams: flags.stream ?? [], sessions: flags.session ?? [], workerUrl: WORKER, batchBytes, pick });
  env.end([{ file: r.summary.file, sessions: r.summary.sessionCount, counts: r.counts, unreadable: false }]);
  return { out, problems: problemLines(r.summary), summary: JSON.parse(JSON.stringify({ ...r.summary, clock: r.summary.clock ? "fine" : undefined })), counts: r.counts };
}

/** -j 1 and -j `jobs` (the main thread and jobs - 1 workers) write the same, in each format. */
async function same(file: string, formats = FORMATS, opts: Partial<AnalyzeOptions> = {}, flags: Flags = {}, batchBytes?: number, jobs = 2, pick: PickRule = "even"): Promise<Run> {
  let last: Run | null = null;
  for (const f of formats) {
    const one = await run(file, f, 1, opts, flags);
    const two = await run(file, f, jobs, opts, flags, batchBytes, pick);
    expect(two.out, `${f}: output`).toBe(one.out);
    expect(two.problems, `${f}: problems`).toEqual(one.problems);
    expect(two.summary, `${f}: summary`).toEqual(one.summary);
    expect(two.counts, `${f}: counts`).toEqual(one.counts);
    last ??= one;
  }
  return last!;
}

afterAll(() => closeParallel());

function allCaptures(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...allCaptures(p));
    else if (/\.(pcap|pcapng|cap|ntar)(\.gz)?$/.test(e)) out.push(p);
  }
  return out.sort();
}

describe("the parallel path's preconditions", () => {
  it("is taken only for large regular files, -j above 1, and formats whose output a worker can prepare", () => {
    const f = tmpFile(writeCapture(conv().handshake().packets));
    const before = process.env.SMTPCAP_PARALLEL_MIN_BYTES;
    try {
      process.env.SMTPCAP_PARALLEL_MIN_BYTES = "0";
      expect(takesParallelPath(f, 2, "json")).toBe(true);
      expect(takesParallelPath(f, 1, "json")).toBe(false);
      expect(takesParallelPath(f, 2, "html")).toBe(false);
      expect(takesParallelPath("-", 2, "json")).toBe(false);
      expect(takesParallelPath(join(f, "nope"), 2, "json")).toBe(false);
      process.env.SMTPCAP_PARALLEL_MIN_BYTES = String(statSync(f).size + 1);
      expect(takesParallelPath(f, 2, "json")).toBe(false);
      delete process.env.SMTPCAP_PARALLEL_MIN_BYTES;
      expect(takesParallelPath(f, 8, "json")).toBe(false); // 32 MB by default
    } finally {
      if (before === undefined) delete process.env.SMTPCAP_PARALLEL_MIN_BYTES;
      else process.env.SMTPCAP_PARALLEL_MIN_BYTES = before;
    }
  });
});

describeShared("every shared capture: -j 2 writes what -j 1 writes, in every format", () => {
  const files = SHARED_PRESENT ? allCaptures(join(SHARED, "captures")) : [];
  it("finds the shared captures", () => expect(files.length).toBeGreaterThan(100));
  for (const file of files) {
    it(relative(join(SHARED, "captures"), file), async () => {
      // TLS captures with their key logs: the keys must reach the workers
      const keys = file.replace(/\.(pcapng|pcap)(\.gz)?$/, ".keys");
      await same(file, FORMATS, existsSync(keys) && keys !== file ? { tlsKeylogs: [keys] } : {});
    });
  }
});

/** Sessions to distinct servers, interleaved: each a greeting, EHLO, QUIT and close. */
function sessions(n: number, o: { server?: (i: number) => string; ehlo?: (i: number) => string[]; t0?: number; step?: number } = {}) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const c = conv({ client: `192.0.2.${10 + (i % 200)}:${40000 + i}`, server: o.server?.(i) ?? `198.51.100.${1 + (i % 250)}:25`, t0: (o.t0 ?? 1700000000) + i * (o.step ?? 0.01) }).handshake();
    c.server("220 mx.example.test ESMTP\r\n").client("EHLO client.example\r\n").server(ehloReply(o.ehlo?.(i) ?? EHLO_LINES));
    c.client("QUIT\r\n").server("221 bye\r\n").fin("client").fin("server");
    out.push(c);
  }
  return out;
}

const packetsOf = (cs: { packets: Packet[] }[]): Packet[] => cs.flatMap((c) => c.packets).sort((a, b) => a.time - b.time);

describe("crafted captures: what needs the whole file keeps its behaviour on workers", () => {
  it("many interleaved sessions, batches smaller than a segment (the ring wraps, records go alone)", async () => {
    const cs = sessions(60);
    const body = "x".repeat(3000) + "\r\n";
    for (const c of cs.slice(0, 5)) c.packets.push(...conv({ client: "192.0.2.200:50000", server: "198.51.100.250:2525", t0: 1700000000.5 }).handshake().server("220 hi\r\n").client(`NOOP ${body}`).packets);
    const f = tmpFile(writeCapture(packetsOf(cs)));
    const r = await same(f, ["json", "text"], {}, {}, 1024);
    expect(r.out).toContain("198.51.100.60:25");
    // two workers and the main thread; and connections spread by the workers' queues, as the command does
    await same(f, ["json", "ndjson", "compact"], {}, {}, 1024, 3);
    await same(f, ["json", "ndjson", "text"], {}, {}, 1024, 3, "load");
    await same(f, ["json", "ndjson"], {}, {}, undefined, 2, "load");
  });

  it("an earlier session to the same server offered STARTTLS, a later one not: the rule sees it across workers", async () => {
    const noTls = EHLO_LINES.filter((l) => !l.includes("STARTTLS"));
    const cs = sessions(6, { server: () => "198.51.100.7:25", ehlo: (i) => (i === 0 ? EHLO_LINES : noTls) });
    const f = tmpFile(writeCapture(packetsOf(cs)));
    const r = await same(f, ["compact", "json"]);
    expect(r.out.match(/starttls-unavailable-or-stripped/g)?.length).toBe(5);
    expect(r.out).toContain("(tcp.stream 0) was offered it");
  });

  it("a connection open for the whole capture: past MAX_WAITING sessions, later ones are written before it, with the same warning", async () => {
    const long = conv({ client: "192.0.2.250:39999", server: "198.51.100.254:25", t0: 1699999999 }).handshake().server("220 long\r\n");
    const cs = sessions(MAX_WAITING + 5, { step: 0.001 });
    long.client("NOOP\r\n", { t: 1700000100 }).server("250 ok\r\n");
    const f = tmpFile(writeCapture(packetsOf([long, ...cs])));
    const r = await same(f, ["compact", "summary"]);
    expect(r.problems.join("\n")).toMatch(/5 sessions were written before a connection with a lower tcp.stream that stayed open/);
  }, 120_000);

  it("a file cut in the middle of a record: the sessions still open say the file is damaged", async () => {
    const cs = sessions(8);
    const buf = writeCapture(packetsOf(cs));
    const f = tmpFile(buf.subarray(0, Math.floor(buf.length * 0.7)));
    const r = await same(f);
    expect(r.problems.join("\n")).toMatch(/truncated|cut/);
    expect(r.out).toContain("damaged or cut");
  });

  it("a damaged record (an impossible captured length): reading stops there with the same error", async () => {
    const cs = sessions(8);
    const buf = Buffer.from(writeCapture(packetsOf(cs)));
    // the 40th record's captured length
    let p = 24;
    for (let i = 0; i < 40; i++) p += 16 + buf.readUInt32LE(p + 8);
    buf.writeUInt32LE(0x7fffffff, p + 8);
    const f = tmpFile(buf);
    const r = await same(f);
    expect(r.problems.join("\n")).toMatch(/corrupt/);
  });

  it("a capture gap (segments lost before the capture point)", async () => {
    const c = conv().handshake().server("220 mx ESMTP\r\n").client("EHLO a\r\n").server(ehloReply());
    c.client("MAIL FROM:<a@example.test>\r\n", { lose: true }).server("250 ok\r\n").client("RCPT TO:<b@example.test>\r\n").server("250 ok\r\n").fin("client").fin("server");
    const f = tmpFile(writeCapture(packetsOf([c, ...sessions(3)])));
    const r = await same(f);
    expect(r.out).toMatch(/gap|lacks/);
  });

  it("a nanosecond pcap: the sessions' times keep their 9 digits", async () => {
    const packets = session();
    const f = tmpFile(nanoPcap(packets, exactTimes(packets.length)));
    const r = await same(f);
    expect(r.out).toContain(".123456789Z");
  });

  it("a pcapng whose nanosecond interface speaks only later: sessions judged before that are written as the single-thread path writes them", async () => {
    // interface 0 in microseconds, interface 1 in nanoseconds; a connection open from the start
    // holds the sessions that end before the first nanosecond frame until after it
    const long = conv({ client: "192.0.2.250:39999", server: "198.51.100.254:25", t0: 1700000000 }).handshake().server("220 long\r\n");
    const early = sessions(4, { t0: 1700000001 });
    long.client("QUIT\r\n", { t: 1700000010 }).server("221 bye\r\n").fin("client").fin("server");
    const late = sessions(3, { t0: 1700000005, server: (i) => `203.0.113.${i + 1}:25` });
    const lateSet = new Set(late.flatMap((c) => c.packets));
    const all = packetsOf([long, ...early, ...late]);
    const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
    const u16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
    const idb = (res: number) => pcapngBlock(1, Buffer.concat([u16(1), u16(0), u32(0), u16(9), u16(1), Buffer.from([res, 0, 0, 0]), u16(0), u16(0)]));
    const parts = [pcapngBlock(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d), u16(1), u16(0), u32(0xffffffff), u32(0xffffffff)])), idb(6), idb(9)];
    for (const p of all) {
      const ns = lateSet.has(p);
      const ticks = BigInt(Math.round(p.time * 1e6)) * (ns ? 1000n : 1n) + (ns ? 789n : 0n);
      const fr = frameFor(p, "ethernet");
      parts.push(pcapngBlock(6, Buffer.concat([u32(ns ? 1 : 0), u32(Number(ticks >> 32n)), u32(Number(ticks & 0xffffffffn)), u32(fr.length), u32(fr.length), fr])));
    }
    const f = tmpFile(Buffer.concat(parts), ".pcapng");
    const r = await same(f);
    expect(r.out).toMatch(/\.\d{6}789Z/);
  });

  it("--stream, --session and --only-findings select the same sessions", async () => {
    const noTls = EHLO_LINES.filter((l) => !l.includes("STARTTLS"));
    const f = tmpFile(writeCapture(packetsOf(sessions(10, { server: () => "198.51.100.7:25", ehlo: (i) => (i === 0 ? EHLO_LINES : noTls) }))));
    await same(f, ["text", "json"], {}, { stream: [3, 5] });
    await same(f, ["text", "json"], {}, { session: [2] });
    await same(f, ["text", "compact"], {}, { onlyFindings: true });
  });
});

describe("the CLI: analyze -j", () => {
  const cli = join(ROOT, "bin", "smtpcap.js");
  const sh = (args: string[], env: Record<string, string> = {}) => {
    try {
      return { out: execFileSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }), code: 0 };
    } catch (e) {
      const x = e as { stdout: string; stderr: string; status: number };
      return { out: x.stdout + x.stderr, code: x.status };
    }
  };
  it("takes the parallel path (forced low threshold) and writes what -j 1 writes; html stays on one thread", () => {
    const f = tmpFile(writeCapture(packetsOf(sessions(5))));
    for (const format of ["json", "html", "ndjson"]) {
      const one = sh(["analyze", "-j", "1", "--format", format, f]);
      const two = sh(["analyze", "-j", "2", "--format", format, f], { SMTPCAP_PARALLEL_MIN_BYTES: "0" });
      expect(two.out).toBe(one.out);
      expect(two.code).toBe(one.code);
    }
    // the workers' sessions are bytes: written to a file, and each at once with -l
    const lined = sh(["analyze", "-j", "2", "-l", "--format", "ndjson", f], { SMTPCAP_PARALLEL_MIN_BYTES: "0" });
    expect(lined.out).toBe(sh(["analyze", "-j", "1", "--format", "ndjson", f]).out);
    const o1 = tmpFile(Buffer.alloc(0)), o2 = tmpFile(Buffer.alloc(0));
    sh(["analyze", "-j", "1", "--format", "json", "-o", o1, f]);
    sh(["analyze", "-j", "3", "--format", "json", "-o", o2, f], { SMTPCAP_PARALLEL_MIN_BYTES: "0" });
    expect(readFileSync(o2, "utf8")).toBe(readFileSync(o1, "utf8"));
    const traced = spawnSync(process.execPath, [cli, "analyze", "-j", "2", "--format", "compact", f], { encoding: "utf8", env: { ...process.env, SMTPCAP_PARALLEL_MIN_BYTES: "0", SMTPCAP_PARALLEL_TRACE: "1" } });
    expect(traced.stderr).toContain("analysed on 2 threads (the main thread and 1 worker)");
    const single = spawnSync(process.execPath, [cli, "analyze", "-j", "2", "--format", "compact", f], { encoding: "utf8", env: { ...process.env, SMTPCAP_PARALLEL_TRACE: "1" } });
    expect(single.stderr).not.toContain("analysed on"); // below the default 32 MB
  });
  it("rejects -j 0", () => {
    const r = sh(["analyze", "-j", "0", "x.pcap"]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/at least 1/);
  });
});

