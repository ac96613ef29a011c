import "./v8-tuning.js";
import { Command, CommanderError, Option } from "commander";
import { describeProduct, listProducts } from "../products/describe.js";
import { explainRule, listRules } from "../report/rules.js";
import { TOOL } from "../report/tool.js";
import { registerAnalyze } from "./analyze-command.js";
import { registerCompare } from "./compare.js";
import { registerWatch } from "./watch.js";
import { EXIT, EXIT_HELP, addCommon, atLeast1, unknownRule } from "./options.js";
import type { BatchFlags } from "./batch.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("smtpcap")
    .description("Explains, frame by frame and with RFC citations, who broke the SMTP protocol in a packet capture.")
    .version(TOOL.version, "-V, --version", "print the version")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  registerAnalyze(program);

  addCommon(
    program
      .command("batch")
      .description("check folders of captures in parallel; one summary row per file ('-' for stdin)")
      .argument("<paths...>", "folders (walked recursively) and files")
      .addOption(new Option("--format <format>", "output format (compact: one line per finding; junit: JUnit XML for CI; html: one page)").choices(["table", "json", "ndjson", "compact", "junit", "html"]).default("table"))
      .option("-j, --jobs <n>", "worker threads (default: CPUs - 1, at least 1)", atLeast1)
      .option("--all-files", "sniff every file's magic instead of going by its name")
      .option("-q, --quiet", "no progress bar"),
  )
    .addHelpText("after", EXIT_HELP)
    .action(async (paths: string[], flags: BatchFlags) => {
      // loaded on demand: analyze should not pay for worker threads
      const { runBatch } = await import("./batch.js");
      process.exitCode = await runBatch(paths, flags);
    });

  registerCompare(program);

  registerWatch(program);

  program
    .command("rules")
    .description("list every rule: id, severity, fault side, reference")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action((flags: { format: string }) => {
      process.stdout.write(listRules(flags.format === "json"));
    });

  program
    .command("explain")
    .description("what a rule means, why it matters and how to fix it (or, for a product id, what smtpcap knows of it)")
    .argument("<rule>", "rule id or product id")
    .action((id: string) => {
      const text = explainRule(id) ?? describeProduct(id);
      if (text === null) throw unknownRule(id);
      process.stdout.write(text);
    });
  program
    .command("products")
    .description("the product catalogue: what identifies each server, client and middlebox, the settings behind its behaviour, and the sources")
    .argument("[id]", "one product id")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action((id: string | undefined, flags: { format: string }) => {
      const json = flags.format === "json";
      if (id === undefined) return void process.stdout.write(listProducts(json));
      const text = describeProduct(id, json);
      if (text === null) throw new CommanderError(EXIT.usage, "smtpcap.usage", `unknown product: ${id} (see 'smtpcap products')`);
      process.stdout.write(text);
    });
  return program;
}

/** The reader of our output went away (`smtpcap … | head`): stop quietly; any other write error in one line. */
function onOutputError(err: NodeJS.ErrnoException): void {
  if (err.code === "EPIPE") process.exit(0);
  process.stderr.write(`smtpcap: cannot write the output: ${err.message}\n`);
  process.exit(EXIT.usage);
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
      if (err.code === "commander.help" && argv.length <= 2) return EXIT.usage;
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return 0;
      if (err.code.startsWith("smtpcap.")) process.stderr.write(`smtpcap: ${err.message}\n`);
      return EXIT.usage;
    }
    const e = err as Error;
    if ((err as NodeJS.ErrnoException).code === "EPIPE") return 0;
    process.stderr.write(`smtpcap: internal error: ${e && e.message ? e.message : String(err)}${process.env.SMTPCAP_DEBUG ? "\n" + e.stack : ""}\n`);
    return EXIT.usage;
  }
}
