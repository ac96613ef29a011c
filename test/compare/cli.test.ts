import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { SHARED, tmpFile } from "../support/fixtures.js";
import { describeShared } from "../support/shared.js";
import { writeCapture } from "../support/writer.js";
import { TwoPoint, captures, EHLO7 } from "./twopoint.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "smtpcap.js");
const TWOSIDE = join(SHARED, "captures", "twoside");

function run(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", input, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function masked(): { client: string; server: string } {
  const p = new TwoPoint().handshake().server("220 mx.example.test ESMTP\r\n").client("EHLO c.example.test\r\n");
  p.serverRewritten(EHLO7.join(""), EHLO7.join("").replace("250-STARTTLS", "250-XXXXXXXA"));
  return captures([p.close()]);
}

describe("smtpcap compare", () => {
  it("prints the changes, the findings with a filter per capture, and exits 1 (as diff: something changed)", () => {
    const f = masked();
    const r = run(["compare", f.client, f.server]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("");
    expect(r.out).toContain("(nearer the client)");
    expect(r.out).toContain("rewritten      server-to-client  A frames 6 | B frames 6");
    expect(r.out).toContain("line 4 `250-STARTTLS` at the server side became `250-XXXXXXXA` at the client side (the `STARTTLS` keyword masked)");
    expect(r.out).toContain("WARNING starttls-unavailable-or-stripped:");
    expect(r.out).toContain("RFC 3207 §6 · A: tcp.stream eq 0 && frame.number in {6} · B: tcp.stream eq 0 && frame.number in {6}");
    expect(r.out).toContain("unpaired: A none; B none");
  });

  it("--format json -o FILE writes the JSON contract", () => {
    const f = masked();
    const out = tmpFile(Buffer.alloc(0), ".json");
    const r = run(["compare", "--format", "json", "-o", out, f.server, f.client]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect(Object.keys(doc)).toEqual(["schemaVersion", "a", "b", "clockOffset", "pairs", "unpaired", "outcome"]);
    expect(doc.outcome).toBe("changed");
    expect(doc.a.file).toBe(f.server);
    expect(doc.pairs[0].a).toMatchObject({ tcpStream: 0 });
    expect(doc.pairs[0].changes[1]).toEqual({ kind: "rewritten", direction: "server-to-client", frames: { a: [6], b: [6] }, detail: expect.stringContaining("became `250-XXXXXXXA`") });
    expect(doc.pairs[0].findings.map((x: { rule: string }) => x.rule)).toEqual(["intercepting-proxy-detected", "middlebox-esmtp-rewriting", "starttls-unavailable-or-stripped"]);
    expect(doc.unpaired).toEqual({ a: [], b: [] });
  });

  it("a capture compared with itself exits 0, and the last line says why", () => {
    const f = masked();
    const r = run(["compare", f.client, f.client]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("no change between the capture points");
    expect(r.out.trimEnd().split("\n").at(-1)).toBe("result: unchanged — 1 pair, nothing changed between the capture points that the captures show");
  });

  it("a change: exit 1, and the last line counts the changes", () => {
    const f = masked();
    const r = run(["compare", f.client, f.server]);
    expect(r.code).toBe(1);
    expect(r.out.trimEnd().split("\n").at(-1)).toBe("result: changed — 2 changes between the capture points in 1 pair; 1 thing could not be judged (the limits above)");
  });

  it("nothing paired is exit 1 (not 'no change'), and the output says which", () => {
    const f = masked();
    const other = captures([new TwoPoint({ t0: 1800000000 }).handshake().server("220 other.example.test ESMTP\r\n").client("HELO x\r\n").server("250 other\r\n").close()]);
    const r = run(["compare", f.client, other.client]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("unpaired: A tcp.stream 0; B tcp.stream 0");
    expect(r.out.trimEnd().split("\n").at(-1)).toBe("result: nothing paired — no session of A (1 session) matches one of B (1 session) in what was said and when: the captures may hold other connections or other times; that is no proof that nothing changed");
    const json = JSON.parse(run(["compare", "--format", "json", f.client, other.client]).out);
    expect(json.outcome).toBe("nothing-paired");
    // a capture without SMTP
    const noSmtp = tmpFile(writeCapture([]));
    const e = run(["compare", f.client, noSmtp]);
    expect(e.code).toBe(1);
    expect(e.out.trimEnd().split("\n").at(-1)).toBe("result: nothing paired — B holds no SMTP session; that is no proof that nothing changed");
  });

  it("an unreadable capture: one line on stderr without a made-up offset, exit 3", () => {
    const bad = tmpFile(Buffer.from("not a capture at all"));
    const f = masked();
    const r = run(["compare", bad, f.client]);
    expect(r.code).toBe(3);
    expect(r.out).toBe("");
    expect(r.err).toBe(`smtpcap: ${bad}: not a capture file (starts with 6e6f7420; expected pcap or pcapng)\n`);
    const missing = join(ROOT, "no-such-capture.pcap");
    const m = run(["compare", f.client, missing]);
    expect(m.code).toBe(3);
    expect(m.out).toBe("");
    expect(m.err).toBe(`smtpcap: ${missing}: no such file\n`);
  });

  it("a capture damaged after its start is compared as far as it was read, exit 3 (3 wins over 1)", () => {
    const f = masked();
    const good = readFileSync(f.server);
    // a record header claiming 200 MB after the 8th record: the first records are still read
    let off = 24;
    for (let i = 0; i < 8; i++) off += 16 + good.readUInt32LE(off + 8);
    const cut = Buffer.concat([good.subarray(0, off), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 12])]);
    const damaged = tmpFile(cut);
    const r = run(["compare", f.client, damaged]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(new RegExp(`^smtpcap: ${damaged.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: byte ${off}: `));
    expect(r.out).toContain("rewritten      server-to-client");
  });

  it("'-' reads one side from standard input (also gzip-compressed); '-' for both is a usage error", () => {
    const f = masked();
    const direct = run(["compare", f.client, f.server]);
    const piped = run(["compare", "-", f.server], readFileSync(f.client));
    expect(piped.code).toBe(1);
    expect(piped.err).toBe("");
    expect(piped.out).toBe(direct.out.replace(`A: ${f.client}`, "A: <stdin>"));
    const gz = run(["compare", f.server, "-"], gzipSync(readFileSync(f.client)));
    expect(gz.code).toBe(1);
    expect(gz.out).toContain("B: <stdin>, 1 session (nearer the client)");
    const html = run(["compare", "--format", "html", "-", f.server], readFileSync(f.client));
    expect(html.out).toContain(createHash("sha256").update(readFileSync(f.client)).digest("hex"));
    const both = run(["compare", "-", "-"], readFileSync(f.client));
    expect(both.code).toBe(2);
    expect(both.err).toBe("smtpcap: standard input ('-') can be read only once\n");
  });

  it("-o into a folder that does not exist: one line, exit 2", () => {
    const f = masked();
    const r = run(["compare", "-o", join(ROOT, "no-such-dir", "x.txt"), f.client, f.server]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^smtpcap: cannot write .*no-such-dir\/x\.txt: ENOENT[^\n]*\n$/);
  });

  it("capture text is escaped", () => {
    const p = new TwoPoint().handshake().server("220 mx.example.test ESMTP\r\n").client("EHLO c.example.test\r\n");
    p.serverRewritten("250 mx.example.test\r\n", "250 mx\x1b[2J.example.test\r\n");
    const f = captures([p.close()]);
    const r = run(["compare", f.client, f.server]);
    expect(r.out).not.toContain("\x1b");
    expect(r.out).toContain("`250 mx\\x1b[2J.example.test`");
  });
});

describeShared("smtpcap compare on the twoside captures", () => {
  it("names the TCP-terminating proxy and both endpoint verdicts", () => {
    const r = run(["compare", join(TWOSIDE, "utm-naive-auth.client-side.pcap"), join(TWOSIDE, "utm-naive-auth.server-side.pcap")]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("tcp-terminated client-to-server  A frames 1,2 | B frames 1,2");
    expect(r.out).toContain("endpoint verdict in A (the client side):");
    expect(r.out).toContain("[auth-cleartext-credentials, RFC 3207 §1]");
  });
});
