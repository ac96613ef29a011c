/**
 * Hand-built TLS records for the TLS rules' RuleTester files: a ClientHello, a server flight, an
 * alert, in a STARTTLS session built by the test writer. Frames of tlsSession(): 1–3 TCP
 * handshake, 4 greeting, 5 EHLO, 6 EHLO reply (STARTTLS), 7 STARTTLS, 8 the 220, 9 the
 * ClientHello, 10 the server's answer, then what `after` adds.
 */
import { conv } from "../support/fixtures.js";
import type { Conversation } from "../support/writer.js";

/** A self-signed P-256 certificate, CN and SAN DNS mx.example.test, valid 2026-12-07T02:14:15Z to 2036-12-04T02:14:15Z (openssl req -x509). */
export const CERT = Buffer.from("MIIBpTCCAUugAwIBAgIUU/9LOcwceC5FHCRyhmqIilkIdLAwCgYIKoZIzj0EAwIwGjEYMBYGA1UEAwwPbXguZXhhbXBsZS50ZXN0MB4XDTI2MTIwNzAyMTQxNVoXDTM2MTIwNDAyMTQxNVowGjEYMBYGA1UEAwwPbXguZXhhbXBsZS50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEbyMnJApdlo3DMIOAIalvIK8uuZ+0627Bkaay9KnEMieFUXiTPm9QuGj/rRnT/mSWBs/SJrrcF/CRUhLELns2xaNvMG0wHQYDVR0OBBYEFFfNxMCtlVwiO7j2ptydHHM0uOz8MB8GA1UdIwQYMBaAFFfNxMCtlVwiO7j2ptydHHM0uOz8MA8GA1UdEwEB/wQFMAMBAf8wGgYDVR0RBBMwEYIPbXguZXhhbXBsZS50ZXN0MAoGCCqGSM49BAMCA0gAMEUCIAzE7GO+9zYvvFVx9xdRXjV3rNy8jGmHob1sfQqXL7iGAiEAyiJt64BSNM7T0Vs5o7FRfj2Wl3G2gwy01aQsmA5+rwk=", "base64");

/** 2027-01-15T08:00:00Z: inside the certificate's validity. */
export const T_VALID = 1800000000;

const u16 = (n: number) => Buffer.from([n >> 8, n & 255]);
const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 255, n & 255]);
const v8 = (b: Buffer) => Buffer.concat([Buffer.from([b.length]), b]);
const v16 = (b: Buffer) => Buffer.concat([u16(b.length), b]);
const v24 = (b: Buffer) => Buffer.concat([u24(b.length), b]);

export function record(type: number, body: Buffer, version = 0x0303): Buffer {
  return Buffer.concat([Buffer.from([type]), u16(version), v16(body)]);
}

function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), v24(body)]);
}

function ext(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), v16(body)]);
}

/** A ClientHello record: legacy version, suites, SNI, supported_versions when given. */
export function clientHello(o: { version?: number; suites: number[]; sni?: string; versions?: number[] }): Buffer {
  const exts: Buffer[] = [];
  if (o.sni !== undefined) exts.push(ext(0, v16(Buffer.concat([Buffer.from([0]), v16(Buffer.from(o.sni, "latin1"))]))));
  if (o.versions !== undefined) exts.push(ext(43, v8(Buffer.concat(o.versions.map(u16)))));
  const body = Buffer.concat([u16(o.version ?? 0x0303), Buffer.alloc(32, 7), v8(Buffer.alloc(0)), v16(Buffer.concat(o.suites.map(u16))), v8(Buffer.from([0])), v16(Buffer.concat(exts))]);
  return record(0x16, handshake(1, body), 0x0301);
}

/** The server's TLS 1.0–1.2 flight: ServerHello (version, suite), Certificate (when given), ServerHelloDone. */
export function serverFlight(o: { version?: number; suite: number; certs?: Buffer[] }): Buffer {
  const v = o.version ?? 0x0303;
  const hello = handshake(2, Buffer.concat([u16(v), Buffer.alloc(32, 9), v8(Buffer.alloc(0)), u16(o.suite), Buffer.from([0]), v16(Buffer.alloc(0))]));
  const cert = o.certs ? handshake(11, v24(Buffer.concat(o.certs.map(v24)))) : Buffer.alloc(0);
  return record(0x16, Buffer.concat([hello, cert, handshake(14, Buffer.alloc(0))]), v);
}

/** A fatal (2) alert record; descriptions: 40 handshake_failure, 42 bad_certificate, 45 certificate_expired, 48 unknown_ca, 50 decode_error, 70 protocol_version. */
export function alert(description: number, level = 2, version = 0x0303): Buffer {
  return record(0x15, Buffer.from([level, description]), version);
}

/** A STARTTLS session into a TLS handshake: ClientHello (9), the server's answer (10), then `after`. */
export function tlsSession(hello: Buffer, server: Buffer, after: (c: Conversation) => void = () => {}, t0 = T_VALID): Conversation {
  const c = conv({ t0 }).handshake();
  c.server("220 mx.example.test ESMTP\r\n");
  c.client("EHLO client.example.test\r\n");
  c.server("250-mx.example.test\r\n250 STARTTLS\r\n");
  c.client("STARTTLS\r\n");
  c.server("220 2.0.0 Ready to start TLS\r\n");
  c.client(hello);
  c.server(server);
  after(c);
  return c;
}

/** Cipher suite ids. */
export const SUITE = {
  ECDHE_RSA_AES128_GCM: 0xc02f,
  ECDHE_ECDSA_AES128_GCM: 0xc02b,
  RSA_AES128_GCM: 0x009c,
  RSA_RC4_128_SHA: 0x0005,
  RSA_NULL_SHA256: 0x003b,
  RSA_3DES: 0x000a,
  RSA_AES128_CBC_SHA: 0x002f,
  AES128_CCM_8: 0x1305,
  RENEGOTIATION_SCSV: 0x00ff,
} as const;
