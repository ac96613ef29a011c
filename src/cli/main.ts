import { Command, CommanderError, Option } from "commander";
import { analyzeStream, displayPath, type AnalyzeOptions, type FileSummary } from "../analyze.js";
import { ALL_RULES } from "../rules/index.js";
import type { Finding, Severity } from "../rules/types.js";
import { JsonFileWriter } from "../report/json.js";
import { textFooter, textHeader, textSession, type TextOptions } from "../report/text.js";
import { escapeText } from "../text/escape.js";
import { explainRule, listRules } from "../report/rules.js";
import type { BatchFlags } from "./batch.js";
import { registerCompare } from "./compare.js";

export type FailOn = Severity | "never";

export interface CommonFlags {
  format: string;
  failOn: FailOn;
  disable?: string;
  only?: string;
  splitDelayMs: number;
  latencyMs: number;
  port: number[];
  showSecrets?: boolean;
  showData?: boolean;
  color: boolean;
  maxOpenFlows: number;
  maxOooBytes: number;
  verbose?: boolean;
}

export function intArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CommanderError(2, "smtpcap.usage", `not a whole number: ${v}`);
  return n;
}

export function portArg(v: string, prev: number[]): number[] {
  const n = intArg(v);
  if (n < 1 || n > 65535) throw new CommanderError(2, "smtpcap.usage", `not a port: ${v}`);
  return [...prev, n];
}

function ruleList(v: string | undefined): string[] {
  if (!v) return [];
  const ids = v.split(",").map((x) => x.trim()).filter(Boolean);
  for (const id of ids) {
    if (!ALL_RULES.some((r) => r.meta.id === id)) throw new CommanderError(2, "smtpcap.usage", `unknown rule: ${id} (see 'smtpcap rules')`);
  }
  return ids;
}

export function analyzeOptions(f: CommonFlags): Partial<AnalyzeOptions> {
  return {
    ports: f.port,
    showSecrets: !!f.showSecrets,
    showData: !!f.showData,
    maxOpenFlows: f.maxOpenFlows,
    maxOutOfOrderBytes: f.maxOooBytes,
    splitDelayMs: f.splitDelayMs,
    latencyMs: f.latencyMs,
    only: ruleList(f.only),
    disable: ruleList(f.disable),
  };
}

export function useColor(flag: boolean, stream: NodeJS.WriteStream): boolean {
  return flag && !!stream.isTTY && !("NO_COLOR" in process.env) && process.env.TERM !== "dumb";
}

export interface Counts { error: number; warning: number; info: number }

/** Does any finding reach the --fail-on level? */
export function reachesCounts(c: Counts, failOn: FailOn): boolean {
  if (failOn === "never") return false;
  if (failOn === "info") return c.error + c.warning + c.info > 0;
  if (failOn === "warning") return c.error + c.warning > 0;
  return c.error > 0;
}

/** A file from which nothing at all could be read. */
export function unreadableSummary(sum: { problems: FileSummary["problems"]; packets: number }): boolean {
  return sum.problems.some((p) => p.level === "error") && sum.packets === 0;
}

export function problemLines(sum: { file: string; problems: FileSummary["problems"] }): string[] {
  return sum.problems.map((p) => `smtpcap: ${escapeText(sum.file)}: byte ${p.offset}: ${p.level === "warning" ? "warning: " : ""}${escapeText(p.message)}`);
}

/** Buffers output into large writes. */
export class Output {
  private buf: string[] = [];
  private size = 0;

  constructor(private readonly sink: (s: string) => void) {}

  write(s: string): void {
    this.buf.push(s);
    this.size += s.length;
    if (this.size > 1 << 20) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    this.sink(this.buf.join(""));
    this.buf = [];
    this.size = 0;
  }
}

/** Analyse one file and write its report in `format` as sessions are judged. */
export async function streamFile(file: string, opts: Partial<AnalyzeOptions>, format: string, text: TextOptions, out: Output, n: number): Promise<{ summary: FileSummary; counts: Counts }> {
  const counts: Counts = { error: 0, warning: 0, info: 0 };
  const count = (fs: Finding[]) => { for (const f of fs) counts[f.severity]++; };
  let summary: FileSummary;
  if (format === "text") {
    out.write(textHeader(displayPath(file), text));
    summary = await analyzeStream(file, opts, (s, fs) => { count(fs); out.write(textSession(s, fs, text)); });
    out.write(textFooter(summary, counts));
  } else {
    if (format === "json" && n > 0) out.write(",");
    const w = new JsonFileWriter((s) => out.write(s), displayPath(file));
    summary = await analyzeStream(file, opts, (s, fs) => { count(fs); w.session(s, fs); });
    w.end(summary);
    if (format === "ndjson") out.write("\n");
  }
  return { summary, counts };
}

function addCommon(cmd: Command): Command {
  return cmd
    .addOption(new Option("--fail-on <level>", "exit 1 when a finding reaches this severity").choices(["error", "warning", "info", "never"]).default("error"))
    .option("--disable <rules>", "comma-separated rule ids not to run")
    .option("--only <rules>", "comma-separated rule ids to run (no others)")
    .option("--split-delay-ms <ms>", "gap inside one reply reported by reply-split-delay", intArg, 200)
    .option("--latency-ms <ms>", "reply time reported by server-reply-latency (phase minimums apply too)", intArg, 30000)
    .option("--port <port>", "also treat this TCP port as SMTP (repeatable)", portArg, [] as number[])
    .option("--show-secrets", "show AUTH credentials instead of redacting them")
    .option("--show-data", "show the first 64 KiB of each message (never shown otherwise)")
    .option("--no-color", "no colour, even on a terminal")
    .option("--max-open-flows <n>", "SMTP connections followed at once; more are counted and skipped", intArg, 100000)
    .option("--max-ooo-bytes <n>", "out-of-order bytes buffered per direction before the hole becomes a gap", intArg, 4 * 1024 * 1024);
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("smtpcap")
    .description("Explains, frame by frame and with RFC citations, who broke the SMTP protocol in a packet capture.")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  addCommon(
    program
      .command("analyze")
      .description("analyse capture files (pcap, pcapng, gzip; '-' for stdin) and report per SMTP session")
      .argument("<files...>", "capture files")
      .addOption(new Option("--format <format>", "output format").choices(["text", "json", "ndjson"]).default("text"))
      .option("-v, --verbose", "show every line of long replies"),
  )
    .addHelpText("after", "\nExit status: 0 no finding at or above --fail-on; 1 a finding reached it; 2 usage error, or nothing could be read.")
    .action(async (files: string[], flags: CommonFlags) => {
      const opts = analyzeOptions(flags);
      if (flags.showSecrets) process.stderr.write("smtpcap: warning: --show-secrets prints credentials from the capture\n");
      const out = new Output((s) => process.stdout.write(s));
      const text = { color: useColor(flags.color, process.stdout), verbose: !!flags.verbose };
      let failed = false;
      let readable = 0;
      if (flags.format === "json" && files.length > 1) out.write("[");
      for (const [n, file] of files.entries()) {
        const r = await streamFile(file, opts, flags.format, text, out, n);
        out.flush();
        for (const l of problemLines(r.summary)) process.stderr.write(l + "\n");
        if (reachesCounts(r.counts, flags.failOn)) failed = true;
        if (!unreadableSummary(r.summary)) readable++;
      }
      if (flags.format === "json" && files.length > 1) out.write("]");
      if (flags.format === "json") out.write("\n");
      out.flush();
      if (readable === 0) process.exitCode = 2;
      else process.exitCode = failed ? 1 : 0;
    });

  addCommon(
    program
      .command("batch")
      .description("check folders of captures in parallel; one summary row per file")
      .argument("<paths...>", "folders (walked recursively) and files")
      .addOption(new Option("--format <format>", "output format").choices(["table", "json", "ndjson"]).default("table"))
      .option("-j, --jobs <n>", "worker threads (default: number of CPUs)", intArg)
      .option("--all-files", "sniff every file's magic instead of going by its name")
      .option("-q, --quiet", "no progress bar"),
  )
    .addHelpText("after", "\nExit status: 0 every file readable and no finding at or above --fail-on; 1 a finding reached it or a file was unreadable; 2 usage error.")
    .action(async (paths: string[], flags: BatchFlags) => {
      // loaded on demand: analyze should not pay for the table package and worker threads
      const { runBatch } = await import("./batch.js");
      process.exitCode = await runBatch(paths, flags);
    });

  registerCompare(program);

  program
    .command("rules")
    .description("list every rule: id, severity, fault side, reference")
    .option("--format <format>", "text or json", "text")
    .action((flags: { format: string }) => {
      process.stdout.write(listRules(flags.format === "json"));
    });

  program
    .command("explain")
    .description("what a rule means, why it matters and how to fix it")
    .argument("<rule>", "rule id")
    .action((id: string) => {
      const text = explainRule(id);
      if (text === null) throw new CommanderError(2, "smtpcap.usage", `unknown rule: ${id} (see 'smtpcap rules')`);
      process.stdout.write(text);
    });
  return program;
}

/** The reader of our output went away (`smtpcap … | head`): stop quietly; any other write error in one line. */
function onOutputError(err: NodeJS.ErrnoException): void {
  if (err.code === "EPIPE") process.exit(0);
  process.stderr.write(`smtpcap: cannot write the output: ${err.message}\n`);
  process.exit(2);
}

export async function main(argv: string[]): Promise<number> {
  if (process.stdout.listenerCount("error") === 0) process.stdout.on("error", onOutputError);
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // no command at all is a usage error (the help was printed); asking for help is not
      if (err.code === "commander.help" && argv.length <= 2) return 2;
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return 0;
      if (err.code.startsWith("smtpcap.")) process.stderr.write(`smtpcap: ${err.message}\n`);
      return 2;
    }
    const e = err as Error;
    process.stderr.write(`smtpcap: internal error: ${e && e.message ? e.message : String(err)}${process.env.SMTPCAP_DEBUG ? "\n" + e.stack : ""}\n`);
    return 2;
  }
}
