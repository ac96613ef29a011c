/**
 * The driver between the analysis and a reporter (src/report/reporter.ts): reads one file,
 * decides which sessions are shown (--stream, --session, --only-findings), counts the findings
 * shown, and hands each session to the file reporter with its index. Used by analyze, the batch
 * workers and watch.
 */
import { analyzeStreamPrepared, type AnalyzeOptions, type FileSummary, type LiveOptions } from "../analyze.js";
import type { JudgedSession } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import type { Counts, FileReporter } from "../report/reporter.js";

export type Selector = ((s: JudgedSession) => boolean) & {
  matched: number;
  active: boolean;
  /** the same question by tcp.stream and session index */
  pick(tcpStream: number, index: number): boolean;
  /** whether a session of this tcp.stream may be chosen, before its index is known (counts nothing) */
  mayPick(tcpStream: number): boolean;
};

/** Which sessions the user asked for (--stream, --session); all when neither is given. Counts the matches. */
export function selector(flags: { stream?: number[]; session?: number[] }): Selector {
  const active = !!flags.stream?.length || !!flags.session?.length;
  const streams = new Set(flags.stream);
  const sessions = new Set(flags.session);
  const pick = (tcpStream: number, index: number): boolean => {
    const ok = !active || streams.has(tcpStream) || sessions.has(index);
    if (ok) sel.matched++;
    return ok;
  };
  const mayPick = (tcpStream: number): boolean => !active || streams.has(tcpStream) || sessions.size > 0;
  const sel: Selector = Object.assign((s: JudgedSession): boolean => pick(s.tcpStream, s.index), { matched: 0, active, pick, mayPick });
  return sel;
}

export interface Selection {
  chosen: Selector;
  onlyFindings: boolean;
}

/** A judged session as the driver holds it until it is written: the reporter's part is null when it will not be shown. */
interface Held<P> {
  tcpStream: number;
  severities: Finding["severity"][];
  body: P | null;
}

export interface FileResult {
  summary: FileSummary;
  counts: Counts;
}

/** Analyse `path` and report it through `fr`; all sessions are shown when `sel` is absent. */
export async function reportFile<P>(path: string, opts: Partial<AnalyzeOptions>, fr: FileReporter<P>, sel?: Selection, live?: LiveOptions): Promise<FileResult> {
  const counts: Counts = { error: 0, warning: 0, info: 0 };
  const summary = await analyzeStreamPrepared<Held<P>>(path, opts, {
    prepare(s, fs) {
      const severities: Finding["severity"][] = [];
      for (const f of fs) severities.push(f.severity);
      // a session that will not be shown (another --stream; no finding with --only-findings) is not written out
      const shown = sel === undefined || (sel.chosen.mayPick(s.tcpStream) && (!sel.onlyFindings || fs.length > 0));
      return { tcpStream: s.tcpStream, severities, body: shown ? fr.prepare(s, fs) : null };
    },
    write(p, index) {
      if (sel !== undefined && !sel.chosen.pick(p.tcpStream, index)) return fr.omit(p.tcpStream, "not-selected");
      for (const sev of p.severities) counts[sev]++;
      if (sel?.onlyFindings && p.severities.length === 0) return fr.omit(p.tcpStream, "no-findings");
      fr.session(p.body as P, index);
    },
  }, live);
  fr.endFile(summary, counts);
  return { summary, counts };
}
