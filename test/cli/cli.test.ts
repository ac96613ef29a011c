import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLES, supportCaseSample } from "../support/samples.js";
import { writeCapture } from "../support/writer.js";
import { conv, ehloReply, supportCase, tmpFile } from "../support/fixtures.js";
import { BIN, ROOT, pcapRecordOffsets, run } from "./run.js";

const SUPPORT = "samples/support-case.pcapng";
const CLEAN = "samples/clean-pipelining.pcap";

function cleanConv(t0: number) {
  const a = conv({ client: "192.0.2.11:41000", t0 }).handshake();
  a.server("220 mx.example.test ESMTP\r\n");
  a.client("EHLO a.example.test\r\n");
  a.server(ehloReply());
  a.client("QUIT\r\n");
  a.server("221 bye\r\n");
  a.fin("client").fin("server");
  return a;
}

/** A clean session (stream 0) and the support case (stream 1) in one pcap. */
function mixed(): string {
  const b = supportCase();
  return tmpFile(writeCapture([...cleanConv(1700000000 - 10).packets, ...b.packets]));
}

/** The support case sample as a classic pcap whose 12th record claims an impossible length: damaged before its end. */
function damaged(): { path: string; offset: number } {
  const buf = Buffer.from(writeCapture([...supportCase().packets, ...cleanConv(1700000100).packets]));
  const offset = pcapRecordOffsets(buf)[11];
  buf.writeUInt32LE(0x7fffffff, offset + 8);
  return { path: tmpFile(buf), offset };
}

describe("the shipped samples", () => {
  for (const [name, make] of Object.entries(SAMPLES)) {
    it(`samples/${name} is what test/support/samples.ts writes`, () => {
      expect(readFileSync(join(ROOT, "samples", name)).equals(make())).toBe(true);
    });
  }
});

describe("smtpcap analyze: the text report", () => {
  it("the support case: verdict, absolute times in UTC, relative times in ms and s, exit 1", () => {
    const r = run(["analyze", SUPPORT]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("");
    expect(r.out).toMatch(/^ {2}Verdict: The client is at fault/m);
    expect(r.out).toContain("Session 0  tcp.stream 0  client 198.51.100.10:52974 → server 203.0.113.25:25\n  started 2025-11-28T03:20:00.001000Z · 3 commands, 3 replies ·");
    const c = JSON.parse(run(["analyze", "--format", "json", SUPPORT]).out).files[0].counts;
    const n = (k: number, w: string) => `${k} ${w}${k === 1 ? "" : "s"}`;
    expect(r.out.replace(/\s+/g, " ")).toContain(` pcapng, 31 packets from 2025-11-28T03:20:00.001000Z to 2025-11-28T03:20:08.324998Z (8.324 s); 2 TCP connections, 2 SMTP sessions; findings: ${n(c.error, "error")}, ${n(c.warning, "warning")}, ${n(c.info, "info")} `);
    expect(r.out).toMatch(/^ {8}5 {5}\+4\.0 ms {2}C {2}EHLO client\.example\.test {2}\[ack 36\]$/m);
    expect(r.out).toMatch(/^ {7}13 {4}\+1\.709 s {2}C {2}QUIT/m);
    expect(r.out).toContain("frame 10  +601.0 ms  seq 92  118 bytes  lines 4-11");
  });

  it("wraps prose at 100 columns when not a terminal", () => {
    const lines = run(["analyze", SUPPORT]).out.split("\n");
    const prose = lines.filter((l) => !/^ {2}[ \d]{7} /.test(l)); // the timeline keeps its rows
    expect(Math.max(...prose.map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(lines.filter((l) => l.startsWith("  Verdict: ")).length).toBe(2);
  });

  it("plurals: 1 command, 1 TCP connection, 1 SMTP session", () => {
    const c = conv().handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("QUIT\r\n");
    c.server("221 bye\r\n");
    c.fin("client").fin("server");
    const out = run(["analyze", tmpFile(writeCapture(c.packets))]).out;
    expect(out).toContain("· 1 command, 2 replies ·");
    expect(out.replace(/\s+/g, " ")).toContain("8 packets from 2023-11-14T22:13:20.001000Z to 2023-11-14T22:13:20.007999Z (7.0 ms); 1 TCP connection, 1 SMTP session; findings: 0 errors, 0 warnings, 0 infos");
  });

  it("--tz: a fixed offset, UTC, local; a bad zone is a usage error", () => {
    expect(run(["analyze", "--tz", "+02:00", SUPPORT]).out).toContain("started 2025-11-28T05:20:00.001000+02:00");
    expect(run(["analyze", "--tz", "-05:30", SUPPORT]).out).toContain("from 2025-11-27T21:50:00.001000-05:30 to");
    expect(run(["analyze", "--tz", "UTC", SUPPORT]).out).toContain("started 2025-11-28T03:20:00.001000Z");
    expect(run(["analyze", "--tz", "local", SUPPORT], { env: { TZ: "Asia/Kolkata" } }).out).toContain("started 2025-11-28T08:50:00.001000+05:30");
    const bad = run(["analyze", "--tz", "Mars", SUPPORT]);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe("error: option '--tz <zone>' argument 'Mars' is invalid. expected UTC, local or ±HH:MM.\n");
  });

  it("--summary: one line per session with stream, endpoints and verdict", () => {
    const r = run(["analyze", "--summary", mixed()]);
    expect(r.out.split("\n").filter((l) => l.startsWith("  tcp.stream"))).toEqual([
      "  tcp.stream 0     192.0.2.11:41000 → 192.0.2.25:25  clean",
      "  tcp.stream 1     192.0.2.10:40000 → 192.0.2.25:2525  client at fault (1 error, 1 warning, 1 info)",
    ]);
    expect(r.code).toBe(1);
    expect(run(["analyze", "--summary", "--format", "json", SUPPORT]).code).toBe(2);
  });

  it("--only-findings: sessions without findings are counted in one line", () => {
    const r = run(["analyze", "--only-findings", mixed()]);
    expect(r.out).not.toContain("Session 0 ");
    expect(r.out).toContain("Session 1  tcp.stream 1");
    expect(r.out).toContain("  1 session without findings not shown (tcp.stream 0)\n");
  });

  it("--stream and --session pick sessions; findings and the exit status count only those", () => {
    const f = mixed();
    const s0 = run(["analyze", "--stream", "0", f]);
    expect(s0.code).toBe(0);
    expect(s0.out).toContain("Session 0  tcp.stream 0");
    expect(s0.out).not.toContain("Session 1 ");
    expect(s0.out).toContain("findings: 0 errors, 0 warnings, 0 infos\n  1 session not selected (--stream, --session)\n");
    const s1 = JSON.parse(run(["analyze", "--format", "json", "--session", "1", f]).out);
    expect(s1.files[0].sessions.map((s: { tcpStream: number }) => s.tcpStream)).toEqual([1]);
    expect(s1.files[0].sessionsOmitted).toBe(1);
    const both = JSON.parse(run(["analyze", "--format", "json", "--stream", "0", "--stream", "1", f]).out);
    expect(both.files[0].sessions).toHaveLength(2);
    const none = run(["analyze", "--format", "json", "--stream", "7", "--session", "9", f]);
    expect(none.err).toBe("smtpcap: warning: no SMTP session matches --stream 7, --session 9\n");
    expect(none.code).toBe(0);
    expect(JSON.parse(none.out).files[0]).toMatchObject({ sessions: [], sessionsOmitted: 2 });
    expect(run(["analyze", "--stream", "0", f]).err).toBe("");
    expect(run(["analyze", "--stream", "x", f]).code).toBe(2);
    expect(run(["analyze", "--stream", "-1", f]).code).toBe(2);
  });

  it("-o FILE writes the report there and nothing to stdout", () => {
    const out = join(mkdtempSync(join(tmpdir(), "smtpcap-o-")), "r.json");
    const r = run(["analyze", "--format", "json", "-o", out, SUPPORT]);
    expect(r.out).toBe("");
    expect(r.code).toBe(1);
    expect(JSON.parse(readFileSync(out, "utf8")).files[0].file).toBe(SUPPORT);
    const bad = run(["analyze", "-o", "/nonexistent-dir/r.txt", SUPPORT]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^smtpcap: cannot write \/nonexistent-dir\/r\.txt: ENOENT/);
  });

  it("--color always|never|auto with FORCE_COLOR and NO_COLOR", () => {
    const esc = /\x1b\[/;
    expect(run(["analyze", "--color", "always", SUPPORT], { env: { NO_COLOR: "1" } }).out).toMatch(esc);
    expect(run(["analyze", "--color", "never", SUPPORT], { env: { FORCE_COLOR: "1" } }).out).not.toMatch(esc);
    expect(run(["analyze", "--no-color", SUPPORT], { env: { FORCE_COLOR: "1" } }).out).not.toMatch(esc);
    expect(run(["analyze", SUPPORT], { env: { FORCE_COLOR: "1" } }).out).toMatch(esc);
    expect(run(["analyze", SUPPORT], { env: { FORCE_COLOR: "0" } }).out).not.toMatch(esc);
    expect(run(["analyze", SUPPORT]).out).not.toMatch(esc); // not a terminal
    expect(run(["analyze", "--color", "sometimes", SUPPORT]).code).toBe(2);
  });

  it("-v is verbose (every reply line), -V the version", () => {
    expect(run(["analyze", SUPPORT]).out).toContain("… 8 more lines …");
    const v = run(["analyze", "-v", SUPPORT]).out;
    expect(v).not.toContain("more lines");
    expect(v).toContain("250-ENHANCEDSTATUSCODES");
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(run(["-V"]).out).toBe(pkg.version + "\n");
    expect(run(["--version"]).out).toBe(pkg.version + "\n");
  });
});

describe("smtpcap analyze: exit status", () => {
  it("0: every input read, nothing reached --fail-on", () => {
    expect(run(["analyze", CLEAN]).code).toBe(0);
    expect(run(["analyze", "--fail-on", "never", SUPPORT]).code).toBe(0);
  });

  it("1: a finding reached --fail-on", () => {
    expect(run(["analyze", SUPPORT]).code).toBe(1);
    expect(run(["analyze", "--fail-on", "warning", SUPPORT]).code).toBe(1);
  });

  it("2: usage errors, each numeric option validated", () => {
    for (const args of [[], ["frob"], ["analyze"], ["analyze", "--format", "xml", CLEAN], ["analyze", "--latency-ms", "0", CLEAN], ["analyze", "--split-delay-ms", "1e3", CLEAN],
      ["analyze", "--max-open-flows", "0", CLEAN], ["analyze", "--max-ooo-bytes", "-5", CLEAN], ["analyze", "--port", "70000", CLEAN], ["analyze", "--port", "2.5", CLEAN], ["analyze", "--only", "nope", CLEAN], ["analyze", "-", "-"]]) {
      expect(run(args).code, args.join(" ")).toBe(2);
    }
    expect(run(["analyze", "--split-delay-ms", "1e3", CLEAN]).err).toBe("error: option '--split-delay-ms <ms>' argument '1e3' is invalid. not a whole number.\n");
    expect(run(["analyze", "--help"]).code).toBe(0);
  });

  it("3: a missing file — one stderr line without a byte offset; the readable file is still reported", () => {
    const r = run(["analyze", "/nonexistent/x.pcap", CLEAN]);
    expect(r.code).toBe(3);
    expect(r.err).toBe("smtpcap: /nonexistent/x.pcap: no such file\n");
    expect(r.out.startsWith(`${CLEAN}\n`)).toBe(true);
    expect(r.out).not.toContain("nonexistent");
  });

  it("3 wins over 1; JSON has a record with error for the unreadable input", () => {
    const r = run(["analyze", "--format", "json", SUPPORT, "/nonexistent/x.pcap"]);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.out);
    expect(doc.files.map((f: { file: string }) => f.file)).toEqual([SUPPORT, "/nonexistent/x.pcap"]);
    expect(doc.files[1]).toMatchObject({ sessions: [], packets: 0, error: { message: "no such file" } });
    expect(doc.files[1].error.offset).toBeUndefined();
    expect(doc.files[0].error).toBeUndefined();
  });

  it("3: a folder, a file that is not a capture", () => {
    const dir = run(["analyze", "samples"]);
    expect(dir).toMatchObject({ code: 3, out: "", err: "smtpcap: samples: is a directory\n" });
    const garbage = tmpFile(Buffer.from("GIF89a not a capture at all"));
    const g = run(["analyze", garbage]);
    expect(g).toMatchObject({ code: 3, out: "", err: `smtpcap: ${garbage}: not a capture file (starts with 47494638; expected pcap or pcapng)\n` });
  });

  it("3: damaged before its end — the byte offset, and the sessions before the damage are still reported", () => {
    const d = damaged();
    const r = run(["analyze", "--format", "json", "--fail-on", "never", d.path]);
    expect(r.code).toBe(3);
    expect(r.err).toBe(`smtpcap: ${d.path}: byte ${d.offset}: record 12 claims 2147483647 captured bytes (more than the 1048576-byte limit); file is corrupt from here\n`);
    const f = JSON.parse(r.out).files[0];
    expect(f.packets).toBe(11);
    expect(f.sessions).toHaveLength(1);
    expect(f.error).toEqual({ message: "record 12 claims 2147483647 captured bytes (more than the 1048576-byte limit); file is corrupt from here", offset: d.offset });
    expect(run(["analyze", d.path]).out).toContain(`  ERROR: ${d.path}: byte ${d.offset}: record 12 claims`);
  });

  it("a last record cut short is read as far as it goes, noted as a warning, and does not change the status", () => {
    const full = writeCapture(supportCase().packets);
    const cut = tmpFile(full.subarray(0, full.length - 10));
    const t = run(["analyze", "--format", "json", "--fail-on", "never", cut]);
    expect(t.code).toBe(0);
    expect(t.err).toMatch(new RegExp(`^smtpcap: warning: ${cut}: byte \\d+: truncated: last record incomplete \\(\\d+ bytes left over\\)\\n$`));
    const f = JSON.parse(t.out).files[0];
    expect(f.packets).toBe(10);
    expect(f.problems[0].level).toBe("warning");
    expect(f.error).toBeUndefined();
  });
});

describe("smtpcap analyze: JSON, NDJSON, compact, HTML", () => {
  it("--format json is always one object with schemaVersion, tool and files", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    for (const files of [[CLEAN], [CLEAN, SUPPORT]]) {
      const doc = JSON.parse(run(["analyze", "--format", "json", ...files]).out);
      expect(Object.keys(doc)).toEqual(["schemaVersion", "tool", "files"]);
      expect(doc.tool).toEqual({ name: "smtpcap", version: pkg.version });
      expect(doc.files.map((f: { file: string }) => f.file)).toEqual(files);
    }
    const one = JSON.parse(run(["analyze", "--format", "json", CLEAN]).out).files[0];
    expect(one).toMatchObject({ file: CLEAN, format: "pcap", packets: 12, problems: [], counts: { error: 0, warning: 0, info: 0 }, firstTime: 1764300100.001, firstTimeIso: "2025-11-28T03:21:40.001000Z" });
    expect(one.sessions[0]).toMatchObject({ tcpStream: 0, client: "198.51.100.10:40000", server: "203.0.113.25:25", bytes: { client: 131, server: 320 }, tls: null, findings: [], startTimeIso: "2025-11-28T03:21:40.001000Z" });
    expect(one.sessions[0].replies[1]).toMatchObject({ code: 250, complete: true, command: 0, frames: [6], segments: [{ frame: 6, bytes: 174 }] });
    expect(one.sessions[0].commands[1]).toMatchObject({ verb: "MAIL", line: "MAIL FROM:<alice@example.test>", frames: [7] });
  });

  it("--format ndjson: one record per session (with the file) and one per file", () => {
    const nd = run(["analyze", "--format", "ndjson", CLEAN, SUPPORT]).out.trim().split("\n").map((l) => JSON.parse(l));
    expect(nd.map((r) => [r.type, r.file, r.tcpStream ?? null])).toEqual([
      ["session", CLEAN, 0],
      ["file", CLEAN, null],
      ["session", SUPPORT, 0],
      ["session", SUPPORT, 1],
      ["file", SUPPORT, null],
    ]);
    const json = JSON.parse(run(["analyze", "--format", "json", SUPPORT]).out).files[0];
    expect(nd[4]).toMatchObject({ sessionCount: 2, counts: json.counts });
    expect(nd[2].findings).toEqual(json.sessions[0].findings);
    expect(nd[3].findings).toEqual(json.sessions[1].findings);
    expect(nd[3].findings.length).toBeGreaterThan(0);
  });

  it("--format compact: one line per finding, FILE:FRAME: SEVERITY RULE (side) message [filter]", () => {
    const r = run(["analyze", "--format", "compact", SUPPORT]);
    const lines = r.out.trim().split("\n");
    type F = { frames: number[]; severity: string; rule: string; side: string; message: string; filter: string; count?: number; consequenceOf?: { rule: string } };
    const findings: F[] = JSON.parse(run(["analyze", "--format", "json", SUPPORT]).out).files[0].sessions.flatMap((x: { findings: F[] }) => x.findings);
    expect(lines).toHaveLength(findings.length);
    const plain = findings.findIndex((f) => !f.count && !f.consequenceOf && !/\s\s|\n/.test(f.message));
    const f = findings[plain];
    expect(lines[plain]).toBe(`samples/support-case.pcapng:${f.frames[0]}: ${f.severity} ${f.rule} (${f.side}) ${f.message} [${f.filter}]`);
    for (const l of lines) expect(l).toMatch(/^samples\/support-case\.pcapng:\d+: (error|warning|info) [a-z0-9-]+ \((client|server|middlebox)\) .+ \[tcp\.stream eq \d+ && frame\.number in \{[\d,]+\}\]$/);
    expect(r.code).toBe(1);
    expect(run(["analyze", "--format", "compact", CLEAN])).toMatchObject({ code: 0, out: "" });
  });

  it("--format html writes the page to stdout or -o", () => {
    const r = run(["analyze", "--format", "html", SUPPORT]);
    expect(r.out).toMatch(/^<!doctype html>/i);
    expect(r.code).toBe(1);
    const out = join(mkdtempSync(join(tmpdir(), "smtpcap-o-")), "r.html");
    expect(run(["analyze", "--format", "html", "-o", out, SUPPORT, "/nonexistent/x.pcap"]).code).toBe(3);
    expect(readFileSync(out, "utf8")).toMatch(/^<!doctype html>/i);
  });

  it("reads standard input with '-'", () => {
    const r = run(["analyze", "--format", "json", "-"], { input: writeCapture(supportCase().packets, { gzip: true }) });
    expect(JSON.parse(r.out).files[0]).toMatchObject({ file: "<stdin>", gzip: true, packets: 11 });
  });

  it("--only and --disable select rules; an unknown rule is a usage error with a suggestion", () => {
    const only = JSON.parse(run(["analyze", "--format", "json", "--only", "reply-split-across-segments", SUPPORT]).out);
    const rules = only.files[0].sessions.flatMap((s: { findings: { rule: string }[] }) => s.findings.map((f) => f.rule));
    expect([...new Set(rules)]).toEqual(["reply-split-across-segments"]);
    const bad = run(["analyze", "--only", "reply-split-delya", SUPPORT]);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe("smtpcap: unknown rule: reply-split-delya (did you mean reply-split-delay? see 'smtpcap rules')\n");
  });
});

describe("smtpcap rules and explain", () => {
  it("rules lists every rule; --format is text or json", () => {
    const r = run(["rules"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^client-acted-on-partial-multiline-reply +error +client +RFC 2920 §3.1; RFC 5321 §4.3.1$/m);
    expect(JSON.parse(run(["rules", "--format", "json"]).out).length).toBeGreaterThan(50);
    const y = run(["rules", "--format", "yaml"]);
    expect(y.code).toBe(2);
    expect(y.err).toBe("error: option '--format <format>' argument 'yaml' is invalid. Allowed choices are text, json.\n");
  });

  it("explain; an unknown id suggests the near ones", () => {
    expect(run(["explain", "reply-split-across-segments"]).out).toMatch(/^reply-split-across-segments — One reply carried by several TCP segments\nseverity: info/);
    const e = run(["explain", "reply-split"]);
    expect(e.code).toBe(2);
    expect(e.err).toBe("smtpcap: unknown rule: reply-split (did you mean reply-split-across-segments, reply-split-delay? see 'smtpcap rules')\n");
    expect(run(["explain", "zzzzzz"]).err).toBe("smtpcap: unknown rule: zzzzzz (see 'smtpcap rules')\n");
  });

  it("explain: a rule that reads the dialogue says a key log makes it evaluable inside TLS", () => {
    const out = run(["explain", "client-acted-on-partial-multiline-reply"]).out;
    expect(out.endsWith("\nNeeds the SMTP dialogue in clear: inside TLS (after STARTTLS, or on port 465) it is not evaluable unless a key log (--tls-keylog) decrypts the session.\n")).toBe(true);
    expect(out).not.toContain("Needs plaintext SMTP");
  });

  it("--help documents every exit status", () => {
    for (const cmd of ["analyze", "batch"]) {
      const h = run([cmd, "--help"]);
      expect(h.code).toBe(0);
      expect(h.out).toContain("Exit status (the same for analyze and batch):\n  0  every input was read and no finding reached --fail-on\n  1  a finding reached --fail-on\n  2  usage error\n  3  at least one input could not be read");
    }
  });

  it("a reader that goes away (`| head`) ends the run quietly: exit 0, no stack trace", async () => {
    const child = spawn(process.execPath, [BIN, "analyze", "--format", "json", SUPPORT], { cwd: ROOT });
    child.stdout.destroy(); // closed before the first write
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(err).toBe("");
    expect(code).toBe(0);
  });
});

export { supportCaseSample };

describe("startup: analyze loads only what it uses", () => {
  // The bundle (dist/bundle) carries commander; node:crypto and node:zlib (HTML pages, gzip
  // captures) and node:child_process (commander's executable subcommands) load on demand.
  const loaded = (args: string[]) => {
    const script = `const { main } = await import(${JSON.stringify(join(ROOT, "dist/bundle/main.js"))});
      const code = await main([process.execPath, "smtpcap", ...${JSON.stringify(args)}]);
      process.stderr.write(JSON.stringify({ code, mods: process.moduleLoadList }));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    return JSON.parse(r.stderr) as { code: number; mods: string[] };
  };
  const has = (mods: string[], m: string) => mods.includes(`NativeModule ${m}`);

  it("analyze --format json of a pcap: no crypto, zlib, child_process, worker_threads; commander not read from node_modules", () => {
    const r = loaded(["analyze", "--format", "json", "-o", "/dev/null", CLEAN]);
    expect(r.code).toBe(0);
    for (const m of ["crypto", "zlib", "child_process", "worker_threads"]) expect(has(r.mods, m), m).toBe(false);
    // a package loaded from node_modules goes through the CommonJS loader's lexer
    expect(has(r.mods, "internal/deps/cjs-module-lexer/lexer")).toBe(false);
  });

  it("a gzip capture and --format html load node:zlib when they need it, and work", () => {
    const gz = tmpFile(gzipSync(readFileSync(join(ROOT, CLEAN))));
    const r = loaded(["analyze", "--format", "json", "-o", "/dev/null", gz]);
    expect(r.code).toBe(0);
    expect(has(r.mods, "zlib")).toBe(true);
    const h = loaded(["analyze", "--format", "html", "-o", "/dev/null", CLEAN]);
    expect(h.code).toBe(0);
    expect(has(h.mods, "crypto")).toBe(true);
  });
});
