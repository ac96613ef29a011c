import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { analyzeFile } from "../src/analyze.js";
import { toJson } from "../src/report/json.js";
import { toText } from "../src/report/text.js";
import { Conversation, writeCapture } from "./support/writer.js";
import { analyzeConv, conv, LAB, tmpFile } from "./support/fixtures.js";
import { describeShared } from "./support/shared.js";

const ROOT = join(import.meta.dirname, "..");
function cli(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "smtpcap.js"), ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("terminal safety", () => {
  it("ANSI escape sequences and BEL in a banner and reply text are shown as visible escapes", async () => {
    const c = conv().handshake();
    c.server("220 mx \x1b[2J\x1b]0;owned\x07 ESMTP\r\n");
    c.client("EHLO a.test\r\n");
    c.server("250 ok\rERROR fake-finding [client]\r\n");
    const rep = await analyzeConv(c);
    const text = toText(rep, { color: false, verbose: true });
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(text).toContain("220 mx \\x1b[2J\\x1b]0;owned\\x07 ESMTP");
    expect(text).toContain("250 ok\\rERROR fake-finding [client]");
    const json = JSON.stringify(toJson(rep));
    expect(json).not.toMatch(/\\u001b|\\u0007/);
    expect(json).toContain("220 mx \\\\x1b[2J");
  });

  it("colour only on a terminal: piped output has no escape codes at all", () => {
    const r = cli(["analyze", "samples/support-case.pcapng"]);
    expect(r.out).not.toContain("\x1b");
  });
});

describeShared("credentials in a real AUTH capture (lab/aiosmtpd-swaks-auth-clear)", () => {
  const file = join(LAB, "aiosmtpd-swaks-auth-clear.pcap");
  const secrets = ["labpass", Buffer.from("labpass").toString("base64").replace(/=+$/, "")];

  for (const format of ["text", "json", "ndjson"]) {
    it(`the cleartext AUTH password never appears in --format ${format}`, () => {
      const r = cli(["analyze", "--format", format, "--fail-on", "never", file]);
      expect(r.code).toBe(0);
      for (const s of secrets) expect(r.out).not.toContain(s);
      expect(r.out).toMatch(/redacted \d+ bytes/);
    });
  }

  it("the library model itself holds no password", async () => {
    const rep = await analyzeFile(file);
    const all = JSON.stringify(rep);
    for (const s of secrets) expect(all).not.toContain(s);
    const auth = rep.sessions[0].commands.filter((c) => c.verb === "AUTH" || c.kind === "auth-response");
    expect(auth.length).toBeGreaterThan(0);
    expect(auth.some((c) => c.authUser !== undefined)).toBe(true);
  });

  it("--show-secrets shows them, with a warning on stderr", () => {
    const r = cli(["analyze", "--show-secrets", "--fail-on", "never", file]);
    expect(r.err).toBe("smtpcap: warning: --show-secrets prints credentials from the capture\n");
    expect(r.out.includes(secrets[0]) || r.out.includes(secrets[1])).toBe(true);
  });

  it("message content is never printed", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a\r\n");
    c.server("250 mx\r\n");
    c.client("MAIL FROM:<a@b>\r\n");
    c.server("250 ok\r\n");
    c.client("RCPT TO:<b@b>\r\n");
    c.server("250 ok\r\n");
    c.client("DATA\r\n");
    c.server("354 go\r\n");
    c.client("Subject: top secret contract\r\n\r\nthe body\r\n.\r\n");
    c.server("250 ok\r\n");
    const rep = await analyzeConv(c);
    const out = toText(rep, { color: false, verbose: true }) + JSON.stringify(toJson(rep)) + JSON.stringify(rep);
    expect(out).not.toContain("top secret");
    expect(out).toContain("<message: 45 bytes, 3 lines>");
    const shown = await analyzeConv(c, {}, { showData: true });
    const text = toText(shown, { color: false, verbose: true });
    expect(text).toContain("   | Subject: top secret contract\n");
    expect(text).toContain("   | the body\n");
  });
});

describe("hostile and broken input stays bounded", () => {
  it("a reply of 200,000 continuation lines: 1000 kept, the rest counted", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a\r\n");
    const chunk = "250-x\r\n".repeat(500);
    for (let i = 0; i < 400; i++) c.server(chunk);
    c.server("250 end\r\n");
    const t0 = performance.now();
    const rep = await analyzeConv(c);
    const r = rep.sessions[0].replies[1];
    expect(r.lineInfo.length).toBe(1000);
    expect(r.linesDropped).toBe(199001);
    expect(r.complete).toBe(true);
    expect(r.segments.length).toBe(256);
    expect(performance.now() - t0).toBeLessThan(10000);
  });

  it("an endless line without CRLF keeps 2048 octets and counts the rest", async () => {
    const c = conv().handshake();
    const big = "A".repeat(60000);
    c.server("220 " + big);
    for (let i = 0; i < 50; i++) c.server(big);
    c.fin("server");
    const rep = await analyzeConv(c);
    const l = rep.sessions[0].replies[0].lineInfo[0];
    expect(l.text.length).toBe(2048);
    expect(l.length).toBe(4 + 51 * 60000);
    expect(rep.findings.map((f) => f.rule)).toContain("reply-incomplete-at-close");
  });

  it("bogus IP and TCP header lengths are counted as malformed and skipped", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    const pkts = c.packets.map((p) => ({ ...p, ip: Buffer.from(p.ip) }));
    pkts[0].ip[0] = 0x43; // IHL 3
    pkts[1].ip[32] = 0x20; // TCP data offset 2
    const rep = await analyzeFile(tmpFile(writeCapture(pkts)));
    expect(rep.stats.malformed).toBe(2);
    expect(rep.sessions[0].replies[0].lines).toEqual(["220 mx ESMTP"]);
  });

  it("overlapping segments with conflicting bytes: the first copy wins, once", async () => {
    const c = conv().handshake();
    const s0 = c.nxt.server;
    c.server("220 mx ESMTP\r\n", { seq: s0, noAdvance: true });
    c.server("220 EVIL EVI\r\n", { seq: s0, noAdvance: true }); // same length, other bytes
    c.nxt.server = s0 + 14;
    const rep = await analyzeConv(c);
    expect(rep.sessions[0].replies.map((r) => r.lines)).toEqual([["220 mx ESMTP"]]);
    expect(rep.sessions[0].retransmitted.server).toBe(14);
  });

  it("more open SMTP connections than --max-open-flows: counted, reported, skipped", async () => {
    const a = new Conversation("192.0.2.10:40000", "192.0.2.25:25").handshake();
    const b = new Conversation("192.0.2.11:40001", "192.0.2.25:25", { t0: 1700000000.0005 }).handshake();
    a.server("220 a\r\n");
    b.server("220 b\r\n");
    const rep = await analyzeConv([a, b], {}, { maxOpenFlows: 1 });
    expect(rep.sessions).toHaveLength(1);
    expect(rep.problems).toEqual([{ level: "warning", offset: 0, message: "1 SMTP connections were not analysed: more than 1 were open at once (--max-open-flows)" }]);
  });

  it("a pcapng block of length 0 is an error at its offset; what came before is kept", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    const buf = writeCapture(c.packets, { format: "pcapng" });
    const zero = Buffer.concat([buf, Buffer.from([6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])]);
    const rep = await analyzeFile(tmpFile(zero));
    expect(rep.packets).toBe(4);
    expect(rep.problems).toEqual([{ level: "error", message: "block of type 0x6 has an impossible length 0", offset: buf.length }]);
  });
});
