import { expect } from "vitest";
import { greeted } from "../support/rules.js";
import { ruleTester } from "../support/rule-tester.js";

// Frames: 4 greeting, 5 EHLO, 6 the EHLO reply (offers PIPELINING, STARTTLS), then the cases'.
const TLS = ["250-mx.example.test", "250-PIPELINING", "250-STARTTLS", "250 AUTH PLAIN LOGIN"];
const CLIENT_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 1, 0, 0, 0]);

function starttls(after: (c: ReturnType<typeof greeted>) => void) {
  const c = greeted(TLS);
  after(c);
  return c;
}

ruleTester("plaintext-after-starttls-accepted", {
  invalid: [
    {
      name: "MAIL in plaintext in a later segment after the 220: the client gave up on TLS (no attacker implied)",
      capture: () => starttls((c) => {
        c.client("STARTTLS\r\n"); // 7
        c.server("220 ready\r\n"); // 8
        c.client("MAIL FROM:<a@b.test>\r\n"); // 9
      }),
      findings: [{ severity: "error", side: "client", frames: [7, 9], message: "`MAIL FROM:<a@b.test>` was sent in plaintext after the 220 to STARTTLS (frame 8) had arrived, where the TLS handshake belongs: the client gave up on TLS." }],
      also: (f) => {
        expect(f[0].evidence).toBe("client frame 9 carried ack 112: it had received the 220, which ends at seq 112; the command is plaintext, not a TLS record");
        expect(f[0].reference).toBe("RFC 3207 §4");
      },
    },
  ],
  valid: [
    {
      name: "plaintext in the STARTTLS segment: starttls-command-injection",
      capture: () => starttls((c) => {
        c.client("STARTTLS\r\nEHLO evil\r\n");
        c.server("220 ready\r\n");
      }),
    },
    {
      name: "a ClientHello after the 220",
      capture: () => starttls((c) => {
        c.client("STARTTLS\r\n");
        c.server("220 ready\r\n");
        c.client(CLIENT_HELLO);
      }),
    },
    {
      name: "STARTTLS refused (454): plaintext after it is plaintext-after-starttls-failure's",
      capture: () => starttls((c) => {
        c.client("STARTTLS\r\n");
        c.server("454 4.7.0 TLS not available\r\n");
        c.client("MAIL FROM:<a@b.test>\r\n");
      }),
    },
  ],
});
