import { describe, expect, it } from "vitest";
import { toText } from "../../src/report/text.js";
import { execFileSync } from "node:child_process";
import { hasTshark } from "../support/tshark.js";
import { analyzeConv, conv, tmpFile } from "../support/fixtures.js";
import { writeCapture } from "../support/writer.js";

const TEXT = { color: false, verbose: false };

/** Issue #20 item 13: one numbering (Wireshark's relative seq) and headings that say what the numbers are. */
describe("text report numbering", () => {
  it("a gap is given in Wireshark's seq numbers, first and last missing byte, with its size", async () => {
    const c = conv();
    c.handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("EHLO client.example.test\r\n");
    c.server("250 mx.example.test\r\n");
    c.client("NOOP\r\n", { lose: true });
    c.server("250 2.0.0 Ok\r\n");
    c.client("QUIT\r\n").server("221 Bye\r\n");
    c.fin("client").fin("server");
    const rep = await analyzeConv(c);
    const s = rep.sessions[0];
    expect(s.gaps).toHaveLength(1);
    const g = s.gaps[0];
    const quit = s.commands.find((x) => x.verb === "QUIT")!;
    // the missing NOOP (6 bytes) ends right before QUIT, whose seq Wireshark shows
    const lastMissing = quit.segments[0].seq - 1;
    const text = toText(rep, TEXT);
    expect(text).toContain(`GAP client seq ${lastMissing - 5}..${lastMissing} missing (6 bytes, frame ${g.frame}):`);
    expect(text).not.toMatch(/bytes \d+\.\.\d+ missing/);
  });

  it("segment times under a heading that says they count from the reply's first segment; 1 byte", async () => {
    const c = conv();
    c.handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("EHLO client.example.test\r\n");
    c.server("250-mx.example.test\r\n250 PIPELINING");
    c.server("\r", { t: c.now + 0.25 });
    c.server("\n", { t: c.now + 0.25 });
    c.client("QUIT\r\n").server("221 Bye\r\n");
    c.fin("client").fin("server");
    const text = toText(await analyzeConv(c), TEXT);
    expect(text).toContain("  Timeline (frame, time since the session's first packet):");
    const block = text.split("\n").filter((l) => /^\s+carried in \d|^\s+frame \d+ {2}\+/.test(l));
    expect(block[0]).toMatch(/^ {3,}carried in 3 segments \(time since the reply's first segment\):$/);
    expect(block[1]).toMatch(/frame \d+ {2}\+0\.0 ms {2}seq \d+ {2}35 bytes {2}line 1 {2}\(ends mid-line\)$/);
    expect(block[2]).toMatch(/frame \d+ {2}\+250\.0 ms {2}seq \d+ {2}1 byte {2}no complete line {2}\(ends mid-line\)$/);
    expect(block[3]).toMatch(/frame \d+ {2}\+500\.0 ms {2}seq \d+ {2}1 byte {2}line 2$/);
  });

  it.runIf(hasTshark())("the gap's seq range is what tshark calls the bytes not captured", async () => {
    const c = conv();
    c.handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("EHLO client.example.test\r\n");
    c.server("250 mx.example.test\r\n");
    c.client("NOOP\r\n", { lose: true });
    c.client("QUIT\r\n").server("221 Bye\r\n");
    const file = tmpFile(writeCapture(c.packets));
    const rep = await analyzeConv(c);
    const rows = execFileSync("tshark", ["-r", file, "-Y", "tcp.analysis.lost_segment", "-T", "fields", "-e", "tcp.seq"], { encoding: "utf8" }).trim().split("\n");
    expect(rows).toHaveLength(1);
    const next = Number(rows[0]);
    expect(toText(rep, TEXT)).toContain(`GAP client seq ${next - 6}..${next - 1} missing (6 bytes,`);
  });
});

describe("finding evidence numbering (issue #20 item 13)", () => {
  it("a split reply's evidence gives Wireshark's relative seq of its first and last octet, and '1 byte'", async () => {
    const c = conv();
    c.handshake();
    c.server("220 mx.example.test ESMTP\r\n"); // 27 octets: seq 1..27
    c.client("EHLO client.example.test\r\n");
    c.server("250-mx.example.test\r\n"); // seq 28..48
    c.server("2"); // seq 49
    c.server("50 SIZE 1000\r\n"); // seq 50..63
    c.client("QUIT\r\n").server("221 Bye\r\n");
    c.fin("client").fin("server");
    const rep = await analyzeConv(c);
    const f = rep.findings.find((x) => x.rule === "reply-split-across-segments")!;
    expect(f.evidence).toBe("server seq 28..63");
    expect(f.message).toContain("frame 7: 1 byte (ends mid-line)");
    expect(f.message).not.toMatch(/[^0-9]1 bytes/);
  });
});
