import { CommanderError, Option, type Command } from "commander";
import { EXIT, Output, intArg, keylogArg, portArg, problemLines, useColor } from "./options.js";

interface CompareFlags {
  format: "text" | "json" | "html";
  output?: string;
  delayMs: number;
  port: number[];
  showSecrets?: boolean;
  tlsKeylog?: string[];
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
    .argument("<a>", "first capture ('-' for standard input)")
    .argument("<b>", "second capture (either order)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "html"]).default("text"))
    .option("-o, --output <file>", "write the report to this file instead of standard output")
    .option("--delay-ms <ms>", "held back this long beyond the usual transit is reported as delayed", intArg, 200)
    .option("--port <port>", "also treat this TCP port as SMTP (repeatable)", portArg, [] as number[])
    .option("--show-secrets", "show AUTH credentials instead of redacting them")
    .option("--tls-keylog <file>", "decrypt TLS with this NSS key log (SSLKEYLOGFILE format; repeatable)", keylogArg)
    .option("--no-color", "no colour, even on a terminal")
    .addHelpText("after", COMPARE_EXIT_HELP)
    .action(async (a: string, b: string, flags: CompareFlags) => {
      if (a === "-" && b === "-") throw new CommanderError(EXIT.usage, "smtpcap.usage", "standard input ('-') can be read only once");
      if (flags.showSecrets) process.stderr.write("smtpcap: warning: --show-secrets prints credentials from the capture\n");
      // loaded on demand: analyze should not pay for the comparison at startup
      const { compareCaptures, loadCapture } = await import("../compare/index.js");
      const { compareText } = await import("../compare/text.js");
      const opts = { ports: flags.port, showSecrets: !!flags.showSecrets, tlsKeylogs: flags.tlsKeylog ?? [] };
      const ca = await loadCapture(a, opts);
      const cb = await loadCapture(b, opts);
      // as analyze: one line per reading problem (the same lines as analyze and batch write); a
      // damaged file is still compared as far as it was read (exit 3), a file with nothing read is
      // not compared at all
      let unreadable = false, empty = false;
      for (const c of [ca, cb]) {
        for (const l of problemLines(c.report)) process.stderr.write(l + "\n");
        if (c.report.problems.some((p) => p.level === "error")) {
          unreadable = true;
          if (c.report.packets === 0) empty = true;
        }
      }
      if (empty) {
        process.exitCode = EXIT.unreadable;
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
        const sha256 = Object.fromEntries([ca, cb].filter((c) => c.sha256).map((c) => [c.report.file, c.sha256!]));
        text = compareHtmlReport(report, { showSecrets: !!flags.showSecrets, clocks: { a: ca.report.clock, b: cb.report.clock }, sha256 });
      } else text = compareText(report, { color });
      out.write(text);
      out.close();
      // as diff(1): 0 nothing changed, 1 a change or nothing could be paired; 3 wins
      process.exitCode = unreadable ? EXIT.unreadable : report.outcome === "unchanged" ? EXIT.ok : EXIT.findings;
    });
}

const COMPARE_EXIT_HELP = `
Either capture may be '-' for standard input.

Exit status (as diff, within analyze's contract):
  0  the sessions were paired and nothing changed between the capture points
  1  something changed, or no session could be paired (the last line of the report says which)
  2  usage error
  3  a capture could not be read (missing, not a capture, damaged before its end); what was read
     of a damaged capture is still compared. A capture cut short (tcpdump killed) is a warning.`;
