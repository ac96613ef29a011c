import { ruleTester } from "../support/rule-tester.js";
import { CERT, SUITE, clientHello, serverFlight, tlsSession } from "./tls-records.js";

const hello = clientHello({ suites: [SUITE.ECDHE_ECDSA_AES128_GCM, SUITE.RSA_AES128_GCM, SUITE.RSA_RC4_128_SHA], sni: "mx.example.test" });
const chose = (suite: number) => tlsSession(hello, serverFlight({ suite, certs: [CERT] }));

ruleTester("tls-weak-cipher-suite", {
  invalid: [
    { name: "the ServerHello (10) chooses RC4", capture: () => chose(SUITE.RSA_RC4_128_SHA), findings: [
        { severity: "warning", side: "server", frames: [10], message: "the server chose TLS_RSA_WITH_RC4_128_SHA (RC4) in the ServerHello (frame 10): RFC 7525 forbids negotiating it" },
      ] },
    { name: "the ServerHello (10) chooses static RSA (info)", capture: () => chose(SUITE.RSA_AES128_GCM), findings: [
        { severity: "info", side: "server", frames: [10], message: "the server chose TLS_RSA_WITH_AES_128_GCM_SHA256 (static RSA key exchange, no forward secrecy) in the ServerHello (frame 10): RFC 7525 §4.1 says not to" },
      ] },
    { name: "the client offered only static-RSA AES-CBC and the SCSV (9), which the server chose (10): the client's fault (tls12-cbc-mte-postfix)", capture: () => tlsSession(clientHello({ suites: [SUITE.RSA_AES128_CBC_SHA, SUITE.RENEGOTIATION_SCSV] }), serverFlight({ suite: SUITE.RSA_AES128_CBC_SHA, certs: [CERT] })), findings: [
        { severity: "info", side: "client", frames: [9, 10], message: "the client offered only TLS_RSA_WITH_AES_128_CBC_SHA in the ClientHello (frame 9), and the server chose TLS_RSA_WITH_AES_128_CBC_SHA (static RSA key exchange, no forward secrecy) in the ServerHello (frame 10): RFC 7525 §4.1 says not to" },
      ] },
    { name: "the client offered only RC4 and 3DES (9); the server chose RC4 (10): the client's fault", capture: () => tlsSession(clientHello({ suites: [SUITE.RSA_RC4_128_SHA, SUITE.RSA_3DES] }), serverFlight({ suite: SUITE.RSA_RC4_128_SHA, certs: [CERT] })), findings: [
        { severity: "warning", side: "client", frames: [9, 10], message: "the client offered only weak suites (2, TLS_RSA_WITH_RC4_128_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA) in the ClientHello (frame 9), and the server chose TLS_RSA_WITH_RC4_128_SHA (RC4) in the ServerHello (frame 10): RFC 7525 forbids negotiating it" },
      ] },
  ],
  valid: [
    { name: "near miss: ECDHE with AES-GCM", capture: () => chose(SUITE.ECDHE_ECDSA_AES128_GCM) },
  ],
});
