import { ruleTester } from "../support/rule-tester.js";
import { CERT, SUITE, alert, clientHello, serverFlight, tlsSession } from "./tls-records.js";

ruleTester("tls-version-refused", {
  invalid: [
    { name: "the client offers only TLS 1.0 (9), the server answers protocol_version (10): the client's fault", capture: () => tlsSession(clientHello({ version: 0x0301, suites: [SUITE.ECDHE_ECDSA_AES128_GCM] }), alert(70, 2, 0x0301)), findings: [
        { severity: "error", side: "client", frames: [9, 10], message: "the server refused the client's TLS version with a fatal protocol_version alert (frame 10): the client offered only TLS 1.0 (ClientHello frame 9), no ServerHello followed" },
      ] },
    { name: "the client offers TLS 1.2 (9), the server refuses it (10): the server's fault", capture: () => tlsSession(clientHello({ suites: [SUITE.ECDHE_ECDSA_AES128_GCM] }), alert(70)), findings: [
        { severity: "error", side: "server", frames: [9, 10], message: "the server refused the client's TLS version with a fatal protocol_version alert (frame 10): the client offered only TLS 1.2 (ClientHello frame 9), no ServerHello followed" },
      ] },
    {
      name: "the server chooses TLS 1.0 (10), the client refuses it (11)",
      capture: () => tlsSession(clientHello({ suites: [SUITE.ECDHE_ECDSA_AES128_GCM] }), serverFlight({ version: 0x0301, suite: SUITE.ECDHE_ECDSA_AES128_GCM, certs: [CERT] }), (c) => c.client(alert(70, 2, 0x0301)).fin("client")),
      findings: [
        { severity: "error", side: "server", frames: [10, 11], message: "the client refused the server's TLS version with a fatal protocol_version alert (frame 11): the server chose TLS 1.0, the client offered TLS 1.2" },
      ],
    },
  ],
  valid: [
    { name: "near miss: a handshake_failure alert", capture: () => tlsSession(clientHello({ suites: [SUITE.ECDHE_ECDSA_AES128_GCM] }), alert(40)) },
    { name: "near miss: TLS 1.2 accepted", capture: () => tlsSession(clientHello({ suites: [SUITE.ECDHE_ECDSA_AES128_GCM] }), serverFlight({ suite: SUITE.ECDHE_ECDSA_AES128_GCM, certs: [CERT] })) },
  ],
});
