import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { summaryTable } from "../../src/cli/batch.js";
import type { BatchResult } from "../../src/cli/batch-file.js";
import { Output } from "../../src/cli/options.js";
import { cleanSample } from "../support/samples.js";
import { run } from "./run.js";

/** Two captures whose paths differ only in their start, one clean and one unreadable (issue #20 item 7). */
function twins(): { d: string; a: string; b: string } {
  const d = mkdtempSync(join(tmpdir(), "smtpcap-table-"));
  const deep = "customer-" + "x".repeat(60) + "/2026-12-01/gateway/capture_port_25.pcap";
  const a = join("site-one", deep);
  const b = join("site-two", deep);
  mkdirSync(join(d, a, ".."), { recursive: true });
  mkdirSync(join(d, b, ".."), { recursive: true });
  writeFileSync(join(d, a), cleanSample());
  writeFileSync(join(d, b), Buffer.from("not a capture, but named like one"));
  return { d, a, b };
}

function result(path: string, over: Partial<BatchResult> = {}): BatchResult {
  return {
    kind: "result", id: 0, path, bytes: 0, sessions: 1, undetermined: 0, counts: { error: 0, warning: 0, info: 0 }, rules: {}, worst: null, error: null,
    summary: { file: path, format: "pcap", problems: [] }, doc: null, page: null, ...over,
  };
}

describe("batch table width", () => {
  it("off a terminal, paths and notes are never cut: two files that differ in their start stay two", () => {
    const { d, a, b } = twins();
    const r = run(["batch", d]);
    expect(r.code).toBe(3);
    const rows = r.out.split("\n");
    const rowA = rows.find((l) => l.startsWith(a + " "));
    const rowB = rows.find((l) => l.startsWith(b + " "));
    expect(rowA).toMatch(/ clean$/);
    expect(rowB).toMatch(/ unreadable {2}not a capture file \(starts with 6e6f7420; expected pcap or pcapng\)$/);
    expect(r.out).not.toContain("…");
    expect(Math.max(...rows.map((l) => l.length))).toBeGreaterThan(100);
    // COLUMNS alone does not cut a table that goes to a pipe or a file
    expect(run(["batch", d], { env: { COLUMNS: "60" } }).out).toBe(r.out);
  });

  it("on a terminal the table fits the width it is given: the notes give way, then the path's start", () => {
    const long = "site-one/customer-" + "x".repeat(60) + "/capture_port_25.pcap";
    const rows = [result(long, { error: { message: "not a capture file (starts with 6e6f7420; expected pcap or pcapng)" }, sessions: 0, summary: { file: long, format: "unknown", problems: [] } })];
    const t = summaryTable(rows, new Map(), 0, 80).split("\n");
    expect(Math.max(...t.map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(t[1]).toMatch(/^…x+\/capture_port_25\.pcap {2}/);
    expect(t[1]).toMatch(/unreadable {2}\S/);
    const wide = summaryTable(rows, new Map(), 0, Infinity).split("\n");
    expect(wide[1].startsWith(long + "  ")).toBe(true);
    expect(wide[1]).toContain("not a capture file (starts with 6e6f7420; expected pcap or pcapng)");
  });

  it("the terminal's columns: COLUMNS when set, else the real width; none off a terminal", () => {
    const out = new Output();
    const tty = Object.getOwnPropertyDescriptor(process.stdout, "isTTY");
    const cols = Object.getOwnPropertyDescriptor(process.stdout, "columns");
    try {
      Object.defineProperty(process.stdout, "isTTY", { value: false, configurable: true });
      expect(out.terminalColumns({ COLUMNS: "120" })).toBeNull();
      Object.defineProperty(process.stdout, "isTTY", { value: true, configurable: true });
      Object.defineProperty(process.stdout, "columns", { value: 132, configurable: true });
      expect(out.terminalColumns({})).toBe(132);
      expect(out.terminalColumns({ COLUMNS: "90" })).toBe(90);
      expect(out.terminalColumns({ COLUMNS: "wide" })).toBe(132);
    } finally {
      if (tty) Object.defineProperty(process.stdout, "isTTY", tty);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
      if (cols) Object.defineProperty(process.stdout, "columns", cols);
      else delete (process.stdout as { columns?: number }).columns;
    }
  });
});
