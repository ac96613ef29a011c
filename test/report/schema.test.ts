import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { analyzeStream } from "../../src/analyze.js";
import { JsonFileWriter, jsonReportEnd, jsonReportStart } from "../../src/report/json.js";
import { captures } from "../support/golden.js";
import { SHARED, supportCase, tmpFile } from "../support/fixtures.js";
import { describeShared, SHARED_PRESENT } from "../support/shared.js";
import { writeCapture } from "../support/writer.js";
import { ROOT, run } from "../cli/run.js";
import { Validator } from "./schema.js";

const schema = JSON.parse(readFileSync(join(ROOT, "schema", "report.schema.json"), "utf8"));
const v = new Validator(schema);

/** The JSON report of one file, written by the same writer the CLI streams with. */
async function reportOf(file: string, mode: "json" | "ndjson"): Promise<string> {
  const parts: string[] = [];
  const w = new JsonFileWriter((s) => parts.push(s), file, mode);
  w.end(await analyzeStream(file, {}, (s, fs) => w.session(s, fs)));
  return mode === "json" ? jsonReportStart() + parts.join("") + jsonReportEnd() : parts.join("");
}

describe("schema/report.schema.json", () => {
  it("the validator rejects what the schema forbids", () => {
    const good = JSON.parse(run(["analyze", "--format", "json", "samples/support-case.pcapng"]).out);
    expect(v.validate(good)).toEqual([]);
    const bad = structuredClone(good);
    bad.schemaVersion = 2;
    bad.files[0].sessions[0].findings[0].severity = "fatal";
    bad.files[0].sessions[0].startTimeIso = "2025-11-28 03:20:00";
    delete bad.files[0].sessions[0].commands[0].timeIso;
    bad.files[0].sessions[0].replies[0].colour = "red";
    bad.files[0].packets = -1;
    expect(v.validate(bad)).toEqual([
      "$.schemaVersion: 2 is not 1",
      "$.files[0].sessions[0].startTimeIso: \"2025-11-28 03:20:00\" does not match ^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.(\\d{6}|\\d{9})Z$",
      "$.files[0].sessions[0].findings[0].severity: \"fatal\" is not one of [\"error\",\"warning\",\"info\"]",
      "$.files[0].sessions[0].commands[0]: missing timeIso",
      "$.files[0].sessions[0].replies[0]: unexpected property colour",
      "$.files[0].packets: -1 < 0",
    ]);
  });

  it("analyze --format json validates: samples, a missing file, a damaged file, a cut file, standard input", () => {
    const full = writeCapture(supportCase().packets);
    const cut = tmpFile(full.subarray(0, full.length - 10));
    const broken = Buffer.from(full);
    broken.writeUInt32LE(0x7fffffff, 24 + 8);
    const doc = JSON.parse(run(["analyze", "--format", "json", "samples/support-case.pcapng", "samples/clean-pipelining.pcap", "/nonexistent.pcap", cut, tmpFile(broken)]).out);
    expect(doc.files).toHaveLength(5);
    expect(v.validate(doc)).toEqual([]);
    expect(v.validate(JSON.parse(run(["analyze", "--format", "json", "--show-secrets", "--show-data", "-"], { input: full }).out))).toEqual([]);
  });

  it("--format ndjson records validate as sessionRecord / fileRecord; batch --format json validates", () => {
    const lines = run(["analyze", "--format", "ndjson", "samples/support-case.pcapng", "/nonexistent.pcap"]).out.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(["session", "session", "file", "file"]);
    for (const l of lines) expect(v.validateDef(l, l.type === "file" ? "fileRecord" : "sessionRecord")).toEqual([]);
    expect(v.validate(JSON.parse(run(["batch", "--format", "json", "samples"]).out))).toEqual([]);
  });

  it("the package ships the schema, the LICENSE and the samples the README names; installing runs no script", () => {
    const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
    const files: string[] = JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
    expect(files.filter((f) => !f.startsWith("dist/")).sort()).toEqual([
      "LICENSE",
      "README.md",
      "bin/build-cli.mjs",
      "bin/smtpcap.js",
      "package.json",
      "samples/clean-pipelining.pcap",
      "samples/support-case.pcapng",
      "schema/report.schema.json",
    ]);
    expect(files).toContain("dist/bundle/main.js");
    expect(files).toContain("dist/index.js");
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    for (const s of ["prepare", "preinstall", "install", "postinstall"]) expect(pkg.scripts[s], s).toBeUndefined();
    expect(pkg.exports["./schema/report.schema.json"]).toBe("./schema/report.schema.json");
  });
});

describeShared("every shared capture's JSON report validates against the schema", () => {
  const dir = join(SHARED, "captures");
  for (const file of SHARED_PRESENT ? captures(dir) : []) {
    it(relative(dir, file), async () => {
      expect(v.validate(JSON.parse(await reportOf(file, "json")))).toEqual([]);
      const records = (await reportOf(file, "ndjson")).trim().split("\n").map((l) => JSON.parse(l));
      for (const r of records) expect(v.validateDef(r, r.type === "file" ? "fileRecord" : "sessionRecord")).toEqual([]);
    });
  }
});
