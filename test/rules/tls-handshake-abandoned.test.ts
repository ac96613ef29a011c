import { ruleTester } from "../support/rule-tester.js";
import { CERT, SUITE, alert, clientHello, serverFlight, tlsSession } from "./tls-records.js";

const hello = clientHello({ suites: [SUITE.ECDHE_ECDSA_AES128_GCM], sni: "mx.example.test" });
const flight = serverFlight({ suite: SUITE.ECDHE_ECDSA_AES128_GCM, certs: [CERT] });

ruleTester("tls-handshake-abandoned", {
  invalid: [
    { name: "the client's FIN (11) right after the server's flight (10)", capture: () => tlsSession(hello, flight, (c) => c.fin("client", { t: c.now + 0.002 })), findings: [
        { severity: "warning", side: "client", frames: [10, 11], message: "the client closed the connection (FIN, frame 11) after the server's server_hello_done (frame 10) without a ClientKeyExchange and without an alert: it broke off the TLS handshake, typically because it rejected the server's certificate" },
      ] },
    { name: "the client's RST (11) right after the server's flight (10), no byte missing", capture: () => tlsSession(hello, flight, (c) => c.rst("client", { t: c.now + 0.002 })), findings: [
        { severity: "warning", side: "client", frames: [10, 11], message: "the client closed the connection (RST, frame 11; no client byte is missing before the RST (seq 113)) after the server's server_hello_done (frame 10) without a ClientKeyExchange and without an alert: it broke off the TLS handshake, typically because it rejected the server's certificate" },
      ] },
  ],
  valid: [
    { name: "near miss: the client sends an alert first (tls-certificate-rejected's)", capture: () => tlsSession(hello, flight, (c) => c.client(alert(48)).fin("client")) },
    { name: "near miss: the client's alert lost before the capture point, then the RST: cannot judge", capture: () => tlsSession(hello, flight, (c) => c.client(alert(48), { lose: true }).rst("client", { t: c.now + 0.002 })) },
    { name: "near miss: the capture ends after the server's flight", capture: () => tlsSession(hello, flight) },
  ],
});
