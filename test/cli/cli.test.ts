import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SAMPLES } from "../support/samples.js";
import { writeCapture } from "../support/writer.js";
import { LAB, supportCase, tmpFile } from "../support/fixtures.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "smtpcap.js");

function run(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("the shipped samples", () => {
  for (const [name, make] of Object.entries(SAMPLES)) {
    it(`samples/${name} is what test/support/samples.ts writes`, () => {
      expect(readFileSync(join(ROOT, "samples", name)).equals(make())).toBe(true);
    });
  }
});

describe("smtpcap analyze", () => {
  it("prints the verdict for the support case and exits 1 (an error-level finding)", () => {
    const r = run(["analyze", "samples/support-case.pcapng"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("Verdict: The client is at fault: it acted on part of a multi-line reply (frames 7, 8, 10).");
    expect(r.out).toContain("Splitting the reply across TCP segments is legal");
    expect(r.out).toContain("carried in 2 segments:");
    expect(r.err).toBe("");
  });

  it("--fail-on never exits 0; --fail-on info exits 1 on a clean capture with infos", () => {
    expect(run(["analyze", "--fail-on", "never", "samples/support-case.pcapng"]).code).toBe(0);
    expect(run(["analyze", "samples/clean-pipelining.pcap"]).code).toBe(0);
    expect(run(["analyze", "--fail-on", "info", join(LAB, "utm-swaks-waits.pcap")]).code).toBe(1);
  });

  it("--only and --disable select rules; an unknown rule is a usage error (exit 2)", () => {
    const only = JSON.parse(run(["analyze", "--format", "json", "--only", "reply-split-across-segments", "samples/support-case.pcapng"]).out);
    expect([...new Set(only.findings.map((f: { rule: string }) => f.rule))]).toEqual(["reply-split-across-segments"]);
    const dis = JSON.parse(run(["analyze", "--format", "json", "--disable", "reply-split-across-segments", "samples/support-case.pcapng"]).out);
    expect(dis.findings.some((f: { rule: string }) => f.rule === "reply-split-across-segments")).toBe(false);
    const bad = run(["analyze", "--only", "nope", "samples/support-case.pcapng"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe("smtpcap: unknown rule: nope (see 'smtpcap rules')\n");
  });

  it("--format json for one file is an object, for several an array; ndjson is one line per file", () => {
    const one = JSON.parse(run(["analyze", "--format", "json", "samples/clean-pipelining.pcap"]).out);
    expect(one).toMatchObject({ file: "samples/clean-pipelining.pcap", format: "pcap", packets: 12, problems: [], findings: [] });
    expect(one.sessions[0]).toMatchObject({ tcpStream: 0, client: "198.51.100.10:40000", server: "203.0.113.25:25", bytes: { client: 131, server: 320 }, tls: null });
    expect(one.sessions[0].replies[1]).toMatchObject({ code: 250, complete: true, command: 0, frames: [6], segments: [{ frame: 6, bytes: 174 }] });
    expect(one.sessions[0].commands[1]).toMatchObject({ verb: "MAIL", line: "MAIL FROM:<alice@example.test>", frames: [7] });
    const two = JSON.parse(run(["analyze", "--format", "json", "samples/clean-pipelining.pcap", "samples/support-case.pcapng"]).out);
    expect(two.map((d: { file: string }) => d.file)).toEqual(["samples/clean-pipelining.pcap", "samples/support-case.pcapng"]);
    const nd = run(["analyze", "--format", "ndjson", "samples/clean-pipelining.pcap", "samples/support-case.pcapng"]).out.trim().split("\n");
    expect(nd.map((l) => JSON.parse(l).file)).toEqual(["samples/clean-pipelining.pcap", "samples/support-case.pcapng"]);
  });

  it("reads standard input with '-'", () => {
    const r = run(["analyze", "--format", "json", "-"], writeCapture(supportCase().packets, { gzip: true }));
    expect(JSON.parse(r.out)).toMatchObject({ file: "<stdin>", gzip: true, packets: 11 });
  });

  it("bad input: one line naming file and byte offset, no stack trace; exit 2 only when nothing could be read", () => {
    const garbage = tmpFile(Buffer.from("GIF89a not a capture at all"));
    const r = run(["analyze", garbage]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`smtpcap: ${garbage}: byte 0: not a capture file (starts with 47494638; expected pcap or pcapng)\n`);
    const full = writeCapture(supportCase().packets);
    const cut = tmpFile(full.subarray(0, full.length - 10));
    const t = run(["analyze", "--format", "json", "--fail-on", "never", cut]);
    expect(t.code).toBe(0);
    expect(t.err).toMatch(new RegExp(`^smtpcap: ${cut}: byte \\d+: warning: truncated: last record incomplete \\(\\d+ bytes left over\\)\\n$`));
    expect(JSON.parse(t.out).packets).toBe(10);
    const mixed = run(["analyze", "--format", "json", garbage, "samples/clean-pipelining.pcap"]);
    expect(mixed.code).toBe(0);
    expect(mixed.err).not.toMatch(/at .*\.js:\d+/);
  });

  it("rules and explain", () => {
    const r = run(["rules"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^client-acted-on-partial-multiline-reply +error +client +RFC 2920 §3.1; RFC 5321 §4.3.1$/m);
    const e = run(["explain", "reply-split-across-segments"]);
    expect(e.out).toMatch(/^reply-split-across-segments — One reply carried by several TCP segments\nseverity: info/);
    expect(run(["explain", "nope"]).code).toBe(2);
  });

  it("no command is a usage error (exit 2); --help is not", () => {
    expect(run([]).code).toBe(2);
    expect(run(["--help"]).code).toBe(0);
    expect(run(["frob"]).code).toBe(2);
  });

  it("a reader that goes away (`| head`) ends the run quietly: exit 0, no stack trace", async () => {
    const child = spawn(process.execPath, [BIN, "analyze", "--format", "json", "samples/support-case.pcapng"], { cwd: ROOT });
    child.stdout.destroy(); // closed before the first write
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(err).toBe("");
    expect(code).toBe(0);
  });

  it("--help documents the exit status", () => {
    const h = run(["analyze", "--help"]);
    expect(h.code).toBe(0);
    expect(h.out).toContain("Exit status: 0 no finding at or above --fail-on; 1 a finding reached it; 2 usage error, or nothing could be read.");
  });
});
