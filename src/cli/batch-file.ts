import { analyzeStream, displayPath, type AnalyzeOptions } from "../analyze.js";
import { JsonFileWriter } from "../report/json.js";
import { SEVERITY_RANK, type Finding, type Severity } from "../rules/types.js";

export interface BatchJob {
  id: number;
  path: string;
  /** the file's size, for the progress bar */
  bytes: number;
  opts: Partial<AnalyzeOptions>;
  /** build the JSON document (json/ndjson output) */
  json: boolean;
}

export interface BatchResult {
  id: number;
  path: string;
  bytes: number;
  sessions: number;
  counts: { error: number; warning: number; info: number };
  /** rule id → findings, for the footer */
  rules: Record<string, number>;
  /** the most severe rule found (first by severity, then by count) */
  worst: { rule: string; severity: Severity } | null;
  /** why the file could not be read at all, with the byte offset */
  error: string | null;
  /** reading problems of a file that was read in part */
  problems: string[];
  doc: string | null;
}

/** Analyse one file of a batch; never throws. */
export async function analyzeFileSummary(job: BatchJob): Promise<BatchResult> {
  const res: BatchResult = { id: job.id, path: job.path, bytes: job.bytes, sessions: 0, counts: { error: 0, warning: 0, info: 0 }, rules: {}, worst: null, error: null, problems: [], doc: null };
  const parts: string[] = [];
  let best: Finding | null = null;
  try {
    const w = job.json ? new JsonFileWriter((s) => parts.push(s), displayPath(job.path)) : null;
    const sum = await analyzeStream(job.path, job.opts, (s, fs) => {
      w?.session(s, fs);
      for (const f of fs) {
        res.counts[f.severity]++;
        res.rules[f.rule] = (res.rules[f.rule] ?? 0) + 1;
        if (best === null || SEVERITY_RANK[f.severity] > SEVERITY_RANK[best.severity]) best = f;
      }
    });
    w?.end(sum);
    res.sessions = sum.sessionCount;
    const fatal = sum.problems.find((p) => p.level === "error");
    const messages = sum.problems.map((p) => `byte ${p.offset}: ${p.message}`);
    if (fatal && sum.packets === 0) res.error = `byte ${fatal.offset}: ${fatal.message}`;
    else res.problems = messages;
    if (job.json) {
      res.doc = parts.join("");
      // an unreadable file's record says why, in an "error" field
      if (res.error) res.doc = res.doc.slice(0, -1) + `,"error":${JSON.stringify(res.error)}}`;
    }
  } catch (err) {
    res.error = `internal error: ${(err as Error).message}`;
    if (job.json) res.doc = JSON.stringify({ file: displayPath(job.path), error: res.error });
  }
  const b = best as Finding | null;
  if (b) res.worst = { rule: b.rule, severity: b.severity };
  return res;
}
