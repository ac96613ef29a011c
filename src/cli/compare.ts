import { Option, type Command } from "commander";
import { Output, intArg, portArg, problemLines, useColor } from "./options.js";

interface CompareFlags {
  format: "text" | "json" | "html";
  output?: string;
  delayMs: number;
  port: number[];
  showSecrets?: boolean;
  color: boolean;
}

/**
 * Registers `smtpcap compare A B`: two captures of one path, lined up (issue #14).
 * `--format html`: one self-contained page (src/report/html/compare.ts) with a three-lifeline
 * ladder per pair; to standard output unless -o, as `analyze --format html`.
 */
export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description("two captures of the same path (e.g. client side and server side of a firewall): pair the sessions and show what changed between the capture points")
    .argument("<a>", "first capture")
    .argument("<b>", "second capture (either order)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "html"]).default("text"))
    .option("-o, --output <file>", "write the report to this file instead of standard output")
    .option("--delay-ms <ms>", "held back this long beyond the usual transit is reported as delayed", intArg, 200)
    .option("--port <port>", "also treat this TCP port as SMTP (repeatable)", portArg, [] as number[])
    .option("--show-secrets", "show AUTH credentials instead of redacting them")
    .option("--no-color", "no colour, even on a terminal")
    .addHelpText("after", "\nExit status (as diff): 0 no change between the capture points; 1 a change was found; 2 usage error, or a capture could not be read.")
    .action(async (a: string, b: string, flags: CompareFlags) => {
      if (flags.showSecrets) process.stderr.write("smtpcap: warning: --show-secrets prints credentials from the capture\n");
      // loaded on demand: analyze should not pay for the comparison at startup
      const { compareCaptures, loadCapture } = await import("../compare/index.js");
      const { compareText } = await import("../compare/text.js");
      const opts = { ports: flags.port, showSecrets: !!flags.showSecrets };
      const ca = await loadCapture(a, opts);
      const cb = await loadCapture(b, opts);
      let unreadable = false;
      for (const c of [ca, cb]) {
        // the same lines as analyze and batch write for a file's reading problems
        for (const l of problemLines(c.report)) process.stderr.write(l + "\n");
        if (c.report.packets === 0 && c.report.problems.some((p) => p.level === "error")) unreadable = true;
      }
      if (unreadable) {
        process.exitCode = 2;
        return;
      }
      const report = compareCaptures(ca, cb, { delayMs: flags.delayMs });
      // output and colour as analyze's: -o or standard output, colour by the same rules (--no-color, NO_COLOR, FORCE_COLOR, a terminal)
      const out = new Output(flags.output);
      const color = useColor(flags.color ? "auto" : false, out.isTTY);
      let text: string;
      if (flags.format === "json") text = JSON.stringify(report, null, 2) + "\n";
      else if (flags.format === "html") {
        const { compareHtmlReport } = await import("../report/html/compare.js");
        text = compareHtmlReport(report, { showSecrets: !!flags.showSecrets, clocks: { a: ca.report.clock, b: cb.report.clock } });
      } else text = compareText(report, { color });
      out.write(text);
      out.close();
      // as diff(1): 1 when something changed between the capture points
      process.exitCode = report.pairs.some((p) => p.changes.length > 0) ? 1 : 0;
    });
}
