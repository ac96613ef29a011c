import { ruleTester } from "../support/rule-tester.js";
import { CERT, SUITE, clientHello, serverFlight, tlsSession } from "./tls-records.js";

const asked = (sni?: string) => tlsSession(clientHello({ suites: [SUITE.ECDHE_ECDSA_AES128_GCM], sni }), serverFlight({ suite: SUITE.ECDHE_ECDSA_AES128_GCM, certs: [CERT] }));

ruleTester("tls-certificate-name-mismatch", {
  invalid: [
    { name: "SNI smtp.other.test (9), a certificate for mx.example.test (10)", capture: () => asked("smtp.other.test"), findings: [
        { severity: "warning", side: "server", frames: [9, 10], message: "the server's certificate (frame 10) names mx.example.test, not smtp.other.test, the host the client asked for in the ClientHello (frame 9)" },
      ] },
  ],
  valid: [
    { name: "near miss: SNI mx.example.test", capture: () => asked("mx.example.test") },
    { name: "near miss: no SNI: nothing to compare", capture: () => asked() },
  ],
});
