import { ruleTester } from "../support/rule-tester.js";
import { CERT, SUITE, alert, clientHello, serverFlight, tlsSession } from "./tls-records.js";

const hello = clientHello({ suites: [SUITE.ECDHE_ECDSA_AES128_GCM], sni: "mx.example.test" });
const flight = serverFlight({ suite: SUITE.ECDHE_ECDSA_AES128_GCM, certs: [CERT] });

ruleTester("tls-handshake-failed", {
  invalid: [
    { name: "the client ends the handshake with decode_error (11) after the server's flight (10)", capture: () => tlsSession(hello, flight, (c) => c.client(alert(50)).fin("client")), findings: [
        { severity: "error", side: "server", frames: [11], message: "the client ended the TLS handshake with a fatal decode_error alert (frame 11), finding fault with what the server sent" },
      ] },
    { name: "the server answers the ClientHello (9) with decode_error (10)", capture: () => tlsSession(hello, alert(50)), findings: [
        { severity: "error", side: "client", frames: [10], message: "the server ended the TLS handshake with a fatal decode_error alert (frame 10), finding fault with what the client sent" },
      ] },
  ],
  valid: [
    { name: "near miss: unknown_ca is tls-certificate-rejected's", capture: () => tlsSession(hello, flight, (c) => c.client(alert(48)).fin("client")) },
    { name: "near miss: handshake_failure before any ServerHello is tls-no-shared-cipher's", capture: () => tlsSession(hello, alert(40)) },
  ],
});
