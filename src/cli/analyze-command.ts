/** `smtpcap analyze`: one report per file, streamed session by session. */
import { availableParallelism } from "node:os";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { displayPath } from "../analyze.js";
import { loadFormat } from "../report/formats.js";
import type { ReportContext, TextOptions } from "../report/reporter.js";
import { parseZone, UTC, type Zone } from "../report/time.js";
import { reportFile, selector, type FileResult, type Selector } from "./report-file.js";
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
} from "./options.js";

export const ANALYZE_FORMATS = ["text", "json", "ndjson", "compact", "junit", "html"] as const;

export interface AnalyzeFlags extends CommonFlags {
  verbose?: boolean;
  stream?: number[];
  session?: number[];
  onlyFindings?: boolean;
  summary?: boolean;
  lineBuffered?: boolean;
  tz: Zone;
  jobs?: number;
}

/**
 * Threads that analyse one large capture when -j is not given (the main thread, which also
 * reads, routes and writes, and jobs - 1 workers): as batch's default, CPUs - 1 (on 2 CPUs, one
 * thread). On the 200 MB replay on 2 cores, -j 2 took 1.35x the CPU time of -j 1 (3.9 s against
 * 2.9 s, interleaved, load average 6-8: the other helpers' work), down from 1.55x when the main
 * thread only routed to two workers; under that load its wall time lost too. The idle machine
 * decides whether the default becomes the CPUs (bench/run.mjs --only replay-200).
 */
export function defaultAnalyzeJobs(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

function jobsArg(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError("expected a whole number of at least 1.");
  return Number(v);
}

export { selector, type Selector };

function zoneArg(v: string): Zone {
  const z = parseZone(v);
  if (z === null) throw new InvalidArgumentError("expected UTC, local or ±HH:MM.");
  return z;
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
      .option("-v, --verbose", "show every line of long replies")
      .option("-l, --line-buffered", "write each session's report as soon as it is written (for a pipe that is read while smtpcap runs)")
      .option("-j, --jobs <n>", "threads for a large capture (32 MB and more: the main thread and n - 1 workers; default: CPUs - 1; 1: one thread)", jobsArg),
  )
    .addHelpText("after", EXIT_HELP)
    .action(async (files: string[], flags: AnalyzeFlags) => {
      if (flags.summary && flags.format !== "text") throw new CommanderError(EXIT.usage, "smtpcap.usage", `--summary is a text view; it cannot be combined with --format ${flags.format}`);
      if (files.filter((f) => f === "-").length > 1) throw new CommanderError(EXIT.usage, "smtpcap.usage", "standard input ('-') can be read only once");
      const opts = analyzeOptions(flags);
      const out = new Output(flags.output);
      out.lineBuffered = !!flags.lineBuffered;
      if (flags.showSecrets) process.stderr.write("smtpcap: warning: --show-secrets prints credentials from the capture\n");
      const text: TextOptions = { color: useColor(flags.color, out.isTTY), verbose: !!flags.verbose, zone: flags.tz, width: out.width };
      const ctx: ReportContext = { text, showSecrets: !!flags.showSecrets, failOn: flags.failOn };
      const chosen = selector(flags);
      // the format is looked up once; its envelope owns the output, a file reporter per file
      const format = await loadFormat(flags.summary ? "summary" : flags.format);
      const env = format.envelope((s) => out.write(s), ctx);
      const results: FileResult[] = [];
      env.begin();
      const jobs = flags.jobs ?? defaultAnalyzeJobs();
      for (const [n, file] of files.entries()) {
        // bytes (sessions packed on worker threads) follow the file's first text: the envelope has put its separator before that
        const fr = format.file(displayPath(file), n, (s) => env.piece(n, s), ctx, (b) => out.writeBytes(b));
        const sel = { chosen, onlyFindings: !!flags.onlyFindings };
        // a large file on worker threads (src/parallel/); loaded only then
        const par = jobs > 1 ? await import("./report-file-parallel.js") : null;
        const r = par !== null && par.takesParallelPath(file, jobs, format.name)
          ? await par.reportFileParallel(file, opts, fr, sel, { jobs, format: format.name, ctx, file: displayPath(file), n, streams: flags.stream ?? [], sessions: flags.session ?? [] })
          : await reportFile(file, opts, fr, sel);
        out.flush();
        if (!format.deferProblems) for (const l of problemLines(r.summary)) process.stderr.write(l + "\n");
        results.push(r);
      }
      env.end(results.map((r) => ({ file: r.summary.file, sessions: r.summary.sessionCount, counts: r.counts, unreadable: unreadable(r.summary) })));
      out.close();
      if (format.deferProblems) for (const r of results) for (const l of problemLines(r.summary)) process.stderr.write(l + "\n");
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
