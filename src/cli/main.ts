import { Command, CommanderError, Option } from "commander";
import { analyzeFile, type AnalyzeOptions, type FileReport } from "../analyze.js";
import { ALL_RULES } from "../rules/index.js";
import { SEVERITY_RANK, type Severity } from "../rules/types.js";
import { toJson } from "../report/json.js";
import { toText } from "../report/text.js";
import { escapeText } from "../report/escape.js";
import { explainRule, listRules } from "../report/rules.js";
import { runBatch } from "./batch.js";

export type FailOn = Severity | "never";

export interface CommonFlags {
  format: string;
  failOn: FailOn;
  disable?: string;
  only?: string;
  splitDelayMs: number;
  port: number[];
  showSecrets?: boolean;
  color: boolean;
  maxOpenFlows: number;
  maxOooBytes: number;
  verbose?: boolean;
}

function intArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CommanderError(2, "smtpcap.usage", `not a whole number: ${v}`);
  return n;
}

function portArg(v: string, prev: number[]): number[] {
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
    maxOpenFlows: f.maxOpenFlows,
    maxOutOfOrderBytes: f.maxOooBytes,
    splitDelayMs: f.splitDelayMs,
    only: ruleList(f.only),
    disable: ruleList(f.disable),
  };
}

export function useColor(flag: boolean, stream: NodeJS.WriteStream): boolean {
  return flag && !!stream.isTTY && !("NO_COLOR" in process.env) && process.env.TERM !== "dumb";
}

/** Does any finding reach the --fail-on level? */
export function reaches(rep: FileReport, failOn: FailOn): boolean {
  if (failOn === "never") return false;
  const min = SEVERITY_RANK[failOn];
  return rep.findings.some((f) => SEVERITY_RANK[f.severity] >= min);
}

/** A file from which nothing at all could be read. */
export function unreadable(rep: FileReport): boolean {
  return rep.problems.some((p) => p.level === "error") && rep.packets === 0;
}

export function problemLines(rep: FileReport): string[] {
  return rep.problems.map((p) => `smtpcap: ${escapeText(rep.file)}: byte ${p.offset}: ${p.level === "warning" ? "warning: " : ""}${escapeText(p.message)}`);
}

function addCommon(cmd: Command): Command {
  return cmd
    .addOption(new Option("--fail-on <level>", "exit 1 when a finding reaches this severity").choices(["error", "warning", "info", "never"]).default("error"))
    .option("--disable <rules>", "comma-separated rule ids not to run")
    .option("--only <rules>", "comma-separated rule ids to run (no others)")
    .option("--split-delay-ms <ms>", "gap inside one reply reported by reply-split-delay", intArg, 200)
    .option("--port <port>", "also treat this TCP port as SMTP (repeatable)", portArg, [] as number[])
    .option("--show-secrets", "show AUTH credentials instead of redacting them")
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
      const reports: FileReport[] = [];
      let failed = false;
      for (const file of files) {
        const rep = await analyzeFile(file, opts);
        for (const l of problemLines(rep)) process.stderr.write(l + "\n");
        reports.push(rep);
        if (flags.format === "text") process.stdout.write(toText(rep, { color: useColor(flags.color, process.stdout), verbose: !!flags.verbose }));
        else if (flags.format === "ndjson") process.stdout.write(JSON.stringify(toJson(rep)) + "\n");
        if (reaches(rep, flags.failOn)) failed = true;
      }
      if (flags.format === "json") {
        const docs = reports.map(toJson);
        process.stdout.write(JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 1) + "\n");
      }
      if (reports.every(unreadable)) process.exitCode = 2;
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
    .action(async (paths: string[], flags: CommonFlags & { jobs?: number; allFiles?: boolean; quiet?: boolean }) => {
      process.exitCode = await runBatch(paths, flags);
    });

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

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return 0;
      if (err.code.startsWith("smtpcap.")) process.stderr.write(`smtpcap: ${err.message}\n`);
      return 2;
    }
    const e = err as Error;
    process.stderr.write(`smtpcap: internal error: ${e && e.message ? e.message : String(err)}${process.env.SMTPCAP_DEBUG ? "\n" + e.stack : ""}\n`);
    return 2;
  }
}
