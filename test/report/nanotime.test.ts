/**
 * Reports of captures finer than a microsecond: every absolute time has the frame's exact 9
 * digits (JSON, NDJSON, the text report in any --tz); microsecond captures keep 6.
 * Runs the built CLI (bin/smtpcap.js), as the CLI tests do.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { fileData } from "../../src/report/html/data.js";
import { htmlReport } from "../../src/report/html/index.js";
import { describeBrowser, launch, open } from "../html/browser.js";
import { conv, tmpFile } from "../support/fixtures.js";
import { exactTimes, isoOf, nanoPcap, ticksPcapng, type FileJ, session } from "../support/exact-times.js";
import { writeCapture } from "../support/writer.js";
import { ROOT, run } from "../cli/run.js";
import { Validator } from "./schema.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";


const packets = session();
const ns = exactTimes(packets.length);

describe("reports of a nanosecond capture", () => {
  const files = { "pcap-ns": tmpFile(nanoPcap(packets, ns)), "pcapng if_tsresol 9": tmpFile(ticksPcapng(packets, ns, { tsresol: 9 }), ".pcapng") };

  for (const [kind, file] of Object.entries(files)) {
    it(`JSON (${kind}): file, session, command, reply, segment, close and finding times to the nanosecond`, () => {
      const r = run(["analyze", "--format", "json", "--fail-on", "never", file]);
      expect(r.code).toBe(0);
      const f = (JSON.parse(r.out) as { files: FileJ[] }).files[0];
      expect([f.firstTimeIso, f.lastTimeIso]).toEqual(["2025-11-28T03:20:00.123456789Z", "2025-11-28T03:20:01.223456800Z"]);
      const s = f.sessions[0];
      expect([s.startTimeIso, s.endTimeIso]).toEqual(["2025-11-28T03:20:00.123456789Z", "2025-11-28T03:20:01.223456800Z"]);
      expect(s.commands.map((c) => [c.verb, c.timeIso])).toEqual([
        ["EHLO", "2025-11-28T03:20:00.523456793Z"],
        ["MAIL", "2025-11-28T03:20:00.723456795Z"],
        ["QUIT", "2025-11-28T03:20:00.923456797Z"],
      ]);
      expect(s.replies.map((x) => [x.code, x.timeIso, x.segments.map((g) => g.timeIso)])).toEqual([
        [220, "2025-11-28T03:20:00.423456792Z", ["2025-11-28T03:20:00.423456792Z"]],
        [250, "2025-11-28T03:20:00.623456794Z", ["2025-11-28T03:20:00.623456794Z"]],
        [250, "2025-11-28T03:20:00.823456796Z", ["2025-11-28T03:20:00.823456796Z"]],
        [221, "2025-11-28T03:20:01.023456798Z", ["2025-11-28T03:20:01.023456798Z"]],
      ]);
      expect([s.close.server?.timeIso, s.close.client?.timeIso]).toEqual(["2025-11-28T03:20:01.123456799Z", "2025-11-28T03:20:01.223456800Z"]);
      expect(s.findings.map((x) => [x.rule, x.frames, x.timeIso])).toEqual([["bare-cr-lf-in-reply", [8], "2025-11-28T03:20:00.823456796Z"]]);
      expect(f.findings.map((x) => x.timeIso)).toEqual(["2025-11-28T03:20:00.823456796Z"]);
      // the floats are epoch seconds as before (a float cannot hold the nanoseconds)
      expect(s.startTime).toBe(1764300000.1234567);
      expect(new Validator(JSON.parse(readFileSync(join(ROOT, "schema", "report.schema.json"), "utf8"))).validate(JSON.parse(r.out))).toEqual([]);
    });
  }

  it("NDJSON: the session and file records carry the same exact times", () => {
    const r = run(["analyze", "--format", "ndjson", files["pcap-ns"]]);
    const [session, file] = r.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(session.startTimeIso).toBe("2025-11-28T03:20:00.123456789Z");
    expect(session.findings[0].timeIso).toBe("2025-11-28T03:20:00.823456796Z");
    expect([file.firstTimeIso, file.lastTimeIso]).toEqual(["2025-11-28T03:20:00.123456789Z", "2025-11-28T03:20:01.223456800Z"]);
  });

  it("text report: session start and first/last packet to the nanosecond, in UTC, a fixed zone and the local zone", () => {
    const flat = (s: string) => s.replace(/\s+/g, " ");
    const utc = flat(run(["analyze", files["pcap-ns"]]).out);
    expect(utc).toContain("started 2025-11-28T03:20:00.123456789Z");
    expect(utc).toContain("from 2025-11-28T03:20:00.123456789Z to 2025-11-28T03:20:01.223456800Z");
    const fixed = flat(run(["analyze", "--tz", "-03:30", files["pcapng if_tsresol 9"]]).out);
    expect(fixed).toContain("started 2025-11-27T23:50:00.123456789-03:30");
    expect(fixed).toContain("from 2025-11-27T23:50:00.123456789-03:30 to 2025-11-27T23:50:01.223456800-03:30");
    const local = flat(run(["analyze", "--tz", "local", files["pcap-ns"]], { env: { TZ: "Asia/Kathmandu" } }).out);
    expect(local).toContain(`started ${isoOf(ns[0], 345)}`);
    expect(local).toContain("started 2025-11-28T09:05:00.123456789+05:45");
  });

  it("compact output prints no times (unchanged)", () => {
    expect(run(["analyze", "--format", "compact", files["pcap-ns"]]).out).not.toMatch(/\d{2}:\d{2}:\d{2}/);
  });
});

describe("reports of a microsecond capture keep 6 digits", () => {
  it("JSON and text", () => {
    const c = conv({ t0: 1764300000.123456 }).handshake();
    c.server("220 mx.example.test ESMTP\r\n").client("QUIT\r\n").server("221 bye\r\n");
    const file = tmpFile(writeCapture(c.packets));
    const f = (JSON.parse(run(["analyze", "--format", "json", file]).out) as { files: FileJ[] }).files[0];
    expect(f.firstTimeIso).toBe("2025-11-28T03:20:00.124456Z");
    expect(f.sessions[0].replies[0].timeIso).toMatch(/^2025-11-28T03:20:00\.\d{6}Z$/);
    expect(run(["analyze", "--tz", "+05:45", file]).out).toContain("started 2025-11-28T09:05:00.124456+05:45");
  });
});

describe("HTML report of a nanosecond capture", () => {
  const file = tmpFile(nanoPcap(packets, ns));

  it("its data carries the exact first/last packet and session start; a microsecond capture's does not", async () => {
    const rep = await analyzeFile(file);
    const d = fileData(rep, { sha256: "" });
    expect([d.fi, d.li, d.S[0].t0i]).toEqual(["2025-11-28T03:20:00.123456789Z", "2025-11-28T03:20:01.223456800Z", "2025-11-28T03:20:00.123456789Z"]);
    const c = conv().handshake();
    c.server("220 mx.example.test ESMTP\r\n").client("QUIT\r\n").server("221 bye\r\n");
    const micro = fileData(await analyzeFile(tmpFile(writeCapture(c.packets))), { sha256: "" });
    expect([micro.fi, micro.li, micro.S[0].t0i]).toEqual([undefined, undefined, undefined]);
  });

  describeBrowser("in chromium", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launch();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("shows them with 9 digits", async () => {
      const l = await open(browser, htmlReport([await analyzeFile(file)], { showSecrets: false }));
      const text = await l.page.locator("main").innerText();
      expect(text).toMatch(/first packet\s+2025-11-28 03:20:00.123456789 UTC\n/);
      expect(text).toMatch(/last packet\s+2025-11-28 03:20:01.223456800 UTC\n/);
      expect(await l.page.locator("details.session#f0-s0").innerText()).toContain("2025-11-28 03:20:00.123456789 UTC");
    });
  });
});

describe("compare --format html of a nanosecond capture and a microsecond one", () => {
  it("each arrow's capture time has its own capture's digits: 9 for A (nanoseconds), 6 for B", () => {
    const a = tmpFile(nanoPcap(packets, ns));
    // the same packets 200 µs later, in a microsecond pcap
    const b = tmpFile(writeCapture(packets.map((p, i) => ({ ...p, time: Number(ns[i] / 1000n) / 1e6 + 0.0002 }))));
    const r = run(["compare", "--format", "html", a, b]);
    expect(r.code).toBe(0);
    // frame 4 is the 220 greeting
    expect(r.out).toContain(`capture A: frame 4 (1 segment) from ${isoOf(ns[3]).slice(0, -1).replace("T", " ")} UTC`);
    expect(r.out).toContain("capture A: frame 4 (1 segment) from 2025-11-28 03:20:00.423456792 UTC");
    expect(r.out).toContain("capture B: frame 4 (1 segment) from 2025-11-28 03:20:00.423656 UTC");
    expect(r.out).toContain(">A: 1 segment · 03:20:00.423456792<");
  });
});
