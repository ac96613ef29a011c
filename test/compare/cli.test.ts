import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SHARED, tmpFile } from "../support/fixtures.js";
import { describeShared } from "../support/shared.js";
import { TwoPoint, captures, EHLO7 } from "./twopoint.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "smtpcap.js");
const TWOSIDE = join(SHARED, "captures", "twoside");

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
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
    expect(Object.keys(doc)).toEqual(["schemaVersion", "a", "b", "clockOffset", "pairs", "unpaired"]);
    expect(doc.a.file).toBe(f.server);
    expect(doc.pairs[0].a).toMatchObject({ tcpStream: 0 });
    expect(doc.pairs[0].changes[1]).toEqual({ kind: "rewritten", direction: "server-to-client", frames: { a: [6], b: [6] }, detail: expect.stringContaining("became `250-XXXXXXXA`") });
    expect(doc.pairs[0].findings.map((x: { rule: string }) => x.rule)).toEqual(["intercepting-proxy-detected", "middlebox-esmtp-rewriting", "starttls-unavailable-or-stripped"]);
    expect(doc.unpaired).toEqual({ a: [], b: [] });
  });

  it("a capture compared with itself exits 0", () => {
    const f = masked();
    const r = run(["compare", f.client, f.client]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("no change between the capture points");
  });

  it("an unreadable capture: one line on stderr, exit 2", () => {
    const bad = tmpFile(Buffer.from("not a capture at all"));
    const f = masked();
    const r = run(["compare", bad, f.client]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/^smtpcap: .*: not a capture file \(starts with [0-9a-f]+; expected pcap or pcapng\)\n$/);
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
