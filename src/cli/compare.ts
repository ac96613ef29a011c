import { writeFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { escapeText } from "../text/escape.js";
import { intArg, keylogArg, portArg } from "./options.js";

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
    .argument("<a>", "first capture")
    .argument("<b>", "second capture (either order)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "html"]).default("text"))
    .option("-o, --output <file>", "write the report to this file instead of standard output")
    .option("--delay-ms <ms>", "held back this long beyond the usual transit is reported as delayed", intArg, 200)
    .option("--port <port>", "also treat this TCP port as SMTP (repeatable)", portArg, [] as number[])
    .option("--show-secrets", "show AUTH credentials instead of redacting them")
    .option("--tls-keylog <file>", "decrypt TLS with this NSS key log (SSLKEYLOGFILE format; repeatable)", keylogArg)
    .option("--no-color", "no colour, even on a terminal")
    .addHelpText("after", "\nExit status (as diff): 0 no change between the capture points; 1 a change was found; 2 usage error, or a capture could not be read.")
    .action(async (a: string, b: string, flags: CompareFlags) => {
      if (flags.showSecrets) process.stderr.write("smtpcap: warning: --show-secrets prints credentials from the capture\n");
      // loaded on demand: analyze should not pay for the comparison at startup
      const { compareCaptures, loadCapture } = await import("../compare/index.js");
      const { compareText } = await import("../compare/text.js");
      const opts = { ports: flags.port, showSecrets: !!flags.showSecrets, tlsKeylogs: flags.tlsKeylog ?? [] };
      const ca = await loadCapture(a, opts);
      const cb = await loadCapture(b, opts);
      let unreadable = false;
      for (const c of [ca, cb]) {
        for (const p of c.report.problems) process.stderr.write(`smtpcap: ${escapeText(c.report.file)}: byte ${p.offset}: ${p.level === "warning" ? "warning: " : ""}${escapeText(p.message)}\n`);
        if (c.report.packets === 0 && c.report.problems.some((p) => p.level === "error")) unreadable = true;
      }
      if (unreadable) {
        process.exitCode = 2;
        return;
      }
      const report = compareCaptures(ca, cb, { delayMs: flags.delayMs });
      const color = !flags.output && flags.color && !!process.stdout.isTTY && !("NO_COLOR" in process.env) && process.env.TERM !== "dumb";
      let text: string;
      if (flags.format === "json") text = JSON.stringify(report, null, 2) + "\n";
      else if (flags.format === "html") {
        const { compareHtmlReport } = await import("../report/html/compare.js");
        text = compareHtmlReport(report, { showSecrets: !!flags.showSecrets, clocks: { a: ca.report.clock, b: cb.report.clock } });
      } else text = compareText(report, { color });
      if (flags.output) writeFileSync(flags.output, text);
      else process.stdout.write(text);
      // as diff(1): 1 when something changed between the capture points
      process.exitCode = report.pairs.some((p) => p.changes.length > 0) ? 1 : 0;
    });
}
