import { expect } from "vitest";
import { ruleTester } from "../support/rule-tester.js";
import { CERT, SUITE, alert, clientHello, serverFlight, tlsSession } from "./tls-records.js";

const refused = (suites: number[]) => tlsSession(clientHello({ suites }), alert(40));

ruleTester("tls-no-shared-cipher", {
  invalid: [
    { name: "the client offers only NULL-SHA256 (9), the server answers handshake_failure (10): the client's fault", capture: () => refused([SUITE.RSA_NULL_SHA256]), findings: [
        { severity: "error", side: "client", frames: [9, 10], message: "the server refused the client's cipher suites with a fatal handshake_failure alert (frame 10, no ServerHello): the client offered only TLS_RSA_WITH_NULL_SHA256 (TLS 1.2, ClientHello frame 9), not a suite RFC 7525 §4.2 recommends" },
      ] },
    { name: "the client offers ECDHE-AES-GCM (9), the server answers handshake_failure (10): the server's fault", capture: () => refused([SUITE.ECDHE_RSA_AES128_GCM, SUITE.RSA_3DES]), findings: [
        { severity: "error", side: "server", frames: [9, 10], message: "the server refused the client's cipher suites with a fatal handshake_failure alert (frame 10, no ServerHello): the client offered (TLS 1.2, ClientHello frame 9) recommended suites the server does not accept: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256; offered: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_3DES_EDE_CBC_SHA" },
      ] },
    { name: "the client offers NULL-SHA256 and the renegotiation SCSV (9): one suite, the SCSV named apart, as the header counts them", capture: () => refused([SUITE.RSA_NULL_SHA256, SUITE.RENEGOTIATION_SCSV]), findings: [
        { severity: "error", side: "client", frames: [9, 10], message: "the server refused the client's cipher suites with a fatal handshake_failure alert (frame 10, no ServerHello): the client offered only TLS_RSA_WITH_NULL_SHA256 (TLS 1.2, ClientHello frame 9), not a suite RFC 7525 §4.2 recommends" },
      ], also: (f) => expect(f.map((x) => [x.evidence, x.reference])).toEqual([["alert handshake_failure from the server; offered 1 cipher suite (and the renegotiation SCSV)", "RFC 8446 §6.2; RFC 7525 §4.2"]]) },
    { name: "a TLS 1.3-only client offers only AES-128-CCM-8 (9): RFC 8446 §9.1 is cited, not RFC 7525 §4.2 (TLS 1.2 suites only)", capture: () => tlsSession(clientHello({ suites: [SUITE.AES128_CCM_8, SUITE.RENEGOTIATION_SCSV], versions: [0x0304] }), alert(40)), findings: [
        { severity: "error", side: "client", frames: [9, 10], message: "the server refused the client's cipher suites with a fatal handshake_failure alert (frame 10, no ServerHello): the client offered only TLS_AES_128_CCM_8_SHA256 (TLS 1.3, ClientHello frame 9), not a suite RFC 8446 §9.1 names" },
      ], also: (f) => expect(f.map((x) => x.reference)).toEqual(["RFC 8446 §9.1, §6.2"]) },
  ],
  valid: [
    { name: "near miss: the server chose a suite (ServerHello 10)", capture: () => tlsSession(clientHello({ suites: [SUITE.ECDHE_ECDSA_AES128_GCM] }), serverFlight({ suite: SUITE.ECDHE_ECDSA_AES128_GCM, certs: [CERT] })) },
    { name: "near miss: a protocol_version alert is tls-version-refused's", capture: () => tlsSession(clientHello({ suites: [SUITE.ECDHE_ECDSA_AES128_GCM] }), alert(70)) },
  ],
});
