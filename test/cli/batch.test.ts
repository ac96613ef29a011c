import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { defaultJobs } from "../../src/cli/batch.js";
import { cleanSample, supportCaseSample } from "../support/samples.js";
import { Conversation, writeCapture } from "../support/writer.js";
import { run } from "./run.js";

/** a/clean.pcap, a/b/support.pcapng.gz, a/b/c/broken.pcap (last record cut short), a/garbage.cap, a/notes.txt, a/b/hidden.bin (a pcap by content) */
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

type Rec = { type: string; file: string; sessionCount: number; counts: { error: number }; error?: { message: string; offset?: number }; gzip: boolean; problems: { message: string; level: string }[] };
const fileRecords = (out: string): Rec[] => out.trim().split("\n").map((l) => JSON.parse(l)).filter((r) => r.type === "file");

describe("smtpcap batch", () => {
  it("walks folders, takes capture names and their .gz forms, reports unreadable files, exits 3", () => {
    const d = tree();
    const r = run(["batch", "--format", "ndjson", d]);
    expect(r.code).toBe(3);
    const recs = fileRecords(r.out);
    expect(recs.map((x) => x.file.slice(d.length + 1))).toEqual(["a/b/c/broken.pcap", "a/b/support.pcapng.gz", "a/clean.pcap", "a/garbage.cap"]);
    expect(recs.map((x) => [x.sessionCount, x.counts.error, x.error ?? null])).toEqual([
      [1, 0, null],
      [2, 3, null],
      [1, 0, null],
      [0, 0, { message: "not a capture file (starts with 74686973; expected pcap or pcapng)" }],
    ]);
    expect(recs[1].gzip).toBe(true);
    expect(recs[0].problems[0]).toMatchObject({ level: "warning", message: expect.stringMatching(/^truncated/) });
    expect(r.err).toContain(`smtpcap: ${join(d, "a/garbage.cap")}: not a capture file (starts with 74686973; expected pcap or pcapng)\n`);
    expect(r.err).toContain("smtpcap: 2 files skipped: not captures\n");
  });

  it("--all-files sniffs content: the pcap named .bin is taken, the text files are not", () => {
    const d = tree();
    const recs = fileRecords(run(["batch", "--format", "ndjson", "--all-files", d]).out);
    expect(recs.map((x) => x.file.slice(d.length + 1))).toEqual(["a/b/c/broken.pcap", "a/b/hidden.bin", "a/b/support.pcapng.gz", "a/clean.pcap"]);
  });

  it("--jobs 1 and --jobs 2 give identical output, in path order; --format json is one object", () => {
    const d = tree();
    for (const format of ["ndjson", "json", "table"]) {
      const one = run(["batch", "--format", format, "-j", "1", d]);
      const two = run(["batch", "--format", format, "-j", "2", d]);
      expect(two.out, format).toBe(one.out);
      expect(two.code).toBe(one.code);
    }
    const doc = JSON.parse(run(["batch", "--format", "json", d]).out);
    expect(Object.keys(doc)).toEqual(["schemaVersion", "tool", "files"]);
    expect(doc.files).toHaveLength(4);
    expect(doc.files[1].sessions[0].findings.length).toBeGreaterThan(0);
  });

  it("the table: paths relative to the folder, numbers right-aligned, a verdict column, notes whole off a terminal", () => {
    const d = tree();
    writeFileSync(join(d, "a", "empty.pcap"), cleanSample().subarray(0, 24)); // a header, no packets: no SMTP
    const r = run(["batch", d]);
    expect(r.err).not.toContain("[#");
    expect(r.code).toBe(3);
    // what the rows must say, from the same files' NDJSON
    const recs = run(["batch", "--format", "ndjson", d]).out.trim().split("\n").map((l) => JSON.parse(l));
    const file = (name: string) => recs.find((x) => x.type === "file" && x.file.endsWith(name));
    const support = file("support.pcapng.gz").counts;
    const brokenFault = recs.find((x) => x.type === "session" && x.file.endsWith("broken.pcap")).verdict.fault;
    const lines = r.out.split("\n");
    const head = lines[0];
    expect(head).toMatch(/^file {3,}sessions {2}errors {2}warnings {2}infos {2}verdict {2,}notes$/);
    const rows = lines.slice(1, 7);
    expect(rows.map((l) => l.split(/ {2,}/).slice(0, 6))).toEqual([
      ["a/b/c/broken.pcap", "1", "0", "0", "0", brokenFault === "undetermined" ? "undetermined" : "clean"],
      ["a/b/support.pcapng.gz", "2", String(support.error), String(support.warning), String(support.info), "findings"],
      ["a/clean.pcap", "1", "0", "0", "0", "clean"],
      ["a/empty.pcap", "0", "0", "0", "0", "no SMTP"],
      ["a/garbage.cap", "0", "0", "0", "0", "unreadable"],
      ["5 files", "4", String(support.error), String(support.warning), String(support.info)],
    ]);
    expect(rows[0]).toMatch(/ {2}truncated: last record incomplete \(\d+ bytes left over\)$/);
    expect(rows[1]).toMatch(/ {2}error: [a-z]/);
    expect(rows[4]).toMatch(/ {2}not a capture file/);
    // numbers end where their heading ends
    for (const col of ["sessions", "errors", "warnings", "infos"]) {
      const end = head.indexOf(col) + col.length;
      for (const row of rows) expect(row.slice(end - 1, end + 1), `${col} in ${row}`).toMatch(/^\d( |$)/);
    }
    expect(lines.join("\n")).not.toContain("…");
    expect(lines.slice(7).join("\n")).toMatch(/^\ntop rules: [a-z0-9-]+ \(\d+\)(,\s+[a-z0-9-]+ \(\d+\)){0,4}\n1 unreadable, 2 files skipped \(not captures\)\n$/);
  });

  it("follows symbolic links to captures, and survives a link back up the tree", () => {
    const d = mkdtempSync(join(tmpdir(), "smtpcap-batch-"));
    mkdirSync(join(d, "sub"));
    writeFileSync(join(d, "sub", "clean.pcap"), cleanSample());
    symlinkSync(join(d, "sub", "clean.pcap"), join(d, "link.pcap"));
    symlinkSync(d, join(d, "sub", "loop"));
    const recs = fileRecords(run(["batch", "--format", "ndjson", d]).out).map((x) => x.file.slice(d.length + 1));
    expect(recs).toEqual(["link.pcap", "sub/clean.pcap"]);
  });

  it("exit status: 0 readable and nothing reached --fail-on; 1 a finding did; 2 usage; 3 an unreadable input (wins over 1)", () => {
    const d = mkdtempSync(join(tmpdir(), "smtpcap-batch-"));
    writeFileSync(join(d, "clean.pcap"), cleanSample());
    writeFileSync(join(d, "support.pcapng"), supportCaseSample());
    expect(run(["batch", d]).code).toBe(1);
    expect(run(["batch", "--fail-on", "never", d]).code).toBe(0);
    expect(run(["batch", join(d, "clean.pcap")]).code).toBe(0);
    expect(run(["batch", "--format", "xml", d]).code).toBe(2);
    expect(run(["batch", "-j", "0", d]).code).toBe(2);
    expect(run(["batch", "-j", "two", d]).code).toBe(2);
    const missing = run(["batch", d, join(d, "nope.pcap")]);
    expect(missing.code).toBe(3);
    expect(missing.err).toBe(`smtpcap: ${join(d, "nope.pcap")}: no such file\n`);
    const cut = join(d, "cut.pcap");
    writeFileSync(cut, cleanSample().subarray(0, cleanSample().length - 5));
    expect(run(["batch", cut]).code).toBe(0); // a last record cut short is only noted
  });

  it("'-' reads standard input; -o writes the table to a file", () => {
    const r = run(["batch", "--format", "ndjson", "-"], { input: supportCaseSample() });
    expect(fileRecords(r.out).map((x) => [x.file, x.sessionCount])).toEqual([["<stdin>", 2]]);
    const out = join(mkdtempSync(join(tmpdir(), "smtpcap-batch-")), "t.txt");
    const t = run(["batch", "-o", out, "-"], { input: gzipSync(cleanSample()) });
    expect(t.out).toBe("");
    expect(t.code).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(/^<stdin> +1 +0 +0 +0 +clean$/m);
  });

  it("batch JSON and compact output are analyze's, also for a file whose report is handed on in pieces (over 1 MB)", () => {
    const d = mkdtempSync(join(tmpdir(), "smtpcap-batch-"));
    const convs = Array.from({ length: 600 }, (_, i) => {
      const c = new Conversation(`198.51.100.${1 + (i % 200)}:${20000 + i}`, "203.0.113.25:25", { t0: 1700000000 + i });
      c.handshake();
      c.server("220 mx.example.test ESMTP\r\n");
      c.client("EHLO client.example.test\r\n");
      c.server("250-mx.example.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
      c.client("QUIT\r\n");
      c.server("221 bye\r\n");
      c.fin("client").fin("server");
      return c;
    });
    writeFileSync(join(d, "a-big.pcap"), writeCapture(convs.flatMap((c) => c.packets)));
    writeFileSync(join(d, "b-small.pcap"), cleanSample());
    writeFileSync(join(d, "c-support.pcapng"), supportCaseSample());
    const names = ["a-big.pcap", "b-small.pcap", "c-support.pcapng"].map((n) => join(d, n));
    const analyzed = run(["analyze", "--format", "json", ...names]).out;
    expect(analyzed.length).toBeGreaterThan(1 << 20);
    const batched = run(["batch", "--format", "json", "-j", "2", d]).out;
    let k = 0; // where they first differ, for a readable failure
    while (k < batched.length && batched[k] === analyzed[k]) k++;
    expect(batched.slice(Math.max(0, k - 200), k + 200)).toBe(analyzed.slice(Math.max(0, k - 200), k + 200));
    expect(batched.length).toBe(analyzed.length);
    expect(run(["batch", "--format", "ndjson", "-j", "2", d]).out).toBe(run(["analyze", "--format", "ndjson", ...names]).out);
    const compact = run(["batch", "--format", "compact", "-j", "2", d]);
    expect(compact.out).toBe(run(["analyze", "--format", "compact", ...names]).out);
    expect(compact.out.split("\n")[0]).toMatch(/^.*\/c-support\.pcapng:7: error client-acted-on-partial-multiline-reply \(client\) /);
    expect(compact.code).toBe(1);
  });

  it("sessions judged while an earlier connection is open (their output made before it is written): batch agrees with analyze", () => {
    // stream 0 stays open while streams 1..3 run start to end; stream 2 lacks the server's side
    // (undetermined: a compact note line naming its session index)
    const d = mkdtempSync(join(tmpdir(), "smtpcap-batch-"));
    const t0 = 1700000000;
    const long = new Conversation("198.51.100.1:30000", "203.0.113.25:25", { t0 }).handshake();
    long.server("220 mx.example.test ESMTP\r\n");
    long.client("EHLO a.example.test\r\n");
    const later = [1, 2, 3].map((k) => {
      const c = new Conversation(`198.51.100.${1 + k}:3000${k}`, "203.0.113.25:25", { t0: t0 + k }).handshake();
      c.server("220 mx.example.test ESMTP\r\n");
      c.client("EHLO b.example.test\r\n");
      c.server("250-mx.example.test\r\n250 PIPELINING\r\n");
      c.client(k === 1 ? "MAIL FROM:<a@b> BODY=8BITMIME\r\n" : "QUIT\r\n");
      c.server(k === 1 ? "250 ok\r\n" : "221 bye\r\n");
      c.fin("client").fin("server");
      return k === 2 ? c.packets.filter((p) => p.ip[12] === 198) : c.packets;
    });
    long.server("250-mx.example.test\r\n250 8BITMIME\r\n", { t: t0 + 10 });
    long.client("QUIT\r\n");
    long.server("221 bye\r\n");
    long.fin("client").fin("server");
    const f = join(d, "overlap.pcap");
    writeFileSync(f, writeCapture([...long.packets, ...later.flat()].sort((a, b) => a.time - b.time)));
    const json = run(["analyze", "--format", "json", f]).out;
    expect((JSON.parse(json) as { files: { sessions: { tcpStream: number }[] }[] }).files[0].sessions.map((x) => x.tcpStream)).toEqual([0, 1, 2, 3]);
    expect(run(["batch", "--format", "json", d]).out).toBe(json);
    expect(run(["batch", "--format", "ndjson", d]).out).toBe(run(["analyze", "--format", "ndjson", f]).out);
    const compact = run(["batch", "--format", "compact", d]).out;
    expect(compact).toBe(run(["analyze", "--format", "compact", f]).out);
    expect(compact).toMatch(/note undetermined \(session 2, tcp\.stream 2\)/);
  });

  it("default job count: one fewer than the cores, at least one", () => {
    expect([1, 2, 4, 16].map((n) => defaultJobs(n))).toEqual([1, 1, 3, 15]);
  });
});
