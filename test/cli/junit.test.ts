import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { cleanSample, supportCaseSample } from "../support/samples.js";
import { run } from "./run.js";

/** lab/clean.pcap, lab/support.pcapng, lab/odd/garbage.cap (unreadable), lab/odd/empty.pcap (no packets: no SMTP) */
function folder(): string {
  const d = mkdtempSync(join(tmpdir(), "smtpcap-junit-"));
  mkdirSync(join(d, "lab", "odd"), { recursive: true });
  writeFileSync(join(d, "lab", "clean.pcap"), cleanSample());
  writeFileSync(join(d, "lab", "support.pcapng"), supportCaseSample());
  writeFileSync(join(d, "lab", "odd", "garbage.cap"), Buffer.from("this is not a capture file"));
  writeFileSync(join(d, "lab", "odd", "empty.pcap"), cleanSample().subarray(0, 24));
  return d;
}

type Case = { classname: string; name: string; file: string; failure?: { message: string; type: string; "#text": string }; error?: { message: string; type: string }; skipped?: { message: string } };

/**
 * The structure Jenkins' junit plugin and GitLab read (Jenkins' junit-10.xsd): <testsuites> of
 * <testsuite name tests failures errors skipped> of <testcase classname name>, each at most one of
 * each <skipped>, <error>, <failure message type>text</failure>.
 */
function parse(xml: string): { suites: Record<string, string>; suite: Record<string, string>; cases: Case[] } {
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", parseAttributeValue: false, isArray: (n) => n === "testcase" || n === "testsuite" }).parse(xml);
  const suites = doc.testsuites;
  expect(Object.keys(doc).filter((k) => k !== "?xml")).toEqual(["testsuites"]);
  expect(suites.testsuite).toHaveLength(1);
  const suite = suites.testsuite[0];
  const cases: Case[] = suite.testcase ?? [];
  for (const c of cases) {
    expect(typeof c.classname).toBe("string");
    expect(typeof c.name).toBe("string");
    for (const k of Object.keys(c)) expect(["classname", "name", "file", "failure", "error", "skipped"]).toContain(k);
  }
  const attrs = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === "string")) as Record<string, string>;
  return { suites: attrs(suites), suite: attrs(suite), cases };
}

describe("--format junit", () => {
  it("batch: one test case per file, classname from its folder; failure, error, skipped; totals", () => {
    const d = folder();
    const r = run(["batch", "--format", "junit", join(d, "lab")]);
    expect(r.code).toBe(3);
    const { suites, suite, cases } = parse(r.out);
    const lab = join(d, "lab").slice(1).replace(/\//g, ".");
    expect(cases.map((c) => [c.classname, c.name])).toEqual([
      [lab, "clean.pcap"],
      [`${lab}.odd`, "empty.pcap"],
      [`${lab}.odd`, "garbage.cap"],
      [lab, "support.pcapng"],
    ]);
    for (const s of [suites, suite]) expect(s).toMatchObject({ tests: "4", failures: "1", errors: "1", skipped: "1" });
    const [clean, empty, garbage, support] = cases;
    expect(Object.keys(clean)).toEqual(["classname", "name", "file"]);
    expect(empty.skipped!.message).toBe("no SMTP: the capture holds no packets");
    expect(garbage.error).toEqual({ message: "not a capture file (starts with 74686973; expected pcap or pcapng)", type: "unreadable" });
    // the failure lists exactly the findings that reach --fail-on error, as analyze finds them
    const recs = run(["analyze", "--format", "ndjson", join(d, "lab", "support.pcapng")]).out.trim().split("\n").map((l) => JSON.parse(l));
    const errors = recs.filter((x) => x.type === "session").flatMap((s) => s.findings.filter((f: { severity: string }) => f.severity === "error"));
    expect(errors.length).toBeGreaterThan(0);
    expect(support.failure!.type).toBe("error");
    expect(support.failure!.message).toBe(`${errors.length} finding${errors.length === 1 ? "" : "s"} reach --fail-on error`);
    const lines = support.failure!["#text"].split("\n");
    expect(lines).toEqual(errors.map((f: { rule: string; tcpStream: number; frames: number[]; message: string }) => `error ${f.rule} (tcp.stream ${f.tcpStream}, frame${f.frames.length === 1 ? "" : "s"} ${f.frames.join(",")}): ${f.message.replace(/\s+/g, " ")}`));
  });

  it("--fail-on decides what is a failure; analyze writes the same shape", () => {
    const d = folder();
    const support = join(d, "lab", "support.pcapng");
    const never = parse(run(["batch", "--format", "junit", "--fail-on", "never", support]).out);
    expect(never.suite).toMatchObject({ tests: "1", failures: "0" });
    expect(never.cases[0].failure).toBeUndefined();
    const info = parse(run(["batch", "--format", "junit", "--fail-on", "info", support]).out);
    const err = parse(run(["batch", "--format", "junit", support]).out);
    expect(info.cases[0].failure!["#text"].split("\n").length).toBeGreaterThan(err.cases[0].failure!["#text"].split("\n").length);
    const a = run(["analyze", "--format", "junit", support, join(d, "lab", "clean.pcap")]);
    expect(a.code).toBe(1);
    const ap = parse(a.out);
    expect(ap.cases.map((c) => c.name)).toEqual(["support.pcapng", "clean.pcap"]);
    expect(ap.cases[0].failure!["#text"]).toBe(err.cases[0].failure!["#text"]);
    expect(ap.suite).toMatchObject({ tests: "2", failures: "1", errors: "0", skipped: "0" });
  });

  it("capture text in a message is XML-safe (the parser reads back what was escaped)", async () => {
    const { xmlText } = await import("../../src/report/junit.js");
    const hostile = `a <b> & "c" 'd' \x1b[2J \ud800 end`;
    const xml = `<x m="${xmlText(hostile)}">${xmlText(hostile)}</x>`;
    expect(XMLValidator.validate(xml)).toBe(true);
    const x = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", processEntities: true }).parse(xml).x;
    expect(x.m).toBe(`a <b> & "c" 'd' \\x1b[2J ? end`);
  });
});

describe("--format compact, a file without SMTP", () => {
  it("says so in one line instead of nothing (as the table does)", () => {
    const d = folder();
    const empty = join(d, "lab", "odd", "empty.pcap");
    const r = run(["analyze", "--format", "compact", empty]);
    expect(r).toMatchObject({ code: 0, out: `${empty}:0: note no-smtp the capture holds no packets\n` });
    const b = run(["batch", "--format", "compact", join(d, "lab", "odd")]);
    expect(b.out).toBe(`${empty}:0: note no-smtp the capture holds no packets\n`);
    // a clean file still prints nothing; an unreadable one only its line on stderr
    expect(run(["analyze", "--format", "compact", join(d, "lab", "clean.pcap")]).out).toBe("");
    expect(run(["analyze", "--format", "compact", join(d, "lab", "odd", "garbage.cap")]).out).toBe("");
  });
});

describe("junitClassName", () => {
  it("the folder as a dotted name, normalised; the current folder as smtpcap", async () => {
    const { junitClassName } = await import("../../src/report/junit.js");
    expect(junitClassName("test/../samples/a.pcap")).toBe("samples");
    expect(junitClassName("./captures/lab/x.pcap")).toBe("captures.lab");
    expect(junitClassName("x.pcap")).toBe("smtpcap");
    expect(junitClassName("<stdin>")).toBe("smtpcap");
  });
});
