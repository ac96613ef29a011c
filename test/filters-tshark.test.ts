import { spawn } from "node:child_process";
import { relative, join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { analyzeFile, type FileReport } from "../src/analyze.js";
import { filterFor } from "../src/rules/util.js";
import { SHARED } from "./support/fixtures.js";
import { captures } from "./support/golden.js";
import { describeShared, SHARED_PRESENT } from "./support/shared.js";

// Every Wireshark display filter smtpcap prints for the shared captures must be accepted by
// Wireshark and select exactly the finding's frames (a frame-less finding: its session's stream).
//
// Fast path: one tshark run per capture lists `frame.number` and `tcp.stream` of every frame, and
// each filter is evaluated against that table (the filter's grammar is checked strictly here, so a
// new shape fails until it is evaluated too). Acceptance: a sample of filters covering every shape
// (stream only, one frame, a set of frames, the longest set) goes through real `tshark -Y` calls.
// The sets use commas, `frame.number in {7,8,10}`: Wireshark 4 rejects the old space-separated
// form, and 3.6 reads the comma form (it deprecated the spaces).

const ROOT = join(SHARED, "captures");
const SHAPE = /^tcp\.stream eq (\d+)(?: && frame\.number in \{(\d+(?:,\d+)*)\})?$/;

interface Case {
  file: string;
  filter: string;
  stream: number;
  frames: number[];
  rule: string;
}

function run(args: string[]): Promise<{ out: string; err: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn("tshark", args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on("data", (b: Buffer) => out.push(b));
    p.stderr.on("data", (b: Buffer) => err.push(b));
    p.on("error", reject);
    p.on("close", (code) => resolve({ out: Buffer.concat(out).toString("utf8"), err: Buffer.concat(err).toString("utf8"), code }));
  });
}

/** Runs `fn` over `items`, `n` at a time. */
async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

/** frame number → the tcp.stream values tshark gives it (a tunnelled frame can have two) */
async function streamsOf(file: string): Promise<Map<number, number[]>> {
  // tshark exits non-zero on a damaged file after printing what it could read
  const { out } = await run(["-n", "-r", file, "-T", "fields", "-e", "frame.number", "-e", "tcp.stream"]);
  const table = new Map<number, number[]>();
  for (const line of out.split("\n")) {
    if (!line) continue;
    const [frame, streams] = line.split("\t");
    table.set(Number(frame), streams ? streams.split(",").map(Number) : []);
  }
  return table;
}

/** What `filter` selects in a capture, evaluated on tshark's frame/stream table. */
function select(filter: string, table: Map<number, number[]>): number[] {
  const m = SHAPE.exec(filter);
  if (!m) throw new Error(`a filter shape this test does not evaluate: ${filter}`);
  const stream = Number(m[1]);
  const set = m[2] ? new Set(m[2].split(",").map(Number)) : null;
  const out: number[] = [];
  for (const [frame, streams] of table) if (streams.includes(stream) && (!set || set.has(frame))) out.push(frame);
  return out.sort((a, b) => a - b);
}

describeShared("every Wireshark filter printed for the shared captures selects exactly the finding's frames (tshark)", () => {
  const files = SHARED_PRESENT ? captures(ROOT) : [];
  const reports = new Map<string, FileReport>();
  const tables = new Map<string, Map<number, number[]>>();
  const cases: Case[] = [];

  beforeAll(async () => {
    for (const file of files) {
      const rep = await analyzeFile(file);
      reports.set(file, rep);
      for (const f of rep.findings) cases.push({ file, filter: f.filter, stream: f.tcpStream, frames: f.frames, rule: f.rule });
      // a frame-less finding's filter is its session's stream: check that shape on every session
      for (const s of rep.sessions) cases.push({ file, filter: filterFor(s.tcpStream, []), stream: s.tcpStream, frames: [], rule: `session ${s.index}` });
    }
    const withFindings = files.filter((f) => reports.get(f)!.sessions.length > 0);
    const got = await pool(withFindings, 3, streamsOf);
    withFindings.forEach((f, i) => tables.set(f, got[i]));
  }, 300_000);

  it("there are filters to check, of every shape", () => {
    expect(cases.length).toBeGreaterThan(100);
    const shapes = new Set(cases.map((c) => shapeOf(c.filter)));
    expect([...shapes].sort()).toEqual(["frame set", "one frame", "stream"]);
  });

  it("each filter names its finding's stream, and selects exactly the finding's frames (or the whole stream)", () => {
    const wrong: string[] = [];
    for (const c of cases) {
      const table = tables.get(c.file)!;
      const m = SHAPE.exec(c.filter);
      if (!m) {
        wrong.push(`${relative(ROOT, c.file)} ${c.rule}: unexpected filter ${c.filter}`);
        continue;
      }
      if (Number(m[1]) !== c.stream) wrong.push(`${relative(ROOT, c.file)} ${c.rule}: filter names stream ${m[1]}, the finding ${c.stream}`);
      const selected = select(c.filter, table);
      const want = c.frames.length ? c.frames : [...table].filter(([, s]) => s.includes(c.stream)).map(([f]) => f).sort((a, b) => a - b);
      if (want.length === 0) wrong.push(`${relative(ROOT, c.file)} ${c.rule}: tshark has no frame in tcp.stream ${c.stream}`);
      if (selected.join(",") !== want.join(",")) wrong.push(`${relative(ROOT, c.file)} ${c.rule}: ${c.filter} selects ${selected.join(",")}, want ${want.join(",")}`);
    }
    expect(wrong).toEqual([]);
  });

  it("each session's first and last frame are in its tcp.stream as tshark numbers them", () => {
    const wrong: string[] = [];
    for (const [file, rep] of reports) {
      const table = tables.get(file);
      for (const s of rep.sessions) {
        for (const fr of [s.firstFrame, s.lastFrame]) if (!table?.get(fr)?.includes(s.tcpStream)) wrong.push(`${relative(ROOT, file)} session ${s.index}: frame ${fr} is not in tcp.stream ${s.tcpStream}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("tshark accepts a sample of every shape and selects what the table says", async () => {
    const sample: Case[] = [];
    for (const shape of ["stream", "one frame", "frame set"]) sample.push(...cases.filter((c) => shapeOf(c.filter) === shape).slice(0, 2));
    sample.push(cases.reduce((a, b) => (b.filter.length > a.filter.length ? b : a))); // the longest set
    const files = new Set(sample.map((c) => c.file));
    expect(files.size).toBeGreaterThan(1);
    const results = await pool(sample, 3, async (c) => {
      const r = await run(["-n", "-r", c.file, "-Y", c.filter, "-T", "fields", "-e", "frame.number"]);
      return { c, r };
    });
    for (const { c, r } of results) {
      expect(r.err, c.filter).not.toMatch(/was unexpected|isn't a valid|syntax error|not a valid/i);
      const got = r.out.split("\n").filter(Boolean).map(Number);
      expect(got, `${relative(ROOT, c.file)}: ${c.filter}`).toEqual(select(c.filter, tables.get(c.file)!));
    }
  }, 60_000);
});

function shapeOf(filter: string): string {
  const m = SHAPE.exec(filter);
  if (!m) return `other: ${filter}`;
  return !m[2] ? "stream" : m[2].includes(",") ? "frame set" : "one frame";
}
