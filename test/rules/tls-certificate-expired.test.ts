import { ruleTester } from "../support/rule-tester.js";
import { CERT, SUITE, T_VALID, clientHello, serverFlight, tlsSession } from "./tls-records.js";

const at = (t0: number) => tlsSession(clientHello({ suites: [SUITE.ECDHE_ECDSA_AES128_GCM], sni: "mx.example.test" }), serverFlight({ suite: SUITE.ECDHE_ECDSA_AES128_GCM, certs: [CERT] }), () => {}, t0);

ruleTester("tls-certificate-expired", {
  invalid: [
    { name: "a capture from 2040 (2208988800): the certificate (10) expired in 2036", capture: () => at(2208988800), findings: [
        { severity: "warning", side: "server", frames: [10], message: "the server's certificate (frame 10) had expired when the capture was made (2040-01-01T00:00:00.001Z): not after 2036-12-04T02:14:15Z; the certificate: CN=mx.example.test (issuer CN=mx.example.test, self-signed, valid 2026-12-07T02:14:15Z to 2036-12-04T02:14:15Z)" },
      ] },
    { name: "a capture from 2023 (1700000000): the certificate (10) not yet valid", capture: () => at(1700000000), findings: [
        { severity: "warning", side: "server", frames: [10], message: "the server's certificate (frame 10) was not yet valid when the capture was made (2023-11-14T22:13:20.001Z): not before 2026-12-07T02:14:15Z; the certificate: CN=mx.example.test (issuer CN=mx.example.test, self-signed, valid 2026-12-07T02:14:15Z to 2036-12-04T02:14:15Z)" },
      ] },
  ],
  valid: [
    { name: "near miss: a capture from 2027, inside the validity", capture: () => at(T_VALID) },
  ],
});
