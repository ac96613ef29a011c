/** `smtpcap analyze`: one report per file, streamed session by session. */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { analyzeFile, analyzeStream, analyzeStreamPrepared, displayPath, type AnalyzeOptions, type FileReport, type FileSummary } from "../analyze.js";
import type { JudgedSession } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import { compactSession } from "../report/compact.js";
import { jsonReportEnd, jsonReportStart, JsonFileWriter, prepareSession } from "../report/json.js";
import { prepareTextSession, summaryLine, textFooter, textHeader, textSessionAt, type TextOptions } from "../report/text.js";
import { parseZone, UTC, type Zone } from "../report/time.js";
import {
  EXIT,
  EXIT_HELP,
  Output,
  addCommon,
  analyzeOptions,
  atLeast0,
  exitStatus,
  problemLines,
  reachesCounts,
  repeatable,
  unreadable,
  useColor,
  type CommonFlags,
  type Counts,
} from "./options.js";

export const ANALYZE_FORMATS = ["text", "json", "ndjson", "compact", "html"] as const;

export interface AnalyzeFlags extends CommonFlags {
  verbose?: boolean;
  stream?: number[];
  session?: number[];
  onlyFindings?: boolean;
  summary?: boolean;
  tz: Zone;
}

export type Selector = ((s: JudgedSession) => boolean) & {
  matched: number;
  active: boolean;
  /** the same question by tcp.stream and session index */
  pick(tcpStream: number, index: number): boolean;
  /** whether a session of this tcp.stream may be chosen, before its index is known (counts nothing) */
  mayPick(tcpStream: number): boolean;
};

/** Which sessions the user asked for (--stream, --session); all when neither is given. Counts the matches. */
export function selector(flags: Pick<AnalyzeFlags, "stream" | "session">): Selector {
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

function zoneArg(v: string): Zone {
  const z = parseZone(v);
  if (z === null) throw new InvalidArgumentError("expected UTC, local or ±HH:MM.");
  return z;
}

interface FileResult { summary: FileSummary; counts: Counts }

/** Analyse one file and write its report in the chosen format as sessions are judged. */
async function streamFile(file: string, opts: Partial<AnalyzeOptions>, flags: AnalyzeFlags, chosen: Selector, text: TextOptions, out: Output, n: number, shownBefore: boolean): Promise<FileResult & { headed: boolean }> {
  const counts: Counts = { error: 0, warning: 0, info: 0 };
  const name = displayPath(file);
  const format = flags.summary ? "summary" : flags.format;
  const count = (fs: Finding[]) => {
    for (const f of fs) counts[f.severity]++;
  };
  // whether a judged session may be shown, before its index is known: when not, a placeholder
  // (no findings to count: either not selected, or none) is written in its place, to be skipped
  const shownLater = (s: JudgedSession, fs: Finding[]) => chosen.mayPick(s.tcpStream) && (!flags.onlyFindings || fs.length > 0);
  const notShown = (s: JudgedSession) => ({ tcpStream: s.tcpStream, severities: [], head: "", findings: [], tail: "", before: "", after: "" });
  if (format === "json" || format === "ndjson") {
    if (format === "json" && n > 0) out.write(",");
    const w = new JsonFileWriter((s) => out.write(s), name, format);
    // each session's text is made as soon as it is judged, and written in order (PreparedSink)
    const summary = await analyzeStreamPrepared(file, opts, {
      // a session that will not be shown (another --stream; no finding with --only-findings) is not written out
      prepare: (s, fs) => (shownLater(s, fs) ? prepareSession(s, fs) : notShown(s)),
      write: (p, index) => {
        // sessions shown: selected, and with a finding when --only-findings
        if (!chosen.pick(p.tcpStream, index) || (flags.onlyFindings && p.severities.length === 0)) return w.skip();
        for (const sev of p.severities) counts[sev]++;
        w.write(p, index);
      },
    });
    w.end(summary);
    return { summary, counts, headed: true };
  }
  if (format === "compact") {
    const summary = await analyzeStream(file, opts, (s, fs) => {
      if (!chosen(s)) return;
      count(fs);
      out.write(compactSession(name, s, fs));
    });
    return { summary, counts, headed: false };
  }
  // text and summary: the file's name comes first, written with the first session (a file that
  // cannot be opened at all gets only its line on stderr)
  let headed = false;
  const head = () => {
    if (!headed) out.write((shownBefore ? "\n" : "") + textHeader(name, text));
    headed = true;
  };
  const withoutFindings: number[] = [];
  let notSelected = 0;
  // one session of the text or summary report: counted when selected, listed by number when
  // --only-findings hides it, otherwise written after the file's header
  const show = (picked: boolean, tcpStream: number, severities: readonly Finding["severity"][], body: () => string) => {
    if (!picked) {
      notSelected++;
      return;
    }
    for (const sev of severities) counts[sev]++;
    if (flags.onlyFindings && severities.length === 0) {
      withoutFindings.push(tcpStream);
      return;
    }
    head();
    out.write(body());
  };
  const summary = format === "text"
    // each session's block is made as soon as it is judged, and written in order (PreparedSink)
    ? await analyzeStreamPrepared(file, opts, {
      prepare: (s, fs) => (shownLater(s, fs) ? prepareTextSession(s, fs, text) : notShown(s)),
      write: (p, index) => show(chosen.pick(p.tcpStream, index), p.tcpStream, p.severities, () => textSessionAt(p, index)),
    })
    : await analyzeStream(file, opts, (s, fs) => show(chosen(s), s.tcpStream, fs.map((f) => f.severity), () => summaryLine(s, fs)));
  if (summary.packets > 0 || !unreadable(summary)) {
    head();
    out.write(textFooter(summary, counts, text, { withoutFindings, notSelected }));
  }
  return { summary, counts, headed };
}

/** --format html: the whole reports are needed at once (the page is one document). */
async function htmlFiles(files: string[], opts: Partial<AnalyzeOptions>, flags: AnalyzeFlags, chosen: Selector, out: Output): Promise<FileResult[]> {
  const reports: FileReport[] = [];
  const results: FileResult[] = [];
  for (const file of files) {
    const rep = await analyzeFile(file, opts);
    const keep = new Set(rep.sessions.filter((s) => chosen(s) && (!flags.onlyFindings || rep.findings.some((f) => f.session === s.index))).map((s) => s.index));
    const findings = rep.findings.filter((f) => keep.has(f.session));
    const counts: Counts = { error: 0, warning: 0, info: 0 };
    for (const f of findings) counts[f.severity]++;
    reports.push({ ...rep, sessions: rep.sessions.filter((s) => keep.has(s.index)), findings });
    const { sessions, findings: _f, ...rest } = rep;
    results.push({ summary: { ...rest, sessionCount: sessions.length }, counts });
  }
  // loaded only for this format: the page's script, node:crypto and node:zlib (~5 ms at startup)
  const { htmlReport } = await import("../report/html/index.js");
  out.write(htmlReport(reports, { showSecrets: !!flags.showSecrets }));
  return results;
}

export function registerAnalyze(program: Command): void {
  addCommon(
    program
      .command("analyze")
      .description("analyse capture files (pcap, pcapng, gzip; '-' for stdin) and report per SMTP session")
      .argument("<files...>", "capture files")
      .addOption(new Option("--format <format>", "output format (compact: one line per finding)").choices([...ANALYZE_FORMATS]).default("text"))
      .option("--stream <n>", "only this TCP stream (Wireshark's tcp.stream; repeatable)", repeatable(atLeast0))
      .option("--session <n>", "only this session (its number in the report; repeatable)", repeatable(atLeast0))
      .option("--only-findings", "only sessions with findings (the others are counted in one line)")
      .option("--summary", "one line per session: stream, endpoints, verdict (text only)")
      .addOption(new Option("--tz <zone>", "time zone of absolute times in the text report: UTC, local or ±HH:MM").argParser(zoneArg).default(UTC, "UTC"))
      .option("-v, --verbose", "show every line of long replies"),
  )
    .addHelpText("after", EXIT_HELP)
    .action(async (files: string[], flags: AnalyzeFlags) => {
      if (flags.summary && flags.format !== "text") throw new CommanderError(EXIT.usage, "smtpcap.usage", `--summary is a text view; it cannot be combined with --format ${flags.format}`);
      if (files.filter((f) => f === "-").length > 1) throw new CommanderError(EXIT.usage, "smtpcap.usage", "standard input ('-') can be read only once");
      const opts = analyzeOptions(flags);
      const out = new Output(flags.output);
      if (flags.showSecrets) process.stderr.write("smtpcap: warning: --show-secrets prints credentials from the capture\n");
      const text: TextOptions = { color: useColor(flags.color, out.isTTY), verbose: !!flags.verbose, zone: flags.tz, width: out.width };
      let results: FileResult[] = [];
      const chosen = selector(flags);
      if (flags.format === "html") results = await htmlFiles(files, opts, flags, chosen, out);
      else {
        if (flags.format === "json") out.write(jsonReportStart());
        let shownBefore = false;
        for (const [n, file] of files.entries()) {
          const r = await streamFile(file, opts, flags, chosen, text, out, n, shownBefore);
          shownBefore ||= r.headed;
          out.flush();
          for (const l of problemLines(r.summary)) process.stderr.write(l + "\n");
          results.push(r);
        }
        if (flags.format === "json") out.write(jsonReportEnd());
      }
      out.close();
      if (flags.format === "html") for (const r of results) for (const l of problemLines(r.summary)) process.stderr.write(l + "\n");
      if (chosen.active && chosen.matched === 0) {
        const asked = [...(flags.stream ?? []).map((n) => `--stream ${n}`), ...(flags.session ?? []).map((n) => `--session ${n}`)].join(", ");
        process.stderr.write(`smtpcap: warning: no SMTP session matches ${asked}\n`);
      }
      process.exitCode = exitStatus(
        results.some((r) => unreadable(r.summary)),
        results.some((r) => reachesCounts(r.counts, flags.failOn)),
      );
    });
}
