import { describe, expect, it } from "vitest";
import { join, relative } from "node:path";
import { analyzeFile, analyzeStream, analyzeStreamPrepared } from "../../src/analyze.js";
import { JsonFileWriter, prepareSession, toJson, type PreparedSession } from "../../src/report/json.js";
import { prepareTextSession, textSession, textSessionAt, type TextOptions } from "../../src/report/text.js";
import { captures } from "../support/golden.js";
import { conv, ehloReply, SHARED, supportCase, tmpFile } from "../support/fixtures.js";
import { describeShared, SHARED_PRESENT } from "../support/shared.js";
import { writeCapture, type WriteOptions } from "../support/writer.js";

// The CLI writes --format json and ndjson through analyzeStreamPrepared(): each session's text is
// made as soon as it is judged (src/analyze.ts PreparedSink), its index filled in when it is
// written. It must write what the session-by-session writer and toJson() give.

async function prepared(file: string, mode: "json" | "ndjson"): Promise<string> {
  const parts: string[] = [];
  const w = new JsonFileWriter((s) => parts.push(s), file, mode);
  w.end(await analyzeStreamPrepared(file, {}, { prepare: prepareSession, write: (p, i) => w.write(p, i) }));
  return parts.join("");
}

async function plain(file: string, mode: "json" | "ndjson"): Promise<string> {
  const parts: string[] = [];
  const w = new JsonFileWriter((s) => parts.push(s), file, mode);
  w.end(await analyzeStream(file, {}, (s, fs) => w.session(s, fs)));
  return parts.join("");
}

async function same(file: string): Promise<void> {
  const json = await prepared(file, "json");
  expect(json).toBe(await plain(file, "json"));
  expect(json).toBe(JSON.stringify(toJson(await analyzeFile(file))));
  expect(await prepared(file, "ndjson")).toBe(await plain(file, "ndjson"));
  // the text report too (--format text), plain and in colour
  for (const o of [{ color: false, verbose: false }, { color: true, verbose: true }] as TextOptions[]) {
    const early: string[] = [];
    await analyzeStreamPrepared(file, {}, { prepare: (s, fs) => prepareTextSession(s, fs, o), write: (p, i) => early.push(textSessionAt(p, i)) });
    const late: string[] = [];
    await analyzeStream(file, {}, (s, fs) => late.push(textSession(s, fs, o)));
    expect(early).toEqual(late);
  }
}

/** Stream 0 (a long session) stays open while streams 1 and 2 run start to end; then stream 0 ends. */
function overlapping(w: WriteOptions): string {
  const t0 = 1700000000;
  const long = conv({ client: "192.0.2.10:40000", t0 }).handshake();
  long.server("220 mx.example.test ESMTP\r\n");
  long.client("EHLO a.example.test\r\n");
  long.server(ehloReply());
  const later = [1, 2].map((k) => {
    const c = conv({ client: `192.0.2.1${k}:4100${k}`, t0: t0 + k }).handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("EHLO b.example.test\r\n");
    c.server(ehloReply());
    c.client(k === 1 ? "MAIL FROM:<a@b>\r\n" : "QUIT\r\n"); // stream 1: MAIL without RCPT, no reply (a finding)
    if (k === 2) c.server("221 bye\r\n");
    c.fin("client").fin("server");
    return c;
  });
  long.client("QUIT\r\n", { t: t0 + 10 });
  long.server("221 bye\r\n");
  long.fin("client").fin("server");
  const packets = [long, ...later].flatMap((c) => c.packets).sort((a, b) => a.time - b.time);
  return tmpFile(writeCapture(packets, w), w.format === "pcapng" ? ".pcapng" : ".pcap");
}

describe("JSON and text made as sessions are judged (analyzeStreamPrepared)", () => {
  for (const [name, w] of [["pcap", {}], ["pcap-ns", { format: "pcap-ns" }], ["pcapng", { format: "pcapng" }], ["pcapng, nanoseconds", { format: "pcapng", tsresol: 9 }]] as [string, WriteOptions][]) {
    it(`${name}: sessions written in tcp.stream order, identical to toJson() and to the session-by-session writer`, async () => {
      const file = overlapping(w);
      await same(file);
      const order: number[] = [];
      const made: number[] = [];
      await analyzeStreamPrepared(file, {}, {
        prepare: (s, fs): PreparedSession => {
          made.push(s.tcpStream);
          return prepareSession(s, fs);
        },
        write: (p) => order.push(p.tcpStream),
      });
      expect(order).toEqual([0, 1, 2]);
      // a microsecond pcap and a nanosecond capture make each session's text when it is judged
      // (streams 1 and 2 before stream 0 ends); a microsecond pcapng, whose clock may still
      // change, when it is written
      expect(made).toEqual(name === "pcapng" ? [0, 1, 2] : [1, 2, 0]);
    });
  }

  it("the support case (a finding, a split reply)", async () => {
    await same(tmpFile(writeCapture(supportCase().packets)));
  });
});

describeShared("JSON and text made as sessions are judged: every shared capture", () => {
  const dir = join(SHARED, "captures");
  for (const file of SHARED_PRESENT ? captures(dir) : []) it(relative(dir, file), () => same(file));
});
