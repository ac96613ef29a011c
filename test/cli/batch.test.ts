import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { cleanSample, supportCaseSample } from "../support/samples.js";

const ROOT = join(import.meta.dirname, "..", "..");
function run(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "smtpcap.js"), ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** a/clean.pcap, a/b/support.pcapng.gz, a/b/c/broken.pcap (truncated), a/garbage.cap, a/notes.txt, a/b/hidden.bin (a pcap by content) */
function tree(): string {
  const d = mkdtempSync(join(tmpdir(), "smtpcap-batch-"));
  mkdirSync(join(d, "a", "b", "c"), { recursive: true });
  writeFileSync(join(d, "a", "clean.pcap"), cleanSample());
  writeFileSync(join(d, "a", "b", "support.pcapng.gz"), gzipSync(supportCaseSample()));
  const clean = cleanSample();
  writeFileSync(join(d, "a", "b", "c", "broken.pcap"), clean.subarray(0, clean.length - 30));
  writeFileSync(join(d, "a", "garbage.cap"), Buffer.from("this is not a capture file"));
  writeFileSync(join(d, "a", "notes.txt"), "hello");
  writeFileSync(join(d, "a", "b", "hidden.bin"), cleanSample());
  return d;
}

describe("smtpcap batch", () => {
  it("walks folders, takes capture names and their .gz forms, reports unreadable files, exits 1", () => {
    const d = tree();
    const r = run(["batch", "--format", "ndjson", d]);
    expect(r.code).toBe(1);
    const recs = r.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(recs.map((x) => x.file.slice(d.length + 1))).toEqual(["a/b/c/broken.pcap", "a/b/support.pcapng.gz", "a/clean.pcap", "a/garbage.cap"]);
    expect(recs.map((x) => [x.sessions.length, x.findings.filter((f: { severity: string }) => f.severity === "error").length, x.error ?? null])).toEqual([
      [1, 0, null],
      [2, 3, null],
      [1, 0, null],
      [0, 0, "byte 0: not a capture file (starts with 74686973; expected pcap or pcapng)"],
    ]);
    expect(recs[1].gzip).toBe(true);
    expect(recs[0].problems[0].message).toMatch(/^truncated/);
    expect(r.err).toContain("smtpcap: skipped 2 files that are not captures");
  });

  it("--all-files sniffs content: the pcap named .bin is taken, the text files are not", () => {
    const d = tree();
    const recs = run(["batch", "--format", "ndjson", "--all-files", d]).out.trim().split("\n").map((l) => JSON.parse(l));
    expect(recs.map((x) => x.file.slice(d.length + 1))).toEqual(["a/b/c/broken.pcap", "a/b/hidden.bin", "a/b/support.pcapng.gz", "a/clean.pcap"]);
  });

  it("--jobs 1 and --jobs 2 give identical output, in path order", () => {
    const d = tree();
    for (const format of ["ndjson", "json", "table"]) {
      const one = run(["batch", "--format", format, "-j", "1", d]);
      const two = run(["batch", "--format", format, "-j", "2", d]);
      expect(two.out, format).toBe(one.out);
      expect(two.code).toBe(one.code);
    }
    const arr = JSON.parse(run(["batch", "--format", "json", d]).out);
    expect(arr).toHaveLength(4);
  });

  it("the summary table has a row per file, totals and the top rules; no progress bar when stderr is not a terminal", () => {
    const d = tree();
    const r = run(["batch", d]);
    expect(r.out).toMatch(/a\/b\/support\.pcapng\.gz\s+│ 2\s+│ 3\s+│ 3\s+│ 2\s+│ error: client-acted-on-partial-multiline-reply/);
    expect(r.out).toMatch(/a\/garbage\.cap\s+│ 0 .*unreadable: byte 0: not a capture file/);
    expect(r.out).toMatch(/║ 4 files\s+│ 4\s+│ 3\s+│ 3\s+│ 2/);
    expect(r.out).toContain("top rules: client-acted-on-partial-multiline-reply (2), reply-split-across-segments (2), reply-split-delay (2), auth-cleartext-credentials (1), starttls-command-injection (1)");
    expect(r.out).toContain("1 unreadable, 2 skipped (not captures)");
    expect(r.err).not.toContain("[#");
  });

  it("follows symbolic links to captures, and survives a link back up the tree", () => {
    const d = mkdtempSync(join(tmpdir(), "smtpcap-batch-"));
    mkdirSync(join(d, "sub"));
    writeFileSync(join(d, "sub", "clean.pcap"), cleanSample());
    symlinkSync(join(d, "sub", "clean.pcap"), join(d, "link.pcap"));
    symlinkSync(d, join(d, "sub", "loop"));
    const recs = run(["batch", "--format", "ndjson", d]).out.trim().split("\n").map((l) => JSON.parse(l).file.slice(d.length + 1));
    expect(recs).toEqual(["link.pcap", "sub/clean.pcap"]);
  });

  it("exit 0 when every file is readable and nothing reaches --fail-on; 2 for usage errors", () => {
    const d = mkdtempSync(join(tmpdir(), "smtpcap-batch-"));
    writeFileSync(join(d, "clean.pcap"), cleanSample());
    writeFileSync(join(d, "support.pcapng"), supportCaseSample());
    expect(run(["batch", d]).code).toBe(1);
    expect(run(["batch", "--fail-on", "never", d]).code).toBe(0);
    expect(run(["batch", join(d, "clean.pcap")]).code).toBe(0);
    expect(run(["batch", "--format", "xml", d]).code).toBe(2);
  });
});
