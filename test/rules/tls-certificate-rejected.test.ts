import { expect } from "vitest";
import { ruleTester } from "../support/rule-tester.js";
import { CERT, SUITE, alert, clientHello, serverFlight, tlsSession } from "./tls-records.js";

const answered = (a?: Buffer, t0?: number) =>
  tlsSession(clientHello({ suites: [SUITE.ECDHE_ECDSA_AES128_GCM], sni: "mx.example.test" }), serverFlight({ suite: SUITE.ECDHE_ECDSA_AES128_GCM, certs: [CERT] }), (c) => {
    if (a) c.client(a); // 11
    c.fin("client");
  }, t0);

ruleTester("tls-certificate-rejected", {
  invalid: [
    { name: "the client answers the certificate (10) with unknown_ca (11)", capture: () => answered(alert(48)), findings: [
        { severity: "error", side: "server", frames: [10, 11], message: "the client rejected the server's certificate with a fatal unknown_ca alert (frame 11, in plaintext): it could not chain the certificate to a CA it trusts; the certificate (frame 10): CN=mx.example.test (issuer CN=mx.example.test, self-signed, valid 2026-12-07T02:14:15Z to 2036-12-04T02:14:15Z)" },
      ] },
    { name: "certificate_expired (11), the capture from 2040: the dates say expired", capture: () => answered(alert(45), 2208988800), findings: [
        { severity: "error", side: "server", frames: [10, 11], message: "the client rejected the server's certificate with a fatal certificate_expired alert (frame 11, in plaintext): the certificate had expired (not after 2036-12-04T02:14:15Z, while the capture is from 2040-01-01T00:00:00Z); the certificate (frame 10): CN=mx.example.test (issuer CN=mx.example.test, self-signed, valid 2026-12-07T02:14:15Z to 2036-12-04T02:14:15Z)" },
      ] },
    { name: "bad_certificate (11) on a self-signed certificate: the RFC's meaning (… etc.), the likely reason as such, and RFC 5246 §7.2.2 for TLS 1.2", capture: () => answered(alert(42)), findings: [
        { severity: "error", side: "server", frames: [10, 11], message: "the client rejected the server's certificate with a fatal bad_certificate alert (frame 11, in plaintext): a certificate \"was corrupt, contained signatures that did not verify correctly, etc.\"; likely because it is self-signed (issuer CN=mx.example.test is its subject), so no CA vouches for it; the certificate (frame 10): CN=mx.example.test (issuer CN=mx.example.test, self-signed, valid 2026-12-07T02:14:15Z to 2036-12-04T02:14:15Z)" },
      ], also: (f) => expect(f.map((x) => x.reference)).toEqual(["RFC 5246 §7.2.2 (bad_certificate)"]) },
    { name: "TLS 1.2 unknown_ca cites RFC 5246 §7.2.2, not RFC 8446's sections", capture: () => answered(alert(48)), findings: [
        { severity: "error", side: "server", frames: [10, 11], message: "the client rejected the server's certificate with a fatal unknown_ca alert (frame 11, in plaintext): it could not chain the certificate to a CA it trusts; the certificate (frame 10): CN=mx.example.test (issuer CN=mx.example.test, self-signed, valid 2026-12-07T02:14:15Z to 2036-12-04T02:14:15Z)" },
      ], also: (f) => expect(f.map((x) => x.reference)).toEqual(["RFC 5246 §7.2.2 (unknown_ca)"]) },
  ],
  valid: [
    { name: "near miss: a fatal decode_error from the client is no certificate rejection", capture: () => answered(alert(50)) },
    { name: "near miss: a warning-level unknown_ca", capture: () => answered(alert(48, 1)) },
  ],
});
