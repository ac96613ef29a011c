import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { conv, tmpFile } from "../support/fixtures.js";
import { writeCapture } from "../support/writer.js";
import { run } from "./run.js";

/**
 * Flat memory on endless input (issue #23): the connection table of a live reader shrinks again
 * once the connections it held are past the 600 s TTL of capture time, where it used to keep the
 * size of its peak. Seen through SMTPCAP_MEM_TRACE, whose last line is written at the end.
 */
describe("watch: the connection table follows the connections kept", () => {
  const t0 = 1700000000;
  const session = (i: number, t: number) => {
    const c = conv({ client: `10.1.${i >> 8}.${i & 255}:${40000 + (i % 1000)}`, t0: t });
    c.handshake().server("220 mx.example.test ESMTP\r\n").client("QUIT\r\n").server("221 Bye\r\n").fin("client").fin("server");
    return c.packets;
  };
  // a burst of 2000 sessions within 0.2 s, then, 700 s later, 5 more 10 s apart
  const packets: ReturnType<typeof session> = [];
  for (let i = 0; i < 2000; i++) packets.push(...session(i, t0 + i * 0.0001));
  for (let i = 0; i < 5; i++) packets.push(...session(3000 + i, t0 + 700 + i * 10));
  const file = tmpFile(writeCapture(packets.sort((x, y) => x.time - y.time)));

  const lastTrace = (args: string[]) => {
    const trace = tmpFile(Buffer.alloc(0), ".ndjson");
    const r = run(args, { env: { SMTPCAP_MEM_TRACE: trace } });
    expect(r.code).toBe(0);
    const lines = readFileSync(trace, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    return { out: r.out, last: lines[lines.length - 1] };
  };

  it("watch forgets the burst and shrinks its table; every session is reported", () => {
    const { out, last } = lastTrace(["watch", "--format", "ndjson", "--fail-on", "never", file]);
    expect(out.trim().split("\n").filter((l) => l.startsWith('{"type":"session"'))).toHaveLength(2005);
    // the 5 late connections (within the TTL) are kept, the 2000 of the burst forgotten
    expect(last.ip4).toBeLessThanOrEqual(5);
    expect(last.ip4Slots).toBeLessThanOrEqual(16);
    expect(last.rss).toBeGreaterThan(0);
    expect(last.heapUsed).toBeGreaterThan(0);
  });

  it("without the burst being past the TTL, the table holds it (the trace counts every connection)", () => {
    const early = tmpFile(writeCapture(packets.filter((p) => p.time < t0 + 1)));
    const { last } = lastTrace(["watch", "--format", "ndjson", "--fail-on", "never", early]);
    expect(last.ip4).toBe(2000);
    expect(last.ip4Slots).toBeGreaterThanOrEqual(4096);
  });
});
