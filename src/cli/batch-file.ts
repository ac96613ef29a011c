import { offsetText } from "../capture/types.js";
import { displayPath, type AnalyzeOptions, type FileSummary } from "../analyze.js";
import type { JudgedSession } from "../rules/engine.js";
import { loadFormat } from "../report/formats.js";
import { batchHtmlFileData, fileSha256, type BatchHtmlFile, type FileD } from "../report/html/index.js";
import { fileError } from "../report/json.js";
import { tee, type FileReporter, type ReportContext } from "../report/reporter.js";
import { reportFile } from "./report-file.js";
import { SEVERITY_RANK, type Finding, type Severity } from "../rules/types.js";

/** What one judged session contributes to a file's result, taken when it is judged. */
interface Prepared {
  undetermined: boolean;
  findings: Finding[];
  /** kept for the page */
  session: JudgedSession | null;
}

export interface BatchJob {
  id: number;
  path: string;
  /** the file's size, for the progress bar */
  bytes: number;
  opts: Partial<AnalyzeOptions>;
  /** the format whose per-file output is handed on (json, ndjson, compact, junit: src/report/formats.ts); null: none (table, html) */
  format: string | null;
  /** what the format needs to know of the run */
  ctx: ReportContext;
  /** batch --format html: hand on the file's page data (`page`) */
  html?: boolean;
}

export interface BatchResult {
  kind: "result";
  id: number;
  path: string;
  bytes: number;
  sessions: number;
  /** sessions whose verdict is "undetermined" (the capture lacks what a judgement needs) */
  undetermined: number;
  counts: { error: number; warning: number; info: number };
  /** rule id → findings, for the footer */
  rules: Record<string, number>;
  /** the most severe rule found (first by severity, then by count) */
  worst: { rule: string; severity: Severity } | null;
  /** why the file could not be read (entirely, or from some byte before its end) */
  error: { message: string; offset?: number } | null;
  /** what stderr says about the file: its reading problems */
  summary: Pick<FileSummary, "file" | "format" | "problems"> & { gzip?: boolean };
  doc: string | null;
  /**
   * --format html: the file's page data — its sessions with findings or a verdict other than
   * "none", all its findings, its summary (plain JSON, small next to the capture)
   */
  page: FileD | null;
}

/** A piece of a file's JSON output, sent ahead of its result so no report is held whole. */
export interface BatchChunk {
  kind: "chunk";
  id: number;
  data: string;
}

/** JSON output is handed on in pieces of about this many characters. */
const CHUNK_CHARS = 1 << 20;

/**
 * Analyse one file of a batch; never throws. JSON output goes to `onChunk` in pieces as sessions
 * are judged; the rest is in the result's `doc`.
 */
export async function analyzeFileSummary(job: BatchJob, onChunk: (c: BatchChunk) => void = () => {}): Promise<BatchResult> {
  const file = displayPath(job.path);
  const res: BatchResult = {
    kind: "result",
    id: job.id,
    path: job.path,
    bytes: job.bytes,
    sessions: 0,
    undetermined: 0,
    counts: { error: 0, warning: 0, info: 0 },
    rules: {},
    worst: null,
    error: null,
    summary: { file, format: "unknown", problems: [] },
    doc: null,
    page: null,
  };
  let parts: string[] = [];
  let size = 0;
  const collect = (s: string) => {
    parts.push(s);
    size += s.length;
    if (size >= CHUNK_CHARS) {
      onChunk({ kind: "chunk", id: job.id, data: parts.join("") });
      parts = [];
      size = 0;
    }
  };
  let best: Finding | null = null;
  // --format html: only what the page shows of the file
  const kept: JudgedSession[] = [];
  const keptFindings: Finding[] = [];
  // the table's statistics of each session, taken as soon as it is judged (the session model
  // itself is kept only where the page shows it)
  const row: FileReporter<Prepared> = {
    prepare: (s, fs) => ({
      undetermined: s.verdict.fault === "undetermined",
      findings: fs,
      session: job.html && (fs.length > 0 || s.verdict.fault !== "none") ? s : null,
    }),
    session(p, index) {
      const s = p.session;
      if (s !== null) {
        s.index = index;
        for (const f of p.findings) f.session = index;
        kept.push(s);
        keptFindings.push(...p.findings);
      }
      if (p.undetermined) res.undetermined++;
      for (const f of p.findings) {
        res.rules[f.rule] = (res.rules[f.rule] ?? 0) + 1;
        if (best === null || SEVERITY_RANK[f.severity] > SEVERITY_RANK[best.severity]) best = f;
      }
    },
    omit() {},
    endFile() {},
  };
  try {
    // the file's output in the chosen format (json, ndjson, compact, junit), by its reporter
    const format = job.format === null ? null : await loadFormat(job.format);
    const fr = format === null ? row : tee(row, format.file(file, job.id, collect, job.ctx));
    const { summary: sum, counts } = await reportFile(job.path, job.opts, fr as FileReporter<unknown>);
    res.counts = counts;
    res.sessions = sum.sessionCount;
    res.error = fileError(sum);
    res.summary = { file, format: sum.format, gzip: sum.gzip, problems: sum.problems };
    if (format !== null) res.doc = parts.join("");
    if (job.html) {
      const { sessionCount, ...rest } = sum;
      // a file with nothing read is "unreadable" on the page; one damaged part-way shows what was
      // read, with its problem listed
      const unreadableAll = res.error !== null && sum.packets === 0;
      res.page = batchHtmlFileData(
        { ...rest, sessions: kept, findings: keptFindings, sessionCount, error: unreadableAll ? errorText(res.error!, sum.format, sum.gzip) : null },
        { showSecrets: !!job.opts.showSecrets, sha256: { [file]: unreadableAll ? "" : fileSha256(job.path) } },
      );
    }
  } catch (err) {
    res.error = { message: `internal error: ${(err as Error).message}` };
    res.summary = { file, format: "unknown", problems: [{ level: "error", offset: 0, message: res.error.message }] };
    // (a file that failed half-way through its JSON cannot be mended: its record ends here)
    if (job.html) res.page = batchHtmlFileData(errorReport(file, res.error.message), { showSecrets: !!job.opts.showSecrets, sha256: { [file]: "" } });
    if (job.format === "json" || job.format === "ndjson") res.doc = JSON.stringify({ ...(job.format === "ndjson" ? { type: "file" } : {}), file, error: res.error }) + (job.format === "ndjson" ? "\n" : "");
  }
  const b = best as Finding | null;
  if (b) res.worst = { rule: b.rule, severity: b.severity };
  return res;
}

/** A reading error as the table and the page show it: `byte N: …` when the file's format was recognised. */
export function errorText(e: { message: string; offset?: number }, format: string, gzip = false): string {
  return (e.offset !== undefined && format !== "unknown" ? `${offsetText(e.offset, gzip)}: ` : "") + e.message;
}

/** The page data of a file that failed before anything was read. */
function errorReport(file: string, message: string): BatchHtmlFile {
  const stats = { frames: 0, tcpPackets: 0, tcpConnections: 0, nonTcp: 0, ipFragments: 0, malformed: 0, connectionsWithoutPayload: 0, notSmtp: 0 };
  return { file, format: "unknown", gzip: false, packets: 0, bytes: 0, stats, problems: [], sessions: [], findings: [], sessionCount: 0, error: message };
}
