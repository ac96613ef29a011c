import { execFileSync } from "node:child_process";
import { constants } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, connect as netConnect, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect, createServer as tlsServer, type SecureContextOptions } from "node:tls";
import { describe, expect, it } from "vitest";
import { TlsConnection } from "../../src/tls/connection.js";
import { KeyLog } from "../../src/tls/keylog.js";

/**
 * Crafted TLS sessions for what captures/tls lacks: node:tls client and server through a recording
 * proxy on 127.0.0.1 (the proxy keeps each direction's chunks as "segments"), the client's
 * `keylog` lines as the key log. Needs the openssl CLI for a throw-away certificate.
 */
let openssl = true;
try {
  execFileSync("openssl", ["version"], { stdio: "ignore" });
} catch {
  openssl = false;
}
const HAS = openssl;
if (!HAS) console.warn("crafted TLS suite not run: no openssl CLI to make a certificate");

function makeCert(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "smtpcap-tls-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "2", "-subj", "/CN=crafted.test", "-addext", "subjectAltName=DNS:crafted.test"], { stdio: "ignore" });
  return { key: readFileSync(join(dir, "k.pem")), cert: readFileSync(join(dir, "c.pem")) };
}

interface Recorded {
  chunks: { dir: 0 | 1; data: Buffer }[];
  keylog: string;
  sent: [string, string];
}

/** One TLS conversation: the client sends `client`, the server answers each line with `reply(line)`. */
async function record(cert: { key: Buffer; cert: Buffer }, opts: { client?: object; server?: SecureContextOptions & object }, lines: string[]): Promise<Recorded> {
  const chunks: Recorded["chunks"] = [];
  const sent: [string, string] = ["", ""];
  const server = tlsServer({ key: cert.key, cert: cert.cert, ...opts.server }, (s) => {
    let buf = "";
    s.on("data", (d: Buffer) => {
      buf += d.toString("latin1");
      let i;
      while ((i = buf.indexOf("\r\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const r = line === "QUIT" ? "221 bye\r\n" : `250 ok ${line}\r\n`;
        sent[1] += r;
        s.write(r);
        if (line === "QUIT") s.end();
      }
    });
    s.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const proxy = createServer((down: Socket) => {
    const up = netConnect((server.address() as AddressInfo).port, "127.0.0.1");
    down.on("data", (d) => { chunks.push({ dir: 0, data: Buffer.from(d) }); up.write(d); });
    up.on("data", (d) => { chunks.push({ dir: 1, data: Buffer.from(d) }); down.write(d); });
    down.on("end", () => up.end());
    up.on("end", () => down.end());
    down.on("error", () => {});
    up.on("error", () => {});
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  let keylog = "";
  await new Promise<void>((resolve, reject) => {
    const c = tlsConnect({ port: (proxy.address() as AddressInfo).port, host: "127.0.0.1", servername: "crafted.test", rejectUnauthorized: false, ...opts.client });
    c.on("keylog", (l) => { keylog += l.toString("latin1"); });
    c.on("error", reject);
    let i = 0;
    let got = "";
    const next = () => {
      const l = lines[i++] + "\r\n";
      sent[0] += l;
      c.write(l);
    };
    c.on("secureConnect", next);
    c.on("data", (d: Buffer) => {
      got += d.toString("latin1");
      if (got.endsWith("\r\n") && i < lines.length) next();
    });
    c.on("close", () => resolve());
  });
  server.close();
  proxy.close();
  return { chunks, keylog, sent };
}

function replay(r: Recorded, keys: KeyLog | null): { tls: TlsConnection; plain: [string, string]; gaps: string[] } {
  const plain: [string, string] = ["", ""];
  const gaps: string[] = [];
  const tls = new TlsConnection({ keys, sink: { data: (dir, b, s, e) => { plain[dir] += b.toString("latin1", s, e); }, gap: (_d, _p, _l, _f, _t, why) => gaps.push(why) } });
  tls.start(0, 0);
  tls.start(1, 0);
  const rel = [0, 0];
  r.chunks.forEach((c, i) => {
    tls.data(c.dir, c.data, 0, c.data.length, rel[c.dir], { frame: i + 1, time: i, seq: rel[c.dir], ackRel: NaN });
    rel[c.dir] += c.data.length;
  });
  return { tls, plain, gaps };
}

const LINES = ["EHLO crafted.test", "MAIL FROM:<a@crafted.test>", "RCPT TO:<b@crafted.test>", "QUIT"];

const CASES: { name: string; suite: string; version: string; client?: object; server?: object; etm?: boolean; hrr?: boolean }[] = [
  { name: "TLS 1.3 AES-128-GCM", suite: "TLS_AES_128_GCM_SHA256", version: "TLS 1.3", client: { minVersion: "TLSv1.3", ciphers: "TLS_AES_128_GCM_SHA256" } },
  { name: "TLS 1.3 after a HelloRetryRequest (key share for X25519 only, server wants P-256)", suite: "TLS_AES_256_GCM_SHA384", version: "TLS 1.3", client: { minVersion: "TLSv1.3", ecdhCurve: "X25519:P-256" }, server: { ecdhCurve: "P-256" }, hrr: true },
  { name: "TLS 1.2 ECDHE-RSA ChaCha20-Poly1305", suite: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", version: "TLS 1.2", client: { maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-CHACHA20-POLY1305" } },
  { name: "TLS 1.2 RSA AES-256-GCM (SHA-384 PRF)", suite: "TLS_RSA_WITH_AES_256_GCM_SHA384", version: "TLS 1.2", client: { maxVersion: "TLSv1.2", ciphers: "AES256-GCM-SHA384" } },
  { name: "TLS 1.2 CBC HMAC-SHA384, encrypt-then-MAC", suite: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", version: "TLS 1.2", client: { maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES256-SHA384" }, etm: true },
  { name: "TLS 1.2 CBC HMAC-SHA384, MAC-then-encrypt", suite: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", version: "TLS 1.2", client: { maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES256-SHA384", secureOptions: constants.SSL_OP_NO_ENCRYPT_THEN_MAC }, etm: false },
];

describe.skipIf(!HAS)("crafted TLS sessions (node:tls through a recording proxy)", () => {
  const cert = HAS ? makeCert() : { key: Buffer.alloc(0), cert: Buffer.alloc(0) };
  for (const c of CASES) {
    it(`${c.name}: decrypted both ways exactly as sent`, async () => {
      const r = await record(cert, { client: c.client, server: c.server }, LINES);
      const keys = new KeyLog();
      expect(keys.add(r.keylog, "node keylog")).toBeGreaterThan(0);
      const d = replay(r, keys);
      const t = d.tls.facts;
      expect(t.version).toBe(c.version);
      expect(t.cipherSuite).toBe(c.suite);
      if (c.etm !== undefined) expect(t.serverHello!.encryptThenMac).toBe(c.etm);
      expect(t.helloRetryRequest !== null).toBe(c.hrr === true);
      if (c.hrr) expect(t.clientHelloRetry).not.toBeNull();
      expect(d.gaps).toEqual([]);
      expect(d.plain[0]).toBe(r.sent[0]);
      expect(d.plain[1]).toBe(r.sent[1]);
      expect(t.completed).toBe(true);
      expect(t.clientHello!.sni).toBe("crafted.test");
      expect(t.certificate?.certificates[0]?.san ?? ["crafted.test"]).toEqual(["crafted.test"]);
      // without keys: nothing handed on
      const n = replay(r, null);
      expect(n.plain).toEqual(["", ""]);
      expect(n.tls.facts.cipherSuite).toBe(c.suite);
    }, 20000);
  }
});
