/**
 * A `.pcap.gz` cut short (a killed `tcpdump -w - | gzip`): what decompresses is read, one warning
 * with the offset in the decompressed stream, the exit status of a plain cut file (issue #20 item 10).
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { constants, gzipSync, inflateRawSync, gunzipSync } from "node:zlib";
import { analyzeFile } from "../../src/analyze.js";
import { Conversation, writeCapture, type Packet } from "../support/writer.js";
import { supportCase, tmpFile } from "../support/fixtures.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "smtpcap.js");
const CUT = "the gzip stream ends early (the file was cut)";

function run(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", input, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** What `zcat` gets out of a cut gzip file: the bytes that decompress before the cut. */
function decompressible(cut: Buffer): Buffer {
  // a 10-byte gzip header without optional fields (as zlib writes it), then raw deflate
  return inflateRawSync(cut.subarray(10), { finishFlush: constants.Z_SYNC_FLUSH });
}

/** Forty sessions with messages: more than one deflate block, so a cut falls inside the stream. */
function busy(): Packet[] {
  const packets: Packet[] = [];
  for (let i = 0; i < 40; i++) {
    const c = new Conversation(`192.0.2.${10 + i}:${40000 + i}`, "192.0.2.25:25", { t0: 1700000000 + i });
    c.handshake().server("220 mx.example.test ESMTP\r\n").client("EHLO c.example.test\r\n").server("250-mx.example.test\r\n250 PIPELINING\r\n");
    c.client("MAIL FROM:<a@example.test>\r\n").server("250 ok\r\n").client("RCPT TO:<b@example.test>\r\n").server("250 ok\r\n");
    c.client("DATA\r\n").server("354 go\r\n");
    for (let k = 0; k < 20; k++) c.client(`Subject: ${i}-${k} ${"x".repeat(900 + ((i * 37 + k * 11) % 300))}\r\n`);
    c.client(".\r\n").server("250 queued\r\n").client("QUIT\r\n").server("221 bye\r\n").fin("client").fin("server");
    packets.push(...c.packets);
  }
  return packets.sort((a, b) => a.time - b.time);
}

describe("a cut .pcap.gz reads as the same cut in a plain pcap", () => {
  for (const format of ["pcap", "pcapng"] as const) {
    it(`${format}: at 9 cut points, the frames of the decompressed prefix and one warning at its offset`, async () => {
      const full = writeCapture(busy(), { format });
      const gz = gzipSync(full);
      expect(gunzipSync(gz).equals(full)).toBe(true);
      let between = 0;
      for (let k = 1; k <= 9; k++) {
        const cut = gz.subarray(0, Math.floor((gz.length * k) / 10));
        const plain = decompressible(cut);
        expect(plain.length, `cut ${k}`).toBeGreaterThan(100);
        const a = await analyzeFile(tmpFile(cut, `.${format}.gz`));
        const b = await analyzeFile(tmpFile(plain, `.${format}`));
        expect(a.packets, `cut ${k}`).toBe(b.packets);
        expect(a.sessions.map((s) => [s.tcpStream, s.bytes.client, s.bytes.server]), `cut ${k}`).toEqual(b.sessions.map((s) => [s.tcpStream, s.bytes.client, s.bytes.server]));
        expect(a.findings.map((f) => `${f.rule} ${f.frames}`)).toEqual(b.findings.map((f) => `${f.rule} ${f.frames}`));
        expect(a.problems.filter((p) => p.level === "error"), `cut ${k}`).toEqual([]);
        if (b.problems.length === 0) {
          // the cut fell between records: the plain prefix is a whole file; the gzip one still says it was cut
          between++;
          expect(a.problems).toEqual([{ level: "warning", message: `truncated: ${CUT} after a whole ${format === "pcap" ? "record" : "block"}`, offset: plain.length }]);
        } else {
          expect(b.problems).toHaveLength(1);
          expect(a.problems).toEqual([{ ...b.problems[0], message: `${b.problems[0].message}; ${CUT}` }]);
        }
      }
      expect(between).toBeLessThan(9);
    });
  }

  it("the CLI: exit 0 and one warning naming the offset in the decompressed stream, as for the plain cut (exit 0)", () => {
    const full = writeCapture(supportCase().packets);
    const gz = gzipSync(full);
    const cut = gz.subarray(0, gz.length - 40);
    const plain = decompressible(cut);
    const fz = tmpFile(cut, ".pcap.gz"), fp = tmpFile(plain, ".pcap");
    const z = run(["analyze", "--fail-on", "never", "--format", "compact", fz]), p = run(["analyze", "--fail-on", "never", "--format", "compact", fp]);
    expect(p.code).toBe(0);
    expect(z.code).toBe(0);
    const m = /^smtpcap: warning: .*: byte (\d+): (truncated: .*)\n$/.exec(p.err)!;
    expect(m).not.toBeNull();
    expect(z.err).toBe(`smtpcap: warning: ${fz}: byte ${m[1]} of the decompressed stream: ${m[2]}; ${CUT}\n`);
    expect(z.out.replaceAll(fz, "F")).toBe(p.out.replaceAll(fp, "F"));
    // from standard input, and in batch
    const s = run(["analyze", "--fail-on", "never", "--format", "compact", "-"], cut);
    expect(s.code).toBe(0);
    expect(s.err).toBe(`smtpcap: warning: <stdin>: byte ${m[1]} of the decompressed stream: ${m[2]}; ${CUT}\n`);
    const b = run(["batch", "--fail-on", "never", "-q", fz]);
    expect(b.code).toBe(0);
    expect(b.err).toBe(z.err);
  });

  it("a cut inside the capture header is unreadable (exit 3), and says the gzip stream was cut", () => {
    const gz = gzipSync(writeCapture(supportCase().packets));
    const f = tmpFile(gz.subarray(0, 12), ".pcap.gz");
    const r = run(["analyze", f]);
    expect(r.code).toBe(3);
    expect(r.err).toBe(`smtpcap: ${f}: ${CUT} after 0 decompressed bytes, too few for a capture header\n`);
  });

  it("corrupt gzip data is damage, not a cut: an error at the decompressed offset, exit 3, what came before still reported", () => {
    const full = writeCapture(busy());
    const esc = (f: string) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // bytes changed in the middle of the deflate stream
    const gz = Buffer.from(gzipSync(full));
    for (let i = Math.floor(gz.length / 2); i < Math.floor(gz.length / 2) + 64; i++) gz[i] ^= 0x55;
    const f = tmpFile(gz, ".pcap.gz");
    const r = run(["analyze", "--summary", f]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(new RegExp(`^smtpcap: ${esc(f)}: byte \\d+ of the decompressed stream: `));
    expect(r.err).not.toContain("warning");
    expect(r.out).toContain("tcp.stream 0 ");
    // a wrong CRC in the trailer: every record decompressed, but the file is not what was written
    const crc = Buffer.from(gzipSync(full));
    crc[crc.length - 8] ^= 0xff;
    const g = tmpFile(crc, ".pcap.gz");
    const c = run(["analyze", "--summary", g]);
    expect(c.code).toBe(3);
    // one line (not a second 'truncated' warning at another offset)
    expect(c.err).toMatch(new RegExp(`^smtpcap: ${esc(g)}: byte \\d+ of the decompressed stream: gzip data is corrupt \\(incorrect data check\\)(; the records from here on were not read)?\\n$`));
  });
});
