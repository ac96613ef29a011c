import { availableParallelism } from "node:os";
import { open, readdir, realpath, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { Worker } from "node:worker_threads";
import { batchHtmlFromData } from "../report/html/index.js";
import { loadFormat } from "../report/formats.js";
import type { ReportContext } from "../report/reporter.js";
import { DEFAULT_WIDTH } from "../report/text.js";
import { plural, wrap } from "../report/words.js";
import { clip, escapeText } from "../text/escape.js";
import { analyzeFileSummary, errorText, type BatchChunk, type BatchJob, type BatchResult } from "./batch-file.js";
import { EXIT, Output, analyzeOptions, exitStatus, problemLines, reachesCounts, type CommonFlags } from "./options.js";
import { CommanderError } from "commander";

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
      return (b[0] === 0x1f && b[1] === 0x8b) || m === 0x0a0d0d0a || m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1 || m === 0xa1b2cd34 || m === 0x34cdb2a1;
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

export interface Collected {
  /** paths to read, sorted; "-" (standard input) first when given */
  files: string[];
  /** how each file is shown in the table: relative to the one folder given, else as walked */
  shown: Map<string, string>;
  skipped: number;
}

/** Every capture below the given paths (named files are always taken), sorted; and how many files were skipped. */
export async function collect(paths: string[], allFiles: boolean): Promise<Collected> {
  const found: { path: string; root: string | null }[] = [];
  let skipped = 0;
  const seen = new Set<string>();
  const walk = async (dir: string, root: string): Promise<void> => {
    const real = await realpath(dir).catch(() => dir);
    if (seen.has(real)) return; // a link back up the tree
    seen.add(real);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(dir, e.name);
      // follow symbolic links (a support archive often links captures from elsewhere)
      const kind = e.isSymbolicLink() ? await stat(p).catch(() => null) : e;
      if (kind === null) { skipped++; continue; }
      if (kind.isDirectory()) await walk(p, root);
      else if (kind.isFile()) {
        if (allFiles ? await sniffs(p) : CAPTURE_NAME.test(e.name)) found.push({ path: p, root });
        else skipped++;
      }
    }
  };
  const folders = [];
  for (const p of paths) {
    const st = p === "-" ? null : await stat(p).catch(() => null);
    if (st?.isDirectory()) {
      folders.push(p);
      await walk(p, p);
    } else found.push({ path: p, root: null }); // named explicitly: a missing or odd file gets its own record
  }
  const shown = new Map<string, string>();
  for (const f of found) shown.set(f.path, f.root !== null && folders.length === 1 && paths.length === 1 ? relative(f.root, f.path) : f.path);
  const files = [...new Set(found.map((f) => f.path))].sort((a, b) => (a === "-" ? -1 : b === "-" ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return { files, shown, skipped };
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

/** Run jobs on `n` worker threads, each owning whole files, largest first; results in any order (a file's chunks before its result). */
function runPool(jobs: BatchJob[], n: number, onResult: (r: BatchResult) => void, onChunk: (c: BatchChunk) => void): Promise<void> {
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
      w.on("message", (r: BatchResult | BatchChunk) => {
        if (r.kind === "chunk") return onChunk(r);
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

/**
 * Worker threads by default: one fewer than the cores the machine gives (the main thread collects
 * results and writes the output), at least one.
 */
export function defaultJobs(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

/** `smtpcap batch`: returns the exit status. */
export async function runBatch(paths: string[], flags: BatchFlags): Promise<number> {
  if (paths.filter((p) => p === "-").length > 1) throw new CommanderError(EXIT.usage, "smtpcap.usage", "standard input ('-') can be read only once");
  const opts = analyzeOptions(flags);
  if (flags.showSecrets) process.stderr.write("smtpcap: warning: --show-secrets prints credentials from the capture\n");
  const { files, shown, skipped } = await collect(paths, !!flags.allFiles);
  const out = new Output(flags.output);
  const sizes = await Promise.all(files.map((f) => (f === "-" ? 0 : stat(f).then((s) => s.size, () => 0))));
  const html = flags.format === "html";
  // the formats of the session stream come from the registry; the table and the page are batch's own views of the results
  const format = flags.format === "table" || html ? null : await loadFormat(flags.format);
  const ctx: ReportContext = { text: { color: false, verbose: false, width: out.width }, showSecrets: !!flags.showSecrets, failOn: flags.failOn };
  const jobs: BatchJob[] = files.map((path, id) => ({ id, path, bytes: sizes[id], opts, format: format?.name ?? null, ctx, html }));
  const jobsN = flags.jobs ?? defaultJobs();
  const progress = new Progress(files.length, sizes.reduce((a, b) => a + b, 0), !!process.stderr.isTTY && !flags.quiet);
  const results: (BatchResult | undefined)[] = new Array(files.length);
  const env = format?.envelope((s) => out.write(s), ctx) ?? null;
  // the output goes out in path order: the first file not yet finished writes its pieces as they
  // come; later files keep theirs until it is their turn
  const held: (string[] | undefined)[] = new Array(files.length);
  const started: boolean[] = new Array(files.length).fill(false);
  let written = 0;
  env?.begin();
  const start = (id: number) => {
    if (started[id]) return;
    started[id] = true;
    for (const c of held[id] ?? []) env!.piece(id, c);
    held[id] = undefined;
  };
  const piece = (id: number, data: string) => {
    if (id === written) {
      start(id);
      env!.piece(id, data);
      out.flush();
    } else (held[id] ??= []).push(data);
  };
  const advance = () => {
    while (written < results.length) {
      start(written);
      if (results[written] === undefined) break;
      written++;
    }
    out.flush();
  };
  const onChunk = (c: BatchChunk) => piece(c.id, c.data);
  const onResult = (r: BatchResult) => {
    if (env) piece(r.id, r.doc ?? "");
    r.doc = null;
    results[r.id] = r;
    progress.tick(r.bytes);
    if (env) advance();
  };
  // standard input is the main thread's: read it here, before the workers start
  const stdin = jobs.filter((j) => j.path === "-");
  for (const j of stdin) onResult(await analyzeFileSummary(j, onChunk));
  await runPool(jobs.filter((j) => j.path !== "-"), jobsN, onResult, onChunk);
  progress.end();
  env?.end((results as BatchResult[]).map((r) => ({ file: r.summary.file, sessions: r.sessions, counts: r.counts, unreadable: r.error !== null })));
  const done = results as BatchResult[];
  for (const r of done) for (const l of problemLines(r.summary)) process.stderr.write(l + "\n");
  if (flags.format === "table") out.write(summaryTable(done, shown, skipped, out.terminalColumns() ?? Infinity));
  else if (html) out.write(htmlPage(done, shown, !!flags.showSecrets));
  else if (skipped > 0 && !flags.quiet) process.stderr.write(`smtpcap: ${plural(skipped, "file")} skipped: not ${skipped === 1 ? "a capture" : "captures"}\n`);
  out.close();
  return exitStatus(
    done.some((r) => r.error !== null),
    done.some((r) => reachesCounts(r.counts, flags.failOn)),
  );
}

/**
 * --format html: one page from the files' page data, in path order, each file named as in the
 * table (relative to the one folder given).
 */
function htmlPage(results: BatchResult[], shown: Map<string, string>, showSecrets: boolean): string {
  const files = results.map((r) => ({ ...r.page!, name: escapeText(r.path === "-" ? "<stdin>" : (shown.get(r.path) ?? r.path)) }));
  return batchHtmlFromData(files, { showSecrets });
}

/** A row's verdict: unreadable, no SMTP, findings (an error or warning), undetermined, clean. */
export function rowVerdict(r: BatchResult): string {
  if (r.error) return "unreadable";
  if (r.sessions === 0) return "no SMTP";
  if (r.counts.error + r.counts.warning > 0) return "findings";
  if (r.undetermined > 0) return "undetermined";
  return "clean";
}

function rowNote(r: BatchResult): string {
  if (r.error) return errorText(r.error, r.summary.format, r.summary.gzip);
  const notes: string[] = [];
  if (r.worst) notes.push(`${r.worst.severity}: ${r.worst.rule}`);
  const warn = r.summary.problems.find((p) => p.level === "warning");
  if (warn) notes.push(warn.message);
  return notes.join("; ");
}

/**
 * Plain aligned columns, numbers right-aligned, fitted to `width` (the file and notes columns give
 * way); `Infinity` (off a terminal) cuts nothing. The closing prose wraps at `width`, at most 100.
 */
export function summaryTable(results: BatchResult[], shown: Map<string, string>, skipped: number, width: number): string {
  const head = ["file", "sessions", "errors", "warnings", "infos", "verdict", "notes"];
  const right = [false, true, true, true, true, false, false];
  const rows: string[][] = [];
  const totals = { sessions: 0, error: 0, warning: 0, info: 0 };
  const rules: Record<string, number> = {};
  for (const r of results) {
    totals.sessions += r.sessions;
    totals.error += r.counts.error;
    totals.warning += r.counts.warning;
    totals.info += r.counts.info;
    for (const [k, v] of Object.entries(r.rules)) rules[k] = (rules[k] ?? 0) + v;
    const name = r.path === "-" ? "<stdin>" : (shown.get(r.path) ?? r.path);
    rows.push([escapeText(name), String(r.sessions), String(r.counts.error), String(r.counts.warning), String(r.counts.info), rowVerdict(r), escapeText(rowNote(r))]);
  }
  const total = [plural(results.length, "file"), String(totals.sessions), String(totals.error), String(totals.warning), String(totals.info), "", ""];
  const all = [head, ...rows, total];
  const w = head.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  // fit: the notes column is cut to 20, then the file column shrinks to 24 (its start elided),
  // then the notes give way entirely
  const gap = 2;
  const used = () => w.reduce((a, b) => a + b, 0) + gap * (w.length - 1);
  if (used() > width) w[6] = Math.max(Math.min(20, w[6]), w[6] - (used() - width));
  if (used() > width) w[0] = Math.max(24, w[0] - (used() - width));
  if (used() > width) w[6] = Math.max(5, w[6] - (used() - width));
  const cell = (s: string, i: number) => {
    let v = s;
    if (v.length > w[i]) v = i === 0 ? "…" + v.slice(v.length - w[i] + 1) : clip(v, w[i]);
    return right[i] ? v.padStart(w[i]) : v.padEnd(w[i]);
  };
  const line = (row: string[]) => row.map(cell).join(" ".repeat(gap)).trimEnd();
  const top = Object.entries(rules).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
  const unreadableN = results.filter((r) => r.error).length;
  const out = [line(head), ...rows.map(line), line(total), ""];
  out.push(...wrap(`top rules: ${top.length ? top.map(([k, v]) => `${k} (${v})`).join(", ") : "none"}`, Math.min(width, DEFAULT_WIDTH), "", "  "));
  out.push(`${unreadableN} unreadable, ${plural(skipped, "file")} skipped (not ${skipped === 1 ? "a capture" : "captures"})`);
  return out.join("\n") + "\n";
}
