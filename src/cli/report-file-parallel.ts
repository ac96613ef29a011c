/**
 * reportFile() (report-file.ts) for one large capture on worker threads (`analyze -j N`,
 * src/parallel/): the workers prepare each session's output with their own instance of the
 * format's file reporter; here, as in reportFile(), sessions are selected, counted and written.
 * Loaded only when a file takes that path (worker_threads costs startup time).
 */
import { statSync } from "node:fs";
import type { AnalyzeOptions } from "../analyze.js";
import { analyzeParallel, type PickRule } from "../parallel/router.js";
import type { FileReporter, ReportContext } from "../report/reporter.js";
import type { Counts } from "../report/reporter.js";
import type { FileResult, Selection } from "./report-file.js";

/** Formats whose prepared sessions are plain data a worker can hand over (html's keep the session model). */
const PARALLEL_FORMATS = new Set(["text", "summary", "json", "ndjson", "compact", "junit"]);

/** Inputs at least this large (bytes on disk) take the parallel path by default: below it, starting the workers costs more than they save. */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

/** The size from which a file is analysed on workers: SMTPCAP_PARALLEL_MIN_BYTES (tests force small files through), else PARALLEL_MIN_BYTES. */
export function parallelMinBytes(): number {
  const v = process.env.SMTPCAP_PARALLEL_MIN_BYTES;
  if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  return PARALLEL_MIN_BYTES;
}

/** Whether `path` is analysed on `jobs` workers: a regular file large enough, a format whose output workers can prepare. */
export function takesParallelPath(path: string, jobs: number, format: string): boolean {
  if (jobs <= 1 || path === "-" || !PARALLEL_FORMATS.has(format)) return false;
  try {
    const st = statSync(path);
    return st.isFile() && st.size >= parallelMinBytes();
  } catch {
    return false; // the single-thread path reports why it cannot be read
  }
}

export async function reportFileParallel<P>(path: string, opts: Partial<AnalyzeOptions>, fr: FileReporter<P>, sel: Selection,
  w: { jobs: number; format: string; ctx: ReportContext; file: string; n: number; streams: number[]; sessions: number[]; workerUrl?: URL; batchBytes?: number; pick?: PickRule }): Promise<FileResult> {
  const counts: Counts = { error: 0, warning: 0, info: 0 };
  const select = { active: sel.chosen.active, streams: w.streams, sessions: w.sessions.length > 0, onlyFindings: sel.onlyFindings };
  const summary = await analyzeParallel(path, opts, { format: w.format, ctx: w.ctx, file: w.file, n: w.n, select }, (p, index) => {
    if (!sel.chosen.pick(p.tcpStream, index)) return fr.omit(p.tcpStream, "not-selected");
    for (const sev of p.severities) counts[sev]++;
    if (sel.onlyFindings && p.severities.length === 0) return fr.omit(p.tcpStream, "no-findings");
    fr.session(p.body as P, index);
  }, { jobs: w.jobs, workerUrl: w.workerUrl ?? new URL("./analyze-worker.js", import.meta.url), batchBytes: w.batchBytes, pick: w.pick });
  // for tests: which path a file took
  if (process.env.SMTPCAP_PARALLEL_TRACE) process.stderr.write(`smtpcap: trace: ${w.file} analysed on ${w.jobs} threads (the main thread and ${w.jobs - 1} worker${w.jobs === 2 ? "" : "s"})\n`);
  fr.endFile(summary, counts);
  return { summary, counts };
}
