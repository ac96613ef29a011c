import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import type { TlsFacts } from "../../src/tls/connection.js";
import { toText } from "../../src/report/text.js";
import { SHARED } from "../support/fixtures.js";
import { describeShared, SHARED_PRESENT } from "../support/shared.js";

const DIR = `${SHARED}/captures/tls`;
/* eslint-disable @typescript-eslint/no-explicit-any */
const EXPECTED: Record<string, any> = SHARED_PRESENT ? JSON.parse(readFileSync(`${DIR}/expected-tls.json`, "utf8")) : {};

/** (frame, side, verb | code | "<message>") of every frame that carried a command or reply. */
function dialogue(s: any, after: boolean | null): [number, string, string | number][] {
  const out: [number, string, string | number][] = [];
  for (const c of s.commands) {
    if (after !== null && c.afterStartTls !== after) continue;
    for (const f of c.frames) out.push([f, "client", c.kind === "message" ? "<message>" : c.verb.toUpperCase()]);
  }
  for (const r of s.replies) {
    if (after !== null && r.afterStartTls !== after) continue;
    for (const f of r.frames) out.push([f, "server", r.code]);
  }
  const seen = new Set<string>();
  return out.sort((a, b) => a[0] - b[0]).filter((x) => !seen.has(x.join()) && (seen.add(x.join()), true));
}

describeShared("captures/tls through analyze: TLS is TLS, decrypted SMTP judged by every rule", () => {
  for (const [name, e] of Object.entries(EXPECTED)) {
    const file = `${DIR}/${name}`;
    const keys = e.keys?.file ? [`${DIR}/${e.keys.file}`] : [];
    it(`${name}: without keys no TLS byte is read as SMTP; the TLS facts reach the session`, async () => {
      const rep = await analyzeFile(file, { ports: [2465] });
      expect(rep.sessions.length).toBe(1);
      const s = rep.sessions[0];
      // every plaintext command and reply the oracle lists, and nothing more before TLS
      const plain = dialogue(s, null).filter(([f]) => e.client_hello === null || f < e.client_hello.frame);
      expect(plain).toEqual(e.smtp_plaintext);
      for (const f of rep.findings) expect(["starttls-response-injection", "reply-code-invalid", "unsolicited-reply"]).not.toContain(f.rule);
      const t = s.tls?.facts as TlsFacts | undefined;
      if (e.client_hello === null) return;
      expect(t).toBeDefined();
      expect(t!.version).toBe(e.version);
      // the pcapng copies carry their keys: they are decrypted without any option
      expect(t!.handshake.map((h) => [h.frame, h.from, h.type])).toEqual(e.keys?.embedded ? e.handshake_with_keys : e.handshake_without_keys);
    });
    if (keys.length === 0 && !e.keys?.embedded) continue;
    it(`${name}: with ${keys.length ? "--tls-keylog" : "the embedded secrets"}: the SMTP inside TLS, frame by frame as tshark shows it`, async () => {
      const rep = await analyzeFile(file, { ports: [2465], tlsKeylogs: keys });
      const s = rep.sessions[0];
      const t = s.tls!.facts!;
      expect(t.handshake.map((h) => [h.frame, h.from, h.type])).toEqual(e.handshake_with_keys);
      if (e.smtp_in_tls && e.smtp_in_tls.length > 0) {
        const inner = dialogue(s, null).filter(([f]) => f > e.client_hello.frame);
        expect(inner).toEqual(e.smtp_in_tls);
      }
      const text = JSON.stringify(rep);
      expect(text).not.toContain("labpass");
      for (const sec of readFileSync(keys[0] ?? file, "latin1").matchAll(/ ([0-9a-f]{64,96})\s*$/gm)) expect(text).not.toContain(sec[1]);
    });
  }
});

describeShared("TLS verdicts (expected-tls.json conclusions)", () => {
  const cases: [string, string, string, RegExp][] = [
    ["tls-version-refused.pcap", "tls-version-refused", "client", /^The client is at fault: the server refused the client's TLS version with a fatal protocol_version alert \(frame 12\): the client offered only TLS 1\.0 \(ClientHello frame 11\)/],
    ["tls-no-shared-cipher.pcap", "tls-no-shared-cipher", "client", /^The client is at fault: the server refused the client's cipher suites with a fatal handshake_failure alert \(frame 12, no ServerHello\): the client offered only TLS_RSA_WITH_NULL_SHA256 \(TLS 1\.2, ClientHello frame 11\), not a suite RFC 7525 §4\.2 recommends \(frames 11, 12\)\. /],
    ["tls13-no-shared-cipher.pcap", "tls-no-shared-cipher", "client", /TLS_AES_128_CCM_8_SHA256/],
    ["tls12-client-rejects-cert.pcap", "tls-certificate-rejected", "server", /^The server is at fault: the client rejected the server's certificate with a fatal unknown_ca alert \(frame 13, in plaintext\)/],
    ["tls12-expired-cert.pcap", "tls-certificate-rejected", "server", /certificate_expired alert \(frame 19, in plaintext\): the certificate had expired \(not after 2025-01-01T00:00:00Z, while the capture is from 2026-12-06T20:11:56Z\) \(frames 18, 19\)\. /],
    ["tls13-client-rejects-cert-openssl.pcap", "tls-certificate-rejected", "server", /unknown_ca alert \(frame 13, in plaintext\)/],
  ];
  for (const [name, rule, side, summary] of cases) {
    it(`${name}: ${rule}, ${side} at fault`, async () => {
      const rep = await analyzeFile(`${DIR}/${name}`);
      const s = rep.sessions[0];
      expect(rep.findings.map((f) => f.rule)).toContain(rule);
      expect(s.verdict.fault).toBe(side);
      expect(s.verdict.decisive?.rule).toBe(rule);
      expect(s.verdict.summary).toMatch(summary);
    });
  }

  it("tls13-client-rejects-cert.pcap without keys: nobody is blamed; the client's alert-sized record may be the alert RFC 8446 §6.2 asks for", async () => {
    const rep = await analyzeFile(`${DIR}/tls13-client-rejects-cert.pcap`);
    const s = rep.sessions[0];
    // before: "The client is at fault: the client ended the TLS 1.3 handshake …" (warning), though with keys frame 16 is its bad_certificate alert
    expect(rep.findings.map((f) => [f.rule, f.severity, f.side, f.frames])).toEqual([["tls-handshake-abandoned", "info", "client", [13, 16]]]);
    expect(s.verdict.fault).toBe("undetermined");
    expect(s.verdict.decisive).toBeNull();
    expect(s.verdict.summary).toBe("Cannot judge why the TLS handshake ended: the client ended the TLS 1.3 handshake right after the server's flight (frame 13): it sent one encrypted record (frame 16, 19 octets, the size of an encrypted alert) and no Finished the capture can show, then closed (FIN, frame 16); without the client's handshake secret which alert (if any) it sent cannot be read.");
  });

  it("tls13-client-rejects-cert.pcap with the handshake keys: the encrypted alert is bad_certificate, the client rejected the certificate", async () => {
    const rep = await analyzeFile(`${DIR}/tls13-client-rejects-cert.pcap`, { tlsKeylogs: [`${DIR}/tls13-client-rejects-cert.keys`] });
    expect(rep.sessions[0].verdict.decisive?.rule).toBe("tls-certificate-rejected");
    expect(rep.sessions[0].verdict.summary).toMatch(/fatal bad_certificate alert \(frame 16, encrypted, read with the key log\)/);
    expect(rep.findings.map((f) => f.rule)).not.toContain("tls-handshake-abandoned");
  });

  it("tls13-client-rejects-cert.pcap with a wrong key or a key log without it: the abandoned handshake says why the record is not read", async () => {
    const wrong = join(mkdtempSync(join(tmpdir(), "smtpcap-wrongkey-")), "wrong.keys");
    writeFileSync(wrong, readFileSync(`${DIR}/tls13-client-rejects-cert.keys`, "latin1").replace(/ ([0-9a-f])([0-9a-f]*)$/gm, (_m, d: string, rest: string) => ` ${d === "0" ? "1" : "0"}${rest}`));
    const other = join(mkdtempSync(join(tmpdir(), "smtpcap-otherkey-")), "other.keys");
    writeFileSync(other, `CLIENT_RANDOM ${"0".repeat(64)} ${"0".repeat(96)}\n`);
    const tail = (keys: string[]) => analyzeFile(`${DIR}/tls13-client-rejects-cert.pcap`, { tlsKeylogs: keys })
      .then((rep) => rep.findings.find((f) => f.rule === "tls-handshake-abandoned")!.message.replace(/^.*then closed \(FIN, frame 16\); /, ""));
    expect(await tail([])).toBe("without the client's handshake secret which alert (if any) it sent cannot be read");
    expect(await tail([wrong])).toBe("the key log given does not decrypt the client's records (from frame 16), so which alert (if any) it sent cannot be read");
    expect(await tail([other])).toBe("the key log given holds no secrets for this connection, so which alert (if any) it sent cannot be read");
  });

  it("tls12-expired-cert.pcap: the certificate expired before the capture", async () => {
    const rep = await analyzeFile(`${DIR}/tls12-expired-cert.pcap`);
    const f = rep.findings.find((x) => x.rule === "tls-certificate-expired");
    expect(f?.frames).toEqual([18]);
    // dates in ISO 8601 UTC (Wireshark shows notAfter as utcTime "2025-01-01 00:00:00 (UTC)")
    expect(f?.message).toBe("the server's certificate (frame 18) had expired when the capture was made (2026-12-06T20:11:56.145Z): not after 2025-01-01T00:00:00Z; the certificate: CN=mx.lab.test (issuer CN=Lab Test CA,O=Lab, valid 2024-01-01T00:00:00Z to 2025-01-01T00:00:00Z)");
  });

  it("tls12-cbc-mte-postfix.pcap: static RSA is an info on the client, which offered only that suite (0x002f, 0x00ff), nothing else to flag", async () => {
    const rep = await analyzeFile(`${DIR}/tls12-cbc-mte-postfix.pcap`, { tlsKeylogs: [`${DIR}/tls12-cbc-mte-postfix.keys`] });
    const tlsRules = rep.findings.filter((f) => f.rule.startsWith("tls-"));
    expect(tlsRules.map((f) => [f.rule, f.severity, f.frames])).toEqual([["tls-weak-cipher-suite", "info", [11, 12]]]);
    expect(tlsRules[0].side).toBe("client");
  });

  it("tls-inside-split-reply.pcap with keys: the founding bug inside TLS, by the client's ACK", async () => {
    const rep = await analyzeFile(`${DIR}/tls-inside-split-reply.pcap`, { ports: [2465], tlsKeylogs: [`${DIR}/tls-inside-split-reply.keys`] });
    const s = rep.sessions[0];
    expect(s.verdict.fault).toBe("client");
    expect(s.verdict.decisive?.rule).toBe("client-acted-on-partial-multiline-reply");
    const f = rep.findings.find((x) => x.rule === "client-acted-on-partial-multiline-reply")!;
    expect(f.frames).toEqual([18, 19, 21]);
    // tshark: frame 19 has tcp.ack 2130; 56 is the plaintext numbering the timeline uses (before: "carried ack 56: … up to seq 56", read as tcp.ack)
    expect(f.evidence).toBe("client frame 19 carried ack 56 in the TLS plaintext (the server records its TCP ACK covers): it had received the server's plaintext up to seq 56; the reply's final line ends at plaintext seq 123 (frame 21, 600 ms later in the capture); lines the client had: `250-split.lab.test`, `250-PIPELINING`, `250-SIZE 10240000`");
    expect(rep.findings.map((x) => x.rule)).toContain("reply-split-across-segments");
    // the timeline's segments are "seq 1 55 bytes" and "seq 56 67 bytes": octets 1..122 (before: "plaintext offsets 0..122")
    expect(rep.findings.find((x) => x.rule === "reply-split-across-segments")!.evidence).toBe("server TLS plaintext seq 1..122");
  });

  describe("tls-inside-split-reply.pcap with a wrong secret: no accusation, the report says where decryption stops", () => {
    /** the capture's key log with the first hex digit of each `label` line's secret flipped */
    function wrongKeys(label: RegExp): string {
      const text = readFileSync(`${DIR}/tls-inside-split-reply.keys`, "latin1").replace(/^(\S+) ([0-9a-f]+) ([0-9a-f])/gm, (m, l: string, r: string, d: string) => (label.test(l) ? `${l} ${r} ${d === "0" ? "1" : "0"}` : m));
      const file = join(mkdtempSync(join(tmpdir(), "smtpcap-wrongkey-")), "wrong.keys");
      writeFileSync(file, text);
      return file;
    }
    const analyzeWith = (keys: string) => analyzeFile(`${DIR}/tls-inside-split-reply.pcap`, { ports: [2465], tlsKeylogs: [keys] });

    it("every secret wrong: nothing decrypted, TLS began at the ClientHello (11), decryption fails first at the server's frame 12", async () => {
      const rep = await analyzeWith(wrongKeys(/./));
      const s = rep.sessions[0];
      const text = toText(rep, { color: false, verbose: false, width: 1000 });
      expect(text).toContain("TLS (starttls) from frame 11: cannot decrypt the server's records from frame 12 and the client's from frame 13\n");
      expect(text).not.toContain("decrypted up to");
      expect(s.verdict.summary).toBe("No violation in the plaintext part; the rest cannot be decrypted (TLS from frame 11; cannot decrypt from frame 12).");
      expect(s.verdict.limits).toEqual(["cannot decrypt the server's TLS records from frame 12: authentication failed (wrong key, or damaged capture); the rest of the dialogue is not read"]);
      expect(rep.findings.filter((f) => f.severity !== "info")).toEqual([]);
    });

    it("only the client's application secret wrong: the server's decrypted replies are not called unsolicited, the client not said to wait", async () => {
      const rep = await analyzeWith(wrongKeys(/^CLIENT_TRAFFIC_SECRET_0$/));
      const s = rep.sessions[0];
      const text = toText(rep, { color: false, verbose: false, width: 1000 });
      expect(text).toContain("TLS (starttls) from frame 11: decrypted in part; cannot decrypt the client's records from frame 14\n");
      expect(rep.findings.filter((f) => f.severity !== "info")).toEqual([]);
      expect(s.verdict.fault).toBe("none");
      expect(s.verdict.summary).toBe("No violation in the plaintext part; the rest cannot be decrypted (TLS from frame 11; cannot decrypt from frame 14). Replies split across TCP segments are legal.");
      expect(text).toContain("250 2.0.0 Ok (not paired with a command: the client's TLS records from frame 14 are not decrypted)");
      expect(text).not.toContain("no command outstanding");
    });

    it("only the server's application secret wrong: the client's decrypted commands are not called unanswered", async () => {
      const rep = await analyzeWith(wrongKeys(/^SERVER_TRAFFIC_SECRET_0$/));
      const s = rep.sessions[0];
      expect(rep.findings.filter((f) => f.severity !== "info")).toEqual([]);
      expect(s.verdict.summary).toBe("No violation in the plaintext part; the rest cannot be decrypted (TLS from frame 11; cannot decrypt from frame 15).");
      expect(s.verdict.limits).toEqual(["cannot decrypt the server's TLS records from frame 15: authentication failed (wrong key, or damaged capture); the rest of the server's side is not read"]);
    });
  });

  it("tls12-gcm-postfix.pcap with a wrong master secret: the handshake still completed (ChangeCipherSpec and a Finished-sized record each way, tshark frames 13 and 14)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "smtpcap-wrong12-")), "wrong.keys");
    writeFileSync(file, readFileSync(`${DIR}/tls12-gcm-postfix.keys`, "latin1").replace(/^(CLIENT_RANDOM [0-9a-f]+ )([0-9a-f])/gm, (_m, a: string, d: string) => `${a}${d === "0" ? "1" : "0"}`));
    const rep = await analyzeFile(`${DIR}/tls12-gcm-postfix.pcap`, { tlsKeylogs: [file] });
    const t = rep.sessions[0].tls!.facts!;
    expect(t.decryption.failedFrom).toEqual({ client: 13, server: 14 });
    // before: false ("handshake not completed"), though without any key log it is true
    expect(t.completed).toBe(true);
    expect(toText(rep, { color: false, verbose: false, width: 1000 })).toContain("; handshake completed\n");
  });

  describe("tls-inside-split-reply.pcap with a key log that lacks one side's secret: no accusation, that side is not read", () => {
    /** the capture's key log without the `label` line */
    function without(label: string): string {
      const text = readFileSync(`${DIR}/tls-inside-split-reply.keys`, "latin1").split("\n").filter((l) => !l.startsWith(`${label} `)).join("\n");
      const file = join(mkdtempSync(join(tmpdir(), "smtpcap-nokey-")), "partial.keys");
      writeFileSync(file, text);
      return file;
    }
    const analyzeWith = (keys: string) => analyzeFile(`${DIR}/tls-inside-split-reply.pcap`, { ports: [2465], tlsKeylogs: [keys] });

    it("no SERVER_TRAFFIC_SECRET_0: the client's commands are not called unanswered, nor the server's close a violation; no ACK is turned into a plaintext offset past frame 15", async () => {
      const rep = await analyzeWith(without("SERVER_TRAFFIC_SECRET_0"));
      const s = rep.sessions[0];
      const text = toText(rep, { color: false, verbose: false, width: 1000 });
      // before: reply-count-mismatch ("`EHLO relay75.lab.test` got no reply") and connection-close-violation against the server
      expect(rep.findings.filter((f) => f.severity !== "info")).toEqual([]);
      expect(s.verdict.fault).toBe("none");
      expect(s.verdict.summary).toBe("No violation in the plaintext part; the rest cannot be decrypted (TLS from frame 11; cannot decrypt from frame 15).");
      expect(s.verdict.limits).toEqual(["cannot decrypt the server's TLS records from frame 15: the key log lacks SERVER_TRAFFIC_SECRET_0 for this connection; the rest of the server's side is not read"]);
      expect(text).toContain("TLS (starttls) from frame 11: decrypted in part; cannot decrypt the server's records from frame 15\n");
      // frame 14's ACK covers only the server's handshake flight (frame 12), decrypted: nothing of the plaintext
      expect(text).toMatch(/ 14 +\+6\.8 ms {2}C {2}EHLO relay75\.lab\.test {2}\[ack 1 in the TLS plaintext\]\n/);
      // frame 19's ACK covers the server's record of frame 18, which is not read: no plaintext offset is claimed (before: "[ack 1 in the TLS plaintext]")
      expect(text).toMatch(/ 19 +\+7\.6 ms {2}C {2}MAIL FROM:<bob@example\.org>\n/);
    });

    it("no CLIENT_HANDSHAKE_TRAFFIC_SECRET: the server's decrypted replies are not called unsolicited", async () => {
      const rep = await analyzeWith(without("CLIENT_HANDSHAKE_TRAFFIC_SECRET"));
      const s = rep.sessions[0];
      const text = toText(rep, { color: false, verbose: false, width: 1000 });
      // before: unsolicited-reply ×6 against the server
      expect(rep.findings.filter((f) => f.severity !== "info")).toEqual([]);
      expect(s.verdict.limits).toEqual(["cannot decrypt the client's TLS records from frame 13: the key log lacks CLIENT_HANDSHAKE_TRAFFIC_SECRET for this connection; the rest of the client's side is not read"]);
      expect(text).toContain("250 2.0.0 Ok (not paired with a command: the client's TLS records from frame 13 are not decrypted)");
    });
  });

  it("the client's bytes stop being TLS records (tls-inside-split-reply.pcap, frame 19's record type corrupted): the rest of its side is not read, not judged", async () => {
    const pcap = Buffer.from(readFileSync(`${DIR}/tls-inside-split-reply.pcap`));
    const at = recordAt(pcap, 19) + 16 + 66; // Ethernet 14 + IPv4 20 + TCP 32 (timestamps)
    expect(pcap.subarray(at, at + 3).toString("hex")).toBe("170303"); // an application data record
    pcap[at] = 0x99;
    const file = join(mkdtempSync(join(tmpdir(), "smtpcap-nottls-")), "nottls19.pcap");
    writeFileSync(file, pcap);
    const rep = await analyzeFile(file, { ports: [2465], tlsKeylogs: [`${DIR}/tls-inside-split-reply.keys`] });
    const s = rep.sessions[0];
    const text = toText(rep, { color: false, verbose: false, width: 1000 });
    expect(s.tls!.facts!.notTls).toEqual({ from: "client", frame: 19, offset: 403 }); // tshark: frame 19 Seq=404 (relative), the stream's byte 403
    expect(rep.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(s.verdict.fault).toBe("none");
    expect(s.verdict.summary).toBe("No violation in the plaintext part; the rest is not read (TLS from frame 11; the client's bytes from frame 19 are not TLS records). Replies split across TCP segments are legal.");
    expect(s.verdict.limits).toEqual(["the client's bytes from frame 19 are not TLS records: the rest of the client's side is not read"]);
    expect(text).toContain("the SMTP inside is judged; the client's bytes from frame 19 are not TLS records and are not read\n");
    expect(text).toContain("250 2.0.0 Ok (not paired with a command: the client's bytes from frame 19 are not TLS records)");
    expect(text).toContain("221 2.0.0 Bye (not paired with a command: the client's bytes from frame 19 are not TLS records)");
    expect(text).not.toContain("no command outstanding");
  });

  it("a server record lost inside TLS (implicit-tls-465.pcap without frame 14): no reply is said to be left open by the server", async () => {
    // frame 14 carries the TLS record with the head of the EHLO reply's remaining lines; after a
    // gap TLS cannot resynchronise, so the rest of the server's side is not read
    const file = join(mkdtempSync(join(tmpdir(), "smtpcap-drop-")), "drop14.pcap");
    writeFileSync(file, withoutFrame(readFileSync(`${DIR}/implicit-tls-465.pcap`), 14));
    const rep = await analyzeFile(file, { tlsKeylogs: [`${DIR}/implicit-tls-465.keys`] });
    const s = rep.sessions[0];
    expect(s.tls!.facts!.gaps).toEqual([{ from: "server", frame: 14, len: 41, beforeHandshakeEnd: false }]);
    expect(rep.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(s.verdict.fault).toBe("undetermined");
    expect(s.verdict.summary).toBe("Cannot judge: the client acknowledged 41 server bytes that the capture does not hold (from frame 14).");
  });

  it("clean decrypted sessions: no TLS error or warning", async () => {
    for (const name of ["tls13-postfix-mail.pcap", "tls13-chacha-postfix.pcap", "tls12-gcm-postfix.pcap", "tls12-cbc-postfix.pcap", "implicit-tls-465.pcap", "tls13-keyupdate.pcap", "tls13-aiosmtpd-auth.pcap"]) {
      const rep = await analyzeFile(`${DIR}/${name}`, { tlsKeylogs: [`${DIR}/${name.replace(".pcap", ".keys")}`] });
      expect(rep.findings.filter((f) => f.severity !== "info").map((f) => `${name} ${f.rule} ${f.message}`)).toEqual([]);
      expect(rep.sessions[0].verdict.fault).toBe("none");
    }
  });
});

describeShared("TLS findings on an old real capture (ndpi/smtp-starttls.pcap, no keys)", () => {
  it("TLS 1.0 with RC4 negotiated; a certificate that does not name the SNI", async () => {
    const rep = await analyzeFile(`${SHARED}/captures/ndpi/smtp-starttls.pcap`);
    const tls = rep.findings.filter((f) => f.rule.startsWith("tls-")).map((f) => [f.session, f.rule, f.severity, f.side, f.frames]);
    expect(tls).toContainEqual([0, "tls-deprecated-version", "warning", "client", [12]]);
    expect(tls).toContainEqual([0, "tls-weak-cipher-suite", "warning", "server", [12]]);
    const name = rep.findings.find((f) => f.rule === "tls-certificate-name-mismatch")!;
    expect(name.message).toBe("the server's certificate (frame 47) names jw-vm08-int-dns, not dovecot.weberlab.de, the host the client asked for in the ClientHello (frame 46)");
    expect(name.filter).toBe("tcp.stream eq 1 && frame.number in {46,47}");
  });
});

/** A little-endian classic pcap without its frame `n` (1-based), as `editcap in out n` writes it. */
function withoutFrame(pcap: Buffer, n: number): Buffer {
  const parts: Buffer[] = [pcap.subarray(0, 24)];
  for (let at = 24, frame = 1; at + 16 <= pcap.length; frame++) {
    const end = at + 16 + pcap.readUInt32LE(at + 8);
    if (frame !== n) parts.push(pcap.subarray(at, end));
    at = end;
  }
  return Buffer.concat(parts);
}

/** The byte offset of record (frame) `n` of a classic pcap. */
function recordAt(pcap: Buffer, n: number): number {
  let at = 24;
  for (let frame = 1; frame < n; frame++) at += 16 + pcap.readUInt32LE(at + 8);
  return at;
}
