import { existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import { SHARED } from "../support/fixtures.js";
import { describeShared, SHARED_PRESENT } from "../support/shared.js";
import { hasTshark } from "../support/tshark.js";
import { KeyLog } from "../../src/tls/keylog.js";
import { drive, keyLogOf } from "./drive.js";

const DIR = `${SHARED}/captures/tls`;
/* eslint-disable @typescript-eslint/no-explicit-any */
const EXPECTED: Record<string, any> = SHARED_PRESENT ? JSON.parse(readFileSync(`${DIR}/expected-tls.json`, "utf8")) : {};
const NAMES = Object.keys(EXPECTED);
const TSHARK = SHARED_PRESENT && hasTshark();

function keysFile(name: string): string | null {
  const k = EXPECTED[name].keys;
  return k && k.file ? `${DIR}/${k.file}` : null;
}

/** tshark's decrypted application data per direction (0 = client), from `follow,tls,raw`. */
function tsharkPlain(file: string, keys: string, port: number): [string, string] {
  const out = spawnSync("tshark", ["-r", file, "-o", `tls.keylog_file:${keys}`, "-q", "-z", "follow,tls,raw,0"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).stdout;
  const lines = out.split("===================================================================")[1].split("\n");
  // lines of node 0 start in column 0, node 1's with a tab; node 0 is named by address:port
  const node0 = lines.find((l) => l.startsWith("Node 0: "))!;
  const node0IsServer = node0.trim().endsWith(`:${port}`);
  const dirs: [string, string] = ["", ""];
  for (const l of lines) {
    if (!/^\t?[0-9a-f]+$/.test(l)) continue;
    const node = l.startsWith("\t") ? 1 : 0;
    dirs[(node === 0) === node0IsServer ? 1 : 0] += l.trim();
  }
  return dirs;
}

describeShared("TLS layer over captures/tls (expected-tls.json)", () => {
  for (const name of NAMES) {
    const e = EXPECTED[name];
    const file = `${DIR}/${name}`;
    it(`${name}: without keys: versions, suites, hellos, certificate, alerts, handshake frames, close`, async () => {
      const d = await drive(file, null);
      const t = d.tls.facts;
      expect(t.handshake.map((h) => [h.frame, h.from, h.type])).toEqual(e.handshake_without_keys);
      expect(t.version).toBe(e.version);
      expect(t.cipherSuite).toBe(e.cipher_suite);
      if (e.client_hello === null) expect(t.clientHello).toBeNull();
      else {
        expect(t.clientHello).toMatchObject({ frame: e.client_hello.frame, cipherSuites: e.client_hello.cipher_suites, extensions: e.client_hello.extensions, sni: e.client_hello.sni, versions: e.client_hello.versions });
      }
      if (e.server_hello === null) expect(t.serverHello).toBeNull();
      else {
        expect(t.serverHello).toMatchObject({ frame: e.server_hello.frame, cipherSuite: e.server_hello.cipher_suite, extensions: e.server_hello.extensions, version: e.server_hello.version });
        expect("0x" + t.serverHello!.cipherSuiteId.toString(16).padStart(4, "0")).toBe(e.server_hello.cipher_suite_id.toLowerCase());
      }
      const c = e.certificate;
      if (c !== null && c.visible_without_keys) {
        expect(t.certificate).toMatchObject({ frame: c.frame, chainLength: c.chain_length, visibleWithoutKeys: true });
        expect(t.certificate!.certificates[0]).toMatchObject({ subject: c.subject, issuer: c.issuer, notBefore: c.not_before, notAfter: c.not_after, selfSigned: c.self_signed, sha256: c.sha256 });
      } else expect(t.certificate).toBeNull();
      // alerts readable without keys: plaintext ones in full, TLS ≤ 1.2 encrypted ones by record type
      const visible = e.alerts.filter((a: any) => a.on_wire !== "encrypted, looks like application data (TLS 1.3)");
      expect(t.alerts.map((a) => [a.frame, a.from, a.onWire, a.level, a.description])).toEqual(visible.map((a: any) => [a.frame, a.from, a.on_wire, a.on_wire === "plaintext" ? a.level : null, a.on_wire === "plaintext" ? a.description : null]));
      if (e.client_hello !== null) expect(t.firstClose).toEqual({ from: e.first_close.from, kind: e.first_close.flag.toLowerCase(), frame: e.first_close.frame });
      expect(d.plain[0].length + d.plain[1].length).toBe(0);
      expect(t.decryption.status).toBe("none");
    });

    const kf = keysFile(name);
    const dsb = e.keys?.embedded === "pcapng Decryption Secrets Block";
    if (kf === null && !dsb) continue;
    it(`${name}: with ${dsb ? "the embedded secrets" : "the key log"}: every handshake message, alert and certificate; plaintext equal to tshark's`, async () => {
      const d = await drive(file, dsb ? null : keyLogOf(kf!), dsb);
      const t = d.tls.facts;
      expect(t.handshake.map((h) => [h.frame, h.from, h.type])).toEqual(e.handshake_with_keys);
      expect(t.alerts.map((a) => [a.frame, a.from, a.onWire, a.level, a.description])).toEqual(e.alerts.map((a: any) => [a.frame, a.from, a.on_wire, a.level, a.description]));
      const c = e.certificate;
      expect(t.certificate).toMatchObject({ frame: c.frame, chainLength: c.chain_length, visibleWithoutKeys: c.visible_without_keys });
      expect(t.certificate!.certificates[0]).toMatchObject({ subject: c.subject, issuer: c.issuer, notBefore: c.not_before, notAfter: c.not_after, selfSigned: c.self_signed, sha256: c.sha256 });
      expect(d.gaps).toEqual([]);
      expect(t.decryption.source).toBe(dsb ? "pcapng Decryption Secrets Block" : e.keys.file);
      if (e.smtp_in_tls !== null && e.smtp_in_tls.length > 0) {
        expect(t.completed).toBe(true);
        expect(t.decryption.status).toBe("decrypted");
        // the first decrypted bytes are SMTP: the server's 220 (implicit TLS) or the client's EHLO
        const first = e.smtp_in_tls[0];
        const dir = first[1] === "client" ? 0 : 1;
        expect(d.metas[dir][0].frame).toBe(first[0]);
        if (TSHARK && kf !== null) {
          const [c0, c1] = tsharkPlain(file, kf, e.port);
          expect(Buffer.concat(d.plain[0]).toString("hex")).toBe(c0);
          expect(Buffer.concat(d.plain[1]).toString("hex")).toBe(c1);
          expect(c0.length).toBeGreaterThan(100);
        }
      }
    });

    if (kf === null || e.smtp_in_tls === null || e.smtp_in_tls.length === 0) continue;
    it(`${name}: a wrong secret stops decryption at the first protected record ("cannot decrypt from frame N"), nothing handed on after it`, async () => {
      const text = readFileSync(kf, "latin1").replace(/^((?:CLIENT_RANDOM|SERVER_HANDSHAKE_TRAFFIC_SECRET) [0-9a-f]+ )([0-9a-f])/m, (_m, a: string, b: string) => a + (b === "0" ? "1" : "0"));
      const keys = new KeyLog();
      keys.add(text, "broken.keys");
      const d = await drive(file, keys);
      const t = d.tls.facts;
      expect(t.decryption.status).toBe("failed");
      // the server's first protected record: TLS 1.3 right after the ServerHello, TLS 1.2 after its ChangeCipherSpec
      const frame = t.version === "TLS 1.3" ? e.server_hello.frame : e.handshake_with_keys.filter((h: any) => h[1] === "server" && h[2] === "finished")[0][0];
      expect(t.decryption.failedFrom.server).toBe(frame);
      expect(d.gaps.filter((g) => g.dir === 1)).toEqual([{ dir: 1, plainRel: 0, frame, reason: `cannot decrypt from frame ${frame}: the record fails authentication (wrong key, or the capture is damaged)` }]);
      expect(d.plain[1]).toEqual([]);
    });

    it(`${name}: a key log without this connection: "no key for this connection (client random …)", no plaintext`, async () => {
      const keys = new KeyLog();
      keys.add(`CLIENT_RANDOM ${"ab".repeat(32)} ${"cd".repeat(48)}\n`, "other.keys");
      const d = await drive(file, keys);
      const t = d.tls.facts;
      expect(t.decryption.status).toBe("no-key");
      expect(t.decryption.notes).toEqual([`no key for this connection (client random ${t.clientHello!.random})`]);
      expect(d.plain[0].length + d.plain[1].length).toBe(0);
      expect(t.handshake.map((h) => [h.frame, h.from, h.type])).toEqual(e.handshake_without_keys);
    });
  }

  it("tls-inside-split-reply: the client's ACK in frame 19 covers only the TLS record of frame 18 (plainAck)", async () => {
    const name = "tls-inside-split-reply.pcap";
    const d = await drive(`${DIR}/${name}`, keyLogOf(`${DIR}/tls-inside-split-reply.keys`));
    const server = d.metas[1];
    const lens = d.plain[1].map((b) => b.length);
    const upTo = (frame: number) => server.reduce((n, m, i) => (m.frame <= frame ? n + lens[i] : n), 0);
    const reply = Buffer.concat(d.plain[1]).toString("latin1");
    const mail = d.metas[0].find((m) => m.frame === 19)!;
    expect(mail).toBeDefined();
    expect(mail.ackRel).toBe(upTo(18));
    // the EHLO reply's last line came later, in frame 21: the ACK stops inside the reply
    const ehloEnd = reply.indexOf("250 ") + reply.slice(reply.indexOf("250 ")).indexOf("\r\n") + 2;
    expect(mail.ackRel).toBeLessThan(ehloEnd);
    expect(server.find((m) => m.frame === 21)).toBeDefined();
  });

  it("a key log entry for tls13-client-rejects-cert-openssl holds only SERVER_HANDSHAKE_TRAFFIC_SECRET: partial, the server's flight read, the client's alert in clear", async () => {
    const d = await drive(`${DIR}/tls13-client-rejects-cert-openssl.pcap`, keyLogOf(`${DIR}/tls13-client-rejects-cert-openssl.keys`));
    expect(d.tls.facts.decryption.status).toBe("partial");
    expect(d.tls.facts.completed).toBeNull();
  });
});

it("the corpus exists where CI expects it", () => {
  if (SHARED_PRESENT) expect(existsSync(DIR)).toBe(true);
});
