import { ruleTester } from "../support/rule-tester.js";
import { conv } from "../support/fixtures.js";

const CLIENT_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 1, 0, 0, 0]);
const SERVER_HELLO = Buffer.from([0x16, 0x03, 0x03, 0x00, 0x04, 2, 0, 0, 0]);
const smtps = () => conv({ server: "192.0.2.25:465" }).handshake();

ruleTester("implicit-tls-port-mismatch", {
  invalid: [
    {
      name: "the server greets in plaintext (4) on port 465",
      capture: () => smtps().server("220 mx.example.test ESMTP\r\n").client("EHLO a.test\r\n").server("250 mx\r\n"),
      findings: [{ severity: "warning", side: "server", frames: [4], message: "the server on port 465 spoke plaintext SMTP (`220 mx.example.test ESMTP`) instead of starting TLS" }],
    },
    {
      name: "the client sends plaintext EHLO (4) on port 465",
      capture: () => smtps().client("EHLO a.test\r\n"),
      findings: [{ severity: "warning", side: "client", frames: [4], message: "the client on port 465 sent plaintext `EHLO a.test` instead of a TLS ClientHello" }],
    },
  ],
  valid: [
    { name: "near miss: a ClientHello and ServerHello on 465", capture: () => smtps().client(CLIENT_HELLO).server(SERVER_HELLO) },
    { name: "near miss: a plaintext greeting on port 25", capture: () => conv().handshake().server("220 mx.example.test ESMTP\r\n").client("EHLO a.test\r\n").server("250 mx\r\n") },
  ],
});
