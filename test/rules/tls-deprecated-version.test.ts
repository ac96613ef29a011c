import { ruleTester } from "../support/rule-tester.js";
import { CERT, SUITE, clientHello, serverFlight, tlsSession } from "./tls-records.js";

ruleTester("tls-deprecated-version", {
  invalid: [
    {
      name: "the client offers TLS 1.2, the server chooses TLS 1.0 (10)",
      capture: () => tlsSession(clientHello({ suites: [SUITE.ECDHE_ECDSA_AES128_GCM] }), serverFlight({ version: 0x0301, suite: SUITE.ECDHE_ECDSA_AES128_GCM, certs: [CERT] })),
      findings: [
        { severity: "warning", side: "server", frames: [10], message: "TLS 1.0 was negotiated (ServerHello frame 10), the client offered TLS 1.2: RFC 8996 forbids TLS 1.0" },
      ],
    },
    {
      name: "the client offers only TLS 1.1, the server takes it: the client's fault",
      capture: () => tlsSession(clientHello({ version: 0x0302, suites: [SUITE.ECDHE_ECDSA_AES128_GCM] }), serverFlight({ version: 0x0302, suite: SUITE.ECDHE_ECDSA_AES128_GCM, certs: [CERT] })),
      findings: [
        { severity: "warning", side: "client", frames: [10], message: "TLS 1.1 was negotiated (ServerHello frame 10), the client offered TLS 1.1: RFC 8996 forbids TLS 1.1" },
      ],
    },
  ],
  valid: [
    { name: "near miss: TLS 1.2 negotiated", capture: () => tlsSession(clientHello({ suites: [SUITE.ECDHE_ECDSA_AES128_GCM] }), serverFlight({ suite: SUITE.ECDHE_ECDSA_AES128_GCM, certs: [CERT] })) },
  ],
});
