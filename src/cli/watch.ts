/**
 * `smtpcap watch [-|FILE]`: a capture read as it arrives (`tcpdump -U -w - | smtpcap watch -`).
 * Each session is judged, written and flushed when its connection ends: both FINs or an RST, or
 * `--idle` seconds of capture time without a packet, or the end of the input (also SIGINT and
 * SIGTERM). Sessions are numbered in the order they end. Through the same reporters as analyze.
 */
import { Command, Option } from "commander";
import { appendFileSync, writeFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { displayPath, type LiveStats } from "../analyze.js";
import { loadFormat } from "../report/formats.js";
import type { ReportContext, TextOptions } from "../report/reporter.js";
import { UTC } from "../report/time.js";
import { escapeText } from "../text/escape.js";
import { EXIT, EXIT_HELP, Output, addCommon, analyzeOptions, atLeast1, exitStatus, problemLines, reachesCounts, unreadable, useColor, type CommonFlags } from "./options.js";
import { reportFile } from "./report-file.js";

export const WATCH_FORMATS = ["text", "compact", "ndjson"] as const;

/**
 * The default idle limit: RFC 5321 §4.5.3.2's longest timeout, 10 minutes for the reply to the
 * end of data (§4.5.3.2.6); a server waits 5 minutes for a command (§4.5.3.2.7). A connection
 * silent longer than that has been given up by a conforming peer.
 */
export const DEFAULT_IDLE_SECONDS = 600;

interface WatchFlags extends CommonFlags {
  follow?: boolean;
  idle: number;
  idleWall?: number;
}

function idleText(seconds: number): string {
  const t = seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
  return `${t} of capture time (--idle)`;
}

/**
 * The old generation's growth for `watch`: after each full garbage collection V8 lets the heap
 * grow to up to 4 times what survived it before the next one (less when collecting is slow), and
 * a reader that never ends promotes a steady stream of session models that die soon after: on the
 * 10 GB soak of issue #23 the heap reached 128 MB around a live set under 30 MB (RSS 206 MB). At
 * 1.2 times, the heap stays near 25 MB and RSS near 100 MB at the same CPU time (bench/soak.mjs).
 * V8 reads the flag at each collection, so it is set here, for `watch` only; `analyze` and
 * `batch` keep V8's default. A --heap-growing-percent given to node (NODE_OPTIONS) wins.
 */
export const WATCH_HEAP_GROWING_PERCENT = 20;

function boundHeap(): void {
  const given = `${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`;
  if (!/--heap[-_]growing[-_]percent/.test(given)) setFlagsFromString(`--heap-growing-percent=${WATCH_HEAP_GROWING_PERCENT}`);
}

/**
 * SMTPCAP_MEM_TRACE=FILE: once a second of wall-clock time and at the end of the input, a JSON line with the process's memory
 * (process.memoryUsage()), the bytes read from standard input and the live counters and table
 * sizes, to see what grows on a long run (bench/soak.mjs; bench/README.md).
 */
function memTrace(file: string, last: () => LiveStats | null): () => void {
  writeFileSync(file, "");
  const t0 = Date.now();
  const record = () => {
    const m = process.memoryUsage();
    const s = last();
    const rec = {
      t: (Date.now() - t0) / 1000, stdinBytes: (process.stdin as { bytesRead?: number }).bytesRead ?? null,
      rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers,
      ...(s === null ? {} : { packets: s.packets, open: s.open, judged: s.judged, ...s.table() }),
    };
    appendFileSync(file, JSON.stringify(rec) + "\n");
  };
  const timer = setInterval(record, 1000);
  timer.unref();
  // and a last line once the input has been read
  return () => {
    clearInterval(timer);
    record();
  };
}

/** One status line on a terminal's stderr, at most once a second; nothing off a terminal. */
class StatusLine {
  private last = 0;
  private shown = false;
  findings = 0;
  constructor(private readonly on: boolean) {}

  update(s: LiveStats, force = false): void {
    if (!this.on) return;
    const now = Date.now();
    if (!force && now - this.last < 1000) return;
    this.last = now;
    this.shown = true;
    process.stderr.write(`\r\x1b[K${s.packets} packets · ${s.open} open · ${s.judged} judged · ${this.findings} findings`);
  }

  clear(): void {
    if (this.shown) process.stderr.write("\r\x1b[K");
    this.shown = false;
  }
}

export function registerWatch(program: Command): void {
  addCommon(
    program
      .command("watch")
      .description("read a capture as it arrives (a pipe from tcpdump -U -w -) and report each session when it ends")
      .argument("[file]", "capture to read ('-', the default: standard input)", "-")
      .addOption(new Option("--format <format>", "output format").choices([...WATCH_FORMATS]).default("text"))
      .option("-f, --follow", "read FILE as it grows (like tail -f) and go on with the next file of tcpdump's rotation (-C: FILE1, FILE2 …; -G: the next strftime name): the next name in the same directory equal to FILE's once digits are removed, in name order with numbers compared as numbers")
      .option("--idle <seconds>", `end a connection after this long without a packet, in capture time (default ${DEFAULT_IDLE_SECONDS}: RFC 5321 §4.5.3.2's longest timeout, 10 min)`, atLeast1, DEFAULT_IDLE_SECONDS)
      .option("--idle-wall <seconds>", "end every open connection when no packet at all has arrived for this long (wall-clock time)", atLeast1),
  )
    .addHelpText("after", EXIT_HELP)
    .action(async (file: string, flags: WatchFlags) => {
      if (flags.follow && file === "-") {
        process.stderr.write("smtpcap: --follow needs a FILE (standard input is followed anyway)\n");
        process.exitCode = EXIT.usage;
        return;
      }
      boundHeap();
      const opts = analyzeOptions(flags);
      const out = new Output(flags.output);
      // a session is seen as soon as it is written
      out.lineBuffered = true;
      if (flags.showSecrets) process.stderr.write("smtpcap: warning: --show-secrets prints credentials from the capture\n");
      const text: TextOptions = { color: useColor(flags.color, out.isTTY), verbose: false, zone: UTC, width: out.width };
      const ctx: ReportContext = { text, showSecrets: !!flags.showSecrets, failOn: flags.failOn };
      const format = await loadFormat(flags.format);
      const env = format.envelope((s) => out.write(s), ctx);
      const status = new StatusLine(!!process.stderr.isTTY);
      // SIGINT / SIGTERM: stop reading; what is open is judged as at the end of the capture, and the summary written
      const stopping = new AbortController();
      const stop = () => {
        if (file === "-") process.stdin.push(null);
        stopping.abort();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      let lastStats: LiveStats | null = null;
      const traceFile = process.env.SMTPCAP_MEM_TRACE;
      const endTrace = traceFile ? memTrace(traceFile, () => lastStats) : null;
      env.begin();
      const inner = format.file(displayPath(file), 0, (s) => {
        status.clear();
        env.piece(0, s);
      }, ctx);
      // the status line counts findings as sessions are judged
      const r = await reportFile(file, opts, {
        prepare: (s, fs) => {
          status.findings += fs.length;
          return inner.prepare(s, fs);
        },
        session: (p, i) => inner.session(p, i),
        omit: (t, why) => inner.omit(t, why),
        endFile: (sum, c) => inner.endFile(sum, c),
      }, undefined, {
        idleSeconds: flags.idle,
        idleText: idleText(flags.idle),
        idleWallSeconds: flags.idleWall,
        idleWallText: `${flags.idleWall} s without any packet arriving (--idle-wall)`,
        onStats: (s) => {
          lastStats = s;
          status.update(s);
        },
        ...(flags.follow ? {
          follow: {
            signal: stopping.signal,
            // frame numbers go on across files: say where each file starts, to find a frame in Wireshark
            onFile: (next: string, first: number) => {
              status.clear();
              process.stderr.write(`smtpcap: following ${escapeText(next)}: its frame 1 is frame ${first} here (frames and tcp.stream as in the files concatenated, mergecap -a)\n`);
            },
          },
        } : {}),
      });
      endTrace?.();
      status.clear();
      env.end([{ file: r.summary.file, sessions: r.summary.sessionCount, counts: r.counts, unreadable: unreadable(r.summary) }]);
      out.close();
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
      for (const l of problemLines(r.summary)) process.stderr.write(l + "\n");
      process.exitCode = exitStatus(unreadable(r.summary), reachesCounts(r.counts, flags.failOn));
    });
}
