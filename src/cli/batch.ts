import { availableParallelism } from "node:os";
import { open, readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { table } from "table";
import { escapeText } from "../text/escape.js";
import type { BatchJob, BatchResult } from "./batch-file.js";
import { analyzeOptions, reachesCounts, type CommonFlags } from "./main.js";

export interface BatchFlags extends CommonFlags {
  jobs?: number;
  allFiles?: boolean;
  quiet?: boolean;
}

const CAPTURE_NAME = /\.(pcap|pcapng|cap)(\.gz)?$/i;

async function sniffs(path: string): Promise<boolean> {
  try {
    const fh = await open(path, "r");
    try {
      const b = Buffer.alloc(4);
      const { bytesRead } = await fh.read(b, 0, 4, 0);
      if (bytesRead < 4) return false;
      const m = b.readUInt32LE(0);
      return (b[0] === 0x1f && b[1] === 0x8b) || m === 0x0a0d0d0a || m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1;
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

/** Every capture below the given paths (named files are always taken), sorted; and how many files were skipped. */
export async function collect(paths: string[], allFiles: boolean): Promise<{ files: string[]; skipped: number }> {
  const files: string[] = [];
  let skipped = 0;
  const seen = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    const real = await realpath(dir).catch(() => dir);
    if (seen.has(real)) return; // a link back up the tree
    seen.add(real);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(dir, e.name);
      // follow symbolic links (a support archive often links captures from elsewhere)
      const kind = e.isSymbolicLink() ? await stat(p).catch(() => null) : e;
      if (kind === null) { skipped++; continue; }
      if (kind.isDirectory()) await walk(p);
      else if (kind.isFile()) {
        if (allFiles ? await sniffs(p) : CAPTURE_NAME.test(e.name)) files.push(p);
        else skipped++;
      }
    }
  };
  for (const p of paths) {
    const st = await stat(p).catch(() => null);
    if (st?.isDirectory()) await walk(p);
    else files.push(p); // named explicitly: a missing or odd file gets its own record
  }
  files.sort();
  return { files: [...new Set(files)], skipped };
}

class Progress {
  private done = 0;
  private bytes = 0;
  private readonly t0 = Date.now();

  constructor(private readonly total: number, private readonly totalBytes: number, private readonly on: boolean) {}

  tick(bytes: number): void {
    this.done++;
    this.bytes += bytes;
    if (!this.on) return;
    const s = (Date.now() - this.t0) / 1000;
    const rate = s > 0 ? this.bytes / 1e6 / s : 0;
    const eta = rate > 0 ? Math.max(0, (this.totalBytes - this.bytes) / 1e6 / rate) : 0;
    const width = 30;
    const fill = Math.round((this.done / this.total) * width);
    process.stderr.write(`\r[${"#".repeat(fill)}${".".repeat(width - fill)}] ${this.done}/${this.total} files  ${rate.toFixed(1)} MB/s  ETA ${eta.toFixed(0)} s `);
  }

  end(): void {
    if (this.on) process.stderr.write("\r" + " ".repeat(90) + "\r");
  }
}

/** Jobs queued ahead on each worker, so that none waits for the main thread between files. */
const QUEUE_AHEAD = 2;

/** Run jobs on `n` worker threads, each owning whole files, largest first; results in any order. */
function runPool(jobs: BatchJob[], n: number, onResult: (r: BatchResult) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (jobs.length === 0) return resolve();
    const url = new URL("./batch-worker.js", import.meta.url);
    jobs = [...jobs].sort((a, b) => b.bytes - a.bytes || a.id - b.id);
    let next = 0;
    let finished = 0;
    const workers: Worker[] = [];
    const feed = (w: Worker) => {
      if (next < jobs.length) w.postMessage(jobs[next++]);
    };
    for (let i = 0; i < Math.min(n, jobs.length); i++) {
      const w = new Worker(url);
      workers.push(w);
      w.on("message", (r: BatchResult) => {
        onResult(r);
        if (++finished === jobs.length) {
          for (const x of workers) void x.terminate();
          resolve();
        } else feed(w);
      });
      w.on("error", (err) => {
        for (const x of workers) void x.terminate();
        reject(err);
      });
      for (let k = 0; k < QUEUE_AHEAD; k++) feed(w);
    }
  });
}

/** `smtpcap batch`: returns the exit status. */
export async function runBatch(paths: string[], flags: BatchFlags): Promise<number> {
  const opts = analyzeOptions(flags);
  const { files, skipped } = await collect(paths, !!flags.allFiles);
  const sizes = await Promise.all(files.map((f) => stat(f).then((s) => s.size, () => 0)));
  const json = flags.format === "json" || flags.format === "ndjson";
  const jobs: BatchJob[] = files.map((path, id) => ({ id, path, bytes: sizes[id], opts, json }));
  const jobsN = Math.max(1, flags.jobs ?? availableParallelism());
  const progress = new Progress(files.length, sizes.reduce((a, b) => a + b, 0), !!process.stderr.isTTY && !flags.quiet);
  const results: (BatchResult | undefined)[] = new Array(files.length);
  let written = 0;
  const write = (s: string) => process.stdout.write(s);
  if (flags.format === "json") write("[");
  // ndjson and json records go out in path order as soon as all earlier files are done
  const drain = () => {
    while (written < results.length && results[written] !== undefined) {
      const r = results[written]!;
      if (flags.format === "ndjson") write(r.doc + "\n");
      else if (flags.format === "json") write((written > 0 ? "," : "") + r.doc);
      r.doc = null;
      written++;
    }
  };
  await runPool(jobs, jobsN, (r) => {
    results[r.id] = r;
    progress.tick(r.bytes);
    if (json) drain();
  });
  progress.end();
  if (flags.format === "json") write("]\n");
  const done = results as BatchResult[];
  for (const r of done) {
    if (r.error) process.stderr.write(`smtpcap: ${escapeText(r.path)}: ${escapeText(r.error)}\n`);
    for (const p of r.problems) process.stderr.write(`smtpcap: ${escapeText(r.path)}: warning: ${escapeText(p)}\n`);
  }
  if (flags.format === "table") write(summaryTable(done, skipped));
  else if (skipped > 0 && !flags.quiet) process.stderr.write(`smtpcap: skipped ${skipped} files that are not captures\n`);
  const unreadable = done.some((r) => r.error !== null);
  const failed = done.some((r) => reachesCounts(r.counts, flags.failOn));
  return unreadable || failed ? 1 : 0;
}

function summaryTable(results: BatchResult[], skipped: number): string {
  const rows: string[][] = [["file", "sessions", "errors", "warnings", "infos", "most severe"]];
  const totals = { sessions: 0, error: 0, warning: 0, info: 0 };
  const rules: Record<string, number> = {};
  for (const r of results) {
    totals.sessions += r.sessions;
    totals.error += r.counts.error;
    totals.warning += r.counts.warning;
    totals.info += r.counts.info;
    for (const [k, v] of Object.entries(r.rules)) rules[k] = (rules[k] ?? 0) + v;
    const worst = r.error ? `unreadable: ${r.error}` : r.worst ? `${r.worst.severity}: ${r.worst.rule}` : "-";
    rows.push([escapeText(r.path), String(r.sessions), String(r.counts.error), String(r.counts.warning), String(r.counts.info), escapeText(worst).slice(0, 70)]);
  }
  rows.push([`${results.length} files`, String(totals.sessions), String(totals.error), String(totals.warning), String(totals.info), ""]);
  const top = Object.entries(rules).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
  const unreadable = results.filter((r) => r.error).length;
  const foot = [
    `top rules: ${top.length ? top.map(([k, v]) => `${k} (${v})`).join(", ") : "none"}`,
    `${unreadable} unreadable, ${skipped} skipped (not captures)`,
  ];
  return table(rows, { drawHorizontalLine: (i, n) => i === 0 || i === 1 || i === n - 1 || i === n }) + foot.join("\n") + "\n";
}
