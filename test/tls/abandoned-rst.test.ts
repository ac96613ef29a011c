import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, connect as netConnect, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect, createServer as tlsServer } from "node:tls";
import { beforeAll, describe, expect, it } from "vitest";
import type { FileReport } from "../../src/analyze.js";
import { analyzeFile } from "../../src/analyze.js";
import { conv, tmpFile } from "../support/fixtures.js";
import { hasTshark } from "../support/tshark.js";
import { writeCapture } from "../support/writer.js";

const written: string[] = [];
async function analyzeConv(c: ReturnType<typeof conv>): Promise<FileReport> {
  const file = tmpFile(writeCapture(c.packets));
  written.push(file);
  return analyzeFile(file);
}

/**
 * tls-handshake-abandoned when the client ends the handshake with an RST (issue #21 item 3): a real
 * TLS 1.2 ClientHello and server flight (node:tls through a recording proxy), written into a
 * STARTTLS session by the test writer; the client then sends nothing (a silent rejection), or a
 * fatal alert that is lost before the capture point, or one that is captured.
 */
let openssl = true;
try {
  execFileSync("openssl", ["version"], { stdio: "ignore" });
} catch {
  openssl = false;
}
if (!openssl) console.warn("tls-handshake-abandoned RST suite not run: no openssl CLI to make a certificate");

interface Flight { hello: Buffer; server: Buffer; alert: Buffer }

/** A real ClientHello and server first flight (TLS 1.2), and the fatal unknown_ca alert a rejecting client would send. */
async function tls12Flight(): Promise<Flight> {
  const dir = mkdtempSync(join(tmpdir(), "smtpcap-rst-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "2", "-subj", "/CN=mx.rst.test", "-addext", "subjectAltName=DNS:mx.rst.test"], { stdio: "ignore" });
  const chunks: { dir: 0 | 1; data: Buffer }[] = [];
  const server = tlsServer({ key: readFileSync(join(dir, "k.pem")), cert: readFileSync(join(dir, "c.pem")), maxVersion: "TLSv1.2" }, () => {});
  server.on("tlsClientError", () => {});
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const proxy = createServer((down: Socket) => {
    const up = netConnect((server.address() as AddressInfo).port, "127.0.0.1");
    down.on("data", (d) => { chunks.push({ dir: 0, data: Buffer.from(d) }); up.write(d); });
    up.on("data", (d) => { chunks.push({ dir: 1, data: Buffer.from(d) }); down.write(d); });
    down.on("close", () => up.destroy());
    up.on("close", () => down.destroy());
    down.on("error", () => {});
    up.on("error", () => {});
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  await new Promise<void>((resolve) => {
    const c = tlsConnect({ port: (proxy.address() as AddressInfo).port, host: "127.0.0.1", servername: "mx.rst.test", maxVersion: "TLSv1.2", rejectUnauthorized: false });
    c.on("secureConnect", () => c.destroy());
    c.on("close", () => setTimeout(resolve, 20));
    c.on("error", () => {});
  });
  proxy.close();
  server.close();
  // the ClientHello and the server's first flight as recorded; the client's answer to it is
  // replaced by what a rejecting client sends: a fatal unknown_ca alert in clear
  const hello = chunks.find((c) => c.dir === 0)!.data;
  const server1 = chunks.find((c) => c.dir === 1)!.data;
  return { hello, server: server1, alert: Buffer.from("15030300020230", "hex") };
}

/** A STARTTLS session into that handshake; `end` ends it on the client's side. */
function session(f: Flight, end: (c: ReturnType<typeof conv>) => void): ReturnType<typeof conv> {
  const c = conv();
  c.handshake();
  c.server("220 mx.rst.test ESMTP\r\n");
  c.client("EHLO client.rst.test\r\n");
  c.server("250-mx.rst.test\r\n250 STARTTLS\r\n");
  c.client("STARTTLS\r\n");
  c.server("220 2.0.0 Ready to start TLS\r\n");
  c.client(f.hello);
  c.server(f.server);
  end(c);
  return c;
}

const abandoned = (rep: FileReport) => rep.findings.filter((x) => x.rule === "tls-handshake-abandoned");

describe.runIf(openssl)("tls-handshake-abandoned: a client that breaks off with an RST", () => {
  let f: Flight;
  beforeAll(async () => {
    f = await tls12Flight();
    // the recording holds what the test needs: a ClientHello, the server's flight, an alert
    expect(f.hello[0]).toBe(0x16);
    expect(f.server[0]).toBe(0x16);
    expect(f.server.readUInt32BE(f.server.length - 4)).toBe(0x0e000000); // ends with ServerHelloDone
  });

  it("RST right after the server's flight, no client byte missing: reported, with the RST frame and its seq", async () => {
    const rep = await analyzeConv(session(f, (c) => c.rst("client", { t: c.now + 0.002 })));
    const s = rep.sessions[0];
    const rst = s.close.client!;
    expect(rst.kind).toBe("rst");
    // relative seq: 1 (SYN) + EHLO 22 + STARTTLS 10 + the ClientHello
    const seq = 1 + 22 + 10 + f.hello.length;
    expect(rst.rstSeq).toEqual({ seq, expected: seq });
    const [x] = abandoned(rep);
    expect(x).toBeDefined();
    expect(x.side).toBe("client");
    const sh = s.tls!.facts!.serverHello!.frame;
    expect(x.frames).toEqual([sh, rst.frame]);
    expect(x.message).toBe(`the client closed the connection (RST, frame ${rst.frame}; no client byte is missing before the RST (seq ${seq})) after the server's server_hello_done (frame ${sh}) without a ClientKeyExchange and without an alert: it broke off the TLS handshake, typically because it rejected the server's certificate`);
    expect(x.evidence).toBe(`no client handshake message after the ClientHello; RST seq ${seq} = the next client seq the capture expected`);
    expect(s.verdict.notEvaluable).not.toContain("tls-handshake-abandoned");
    // Wireshark shows the RST with that relative sequence number
    if (hasTshark()) {
      const out = execFileSync("tshark", ["-r", written[written.length - 1], "-Y", "tcp.flags.reset == 1", "-T", "fields", "-e", "frame.number", "-e", "tcp.seq"], { encoding: "utf8" });
      expect(out.trim()).toBe(`${rst.frame}\t${seq}`);
    }
  });

  it("the client's alert lost before the capture point, then the RST: no accusation, cannot judge with the reason", async () => {
    const rep = await analyzeConv(session(f, (c) => {
      c.client(f.alert, { lose: true });
      c.rst("client", { t: c.now + 0.002 });
    }));
    const s = rep.sessions[0];
    expect(abandoned(rep)).toEqual([]);
    const seq = 1 + 22 + 10 + f.hello.length;
    expect(s.close.client!.rstSeq).toEqual({ seq: seq + f.alert.length, expected: seq });
    const i = s.verdict.notEvaluable.indexOf("tls-handshake-abandoned");
    expect(i).toBeGreaterThanOrEqual(0);
    expect(s.verdict.notEvaluableWhy![i]).toBe(`the client reset the connection (RST, frame ${s.close.client!.frame}) during the TLS handshake, but its seq ${seq + f.alert.length} lies beyond the client bytes the capture holds (next seq ${seq}): a lost alert or handshake message before the RST cannot be ruled out`);
    expect(rep.findings.filter((x) => x.side === "client" && x.severity !== "info")).toEqual([]);
  });

  it("the alert captured, then the RST: the certificate rejection is reported instead (tls-certificate-rejected)", async () => {
    const rep = await analyzeConv(session(f, (c) => {
      c.client(f.alert);
      c.rst("client", { t: c.now + 0.002 });
    }));
    expect(abandoned(rep)).toEqual([]);
    expect(rep.findings.map((x) => x.rule)).toContain("tls-certificate-rejected");
  });

  it("a FIN after the server's flight is reported as before", async () => {
    const rep = await analyzeConv(session(f, (c) => c.fin("client", { t: c.now + 0.002 })));
    const [x] = abandoned(rep);
    expect(x.message).toMatch(/^the client closed the connection \(FIN, frame \d+\) after the server's server_hello_done/);
  });
});
