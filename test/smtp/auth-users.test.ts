/**
 * AUTH user names are personal data: redacted to a numbered tag per capture file unless
 * --show-secrets, in the model itself, so that every format and the rules inherit it (issue #20
 * item 11).
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { analyzeFile } from "../../src/analyze.js";
import { Conversation, writeCapture, type Packet } from "../support/writer.js";
import { SHARED, tmpFile } from "../support/fixtures.js";
import { describeShared } from "../support/shared.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "smtpcap.js");

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

/** One session authenticating `user` with PLAIN (initial response) or LOGIN (334 exchange), without TLS. */
function session(i: number, user: string, mech: "PLAIN" | "LOGIN"): Packet[] {
  const c = new Conversation(`192.0.2.${10 + i}:${40000 + i}`, "192.0.2.25:587", { t0: 1700000000 + i });
  c.handshake().server("220 mx.example.test ESMTP\r\n").client("EHLO c.example.test\r\n").server("250-mx.example.test\r\n250 AUTH PLAIN LOGIN\r\n");
  if (mech === "PLAIN") c.client(`AUTH PLAIN ${b64(`\0${user}\0pw-${user}`)}\r\n`);
  else c.client("AUTH LOGIN\r\n").server("334 VXNlcm5hbWU6\r\n").client(`${b64(user)}\r\n`).server("334 UGFzc3dvcmQ6\r\n").client(`${b64(`pw-${user}`)}\r\n`);
  c.server("235 2.7.0 ok\r\n").client("QUIT\r\n").server("221 bye\r\n").fin("client").fin("server");
  return c.packets;
}

/** alice (PLAIN), bob@corp.example (LOGIN), alice again (LOGIN) */
function threeSessions(): string {
  return tmpFile(writeCapture([...session(0, "alice", "PLAIN"), ...session(1, "bob@corp.example", "LOGIN"), ...session(2, "alice", "LOGIN")].sort((a, b) => a.time - b.time)));
}

const NAMES = ["alice", "bob@corp.example", b64("alice"), b64("bob@corp.example")];

describe("AUTH user names", () => {
  it("the model holds a tag per distinct user of the file, in order of appearance; the same user keeps its tag", async () => {
    const rep = await analyzeFile(threeSessions());
    const users = rep.sessions.map((s) => s.commands.filter((c) => c.authUser !== undefined).map((c) => c.authUser));
    expect(users).toEqual([["[redacted #1]"], ["[redacted #2]"], ["[redacted #1]"]]);
    const all = JSON.stringify(rep);
    for (const n of NAMES) expect(all).not.toContain(n);
    // the rule names the tag: sessions stay distinguishable without naming anyone
    expect(rep.findings.filter((f) => f.rule === "auth-cleartext-credentials").map((f) => f.message)).toEqual([
      "AUTH `PLAIN` for user `[redacted #1]` was sent without TLS: the password is on the wire in clear; the server accepted it (235)",
      "AUTH `LOGIN` was sent without TLS: the password is on the wire in clear; the server accepted it (235)",
      "AUTH `LOGIN` was sent without TLS: the password is on the wire in clear; the server accepted it (235)",
    ]);
    // numbered per file: a second analysis starts again
    const again = await analyzeFile(tmpFile(writeCapture(session(0, "bob@corp.example", "PLAIN"))));
    expect(again.sessions[0].commands.find((c) => c.authUser)?.authUser).toBe("[redacted #1]");
  });

  it("with showSecrets the model has the names", async () => {
    const rep = await analyzeFile(threeSessions(), { showSecrets: true });
    expect(rep.sessions.map((s) => s.commands.find((c) => c.authUser !== undefined)?.authUser)).toEqual(["alice", "bob@corp.example", "alice"]);
  });

  for (const format of ["text", "json", "ndjson", "compact", "html"]) {
    it(`--format ${format}: no user name unless --show-secrets`, () => {
      const f = threeSessions();
      const r = run(["analyze", "--fail-on", "never", "--format", format, f]);
      expect(r.code).toBe(0);
      for (const n of NAMES) expect(r.out).not.toContain(n);
      const s = run(["analyze", "--fail-on", "never", "--show-secrets", "--format", format, f]);
      expect(s.out).toContain(format === "compact" ? "for user `alice`" : "alice");
    });
  }

  it("the text timeline tags the user on the command that carried the name", () => {
    const r = run(["analyze", "--fail-on", "never", threeSessions()]);
    expect(r.out).toMatch(/C {2}AUTH PLAIN \[redacted \d+ bytes\] {2}\(user \[redacted #1\]\)/);
    expect(r.out).toMatch(/C {2}\[redacted \d+ bytes\] {2}\(user \[redacted #2\]\)/);
  });
});

describeShared("AUTH user names in the shared captures", () => {
  const lab = join(SHARED, "captures", "lab", "aiosmtpd-swaks-auth-clear.pcap");
  const zeek = join(SHARED, "captures", "zeek", "smtp.pcap");
  const twoside = join(SHARED, "captures", "twoside");
  // labuser (swaks in the lab), gurpartap@patriots.in as the zeek capture's AUTH LOGIN user (its MAIL FROM address is not a user name)
  const users = ["labuser", "bGFidXNlcg", "gurpartap@patriots.in)", "Z3VycGFydGFw"];
  for (const format of ["text", "json", "ndjson", "compact", "html"]) {
    it(`analyze --format ${format}: the lab's and zeek's AUTH users are tags`, () => {
      const r = run(["analyze", "--fail-on", "never", "--format", format, lab, zeek]);
      for (const u of users) expect(r.out).not.toContain(u);
      if (format === "text") expect(r.out).toContain("(user [redacted #1])");
    });
  }
  for (const format of ["text", "json", "html"]) {
    it(`compare --format ${format} on utm-naive-auth: the tag, never labuser; --show-secrets shows it`, () => {
      const r = run(["compare", "--format", format, join(twoside, "utm-naive-auth.client-side.pcap"), join(twoside, "utm-naive-auth.server-side.pcap")]);
      expect(r.code).toBe(1);
      for (const u of users) expect(r.out).not.toContain(u);
      expect(r.out).toContain("for user `[redacted #1]`");
      const s = run(["compare", "--format", format, "--show-secrets", join(twoside, "utm-naive-auth.client-side.pcap"), join(twoside, "utm-naive-auth.server-side.pcap")]);
      expect(s.out).toContain("for user `labuser`");
    });
  }
});

describe("a redacted user name that is also the envelope sender", () => {
  it("says so at the AUTH line (the tag does not hide it: MAIL FROM is shown); another address says nothing", () => {
    const capture = (from: string) => {
      const c = new Conversation("192.0.2.10:40000", "192.0.2.25:587", { t0: 1700000000 });
      c.handshake().server("220 mx.example.test ESMTP\r\n").client("EHLO c.example.test\r\n").server("250-mx.example.test\r\n250 AUTH PLAIN LOGIN\r\n");
      c.client("AUTH LOGIN\r\n").server("334 VXNlcm5hbWU6\r\n").client(`${b64("bob@corp.example")}\r\n`).server("334 UGFzc3dvcmQ6\r\n").client(`${b64("pw")}\r\n`);
      c.server("235 2.7.0 ok\r\n").client(`MAIL FROM: <${from}>\r\n`).server("250 ok\r\n").client("QUIT\r\n").server("221 bye\r\n").fin("client").fin("server");
      return tmpFile(writeCapture(c.packets));
    };
    // frames: 1-3 handshake, 4 greeting, 5 EHLO, 6 reply, 7 AUTH, 8 334, 9 user, 10 334, 11 password, 12 235, 13 MAIL
    const same = run(["analyze", "--fail-on", "never", capture("Bob@corp.example")]);
    expect(same.out).toMatch(/C {2}\[redacted 24 bytes\] {2}\(user \[redacted #1\], the MAIL FROM address of frame 13\)/);
    const other = run(["analyze", "--fail-on", "never", capture("alice@corp.example")]);
    expect(other.out).toMatch(/C {2}\[redacted 24 bytes\] {2}\(user \[redacted #1\]\)/);
    expect(other.out).not.toContain("the MAIL FROM address");
  });
});
