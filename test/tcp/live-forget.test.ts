import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { conv, tmpFile } from "../support/fixtures.js";
import { writeCapture } from "../support/writer.js";
import { run } from "../cli/run.js";

/**
 * A file keeps every connection's numbers (tcp.stream as tshark's); a live reader forgets a
 * connection 600 s of capture time after it ended, so late packets on its address pair start a
 * new stream there (README, watch: what stays flat).
 */
describe("ended connections: kept by analyze, forgotten by watch", () => {
  const t0 = 1700000000;
  // IPv6, closed; IPv4, left open; 700 s later a stray ACK on each, then a new session
  const a = conv({ client: "[2001:db8::10]:40000", server: "[2001:db8::25]:25", t0 });
  a.handshake().server("220 mx.example.test ESMTP\r\n").client("QUIT\r\n").server("221 Bye\r\n").fin("client").fin("server");
  const c = conv({ client: "192.0.2.20:40005", t0: a.now + 1 });
  c.handshake().server("220 mx.example.test ESMTP\r\n").client("EHLO client.example.test\r\n");
  a.ack("client", { t: c.now + 700 });
  c.ack("client", { t: c.now + 700.001 });
  const b = conv({ client: "192.0.2.21:40006", t0: c.now + 1 });
  b.handshake().server("220 mx.example.test ESMTP\r\n").client("QUIT\r\n").server("221 Bye\r\n").fin("client").fin("server");
  const file = tmpFile(writeCapture([...a.packets, ...c.packets, ...b.packets].sort((x, y) => x.time - y.time)));

  it("analyze: the late packets continue their streams, as in tshark", () => {
    const ts = execFileSync("tshark", ["-r", file, "-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0", "-T", "fields", "-e", "tcp.stream"], { encoding: "utf8" }).trim().split("\n").map(Number);
    expect(ts).toEqual([0, 1, 2]);
    const r = run(["analyze", "--format", "json", "--fail-on", "never", file]);
    expect(r.code).toBe(0);
    const streams = JSON.parse(r.out).files[0].sessions.map((s: { tcpStream: number }) => s.tcpStream);
    expect(streams).toEqual(ts);
  });

  it("watch: forgotten after 600 s of capture time, a late packet starts a new stream", () => {
    const r = run(["watch", "--format", "ndjson", "--fail-on", "never", file]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l));
    // A (closed, IPv6: forgotten at the once-a-second sweep, so its stray ACK is stream 2), C (ended
    // by --idle at the sweep of A's stray ACK; IPv4 retired connections are forgotten when the
    // table grows or at its purge, by the time of the newest IPv4 packet, 600 s after C's last
    // packet only then: so C's stray ACK still continues stream 1), then B
    expect(lines.filter((l) => l.type === "session").map((l) => [l.tcpStream, l.client])).toEqual([
      [0, "[2001:db8::10]:40000"], [1, "192.0.2.20:40005"], [3, "192.0.2.21:40006"],
    ]);
  });
});
