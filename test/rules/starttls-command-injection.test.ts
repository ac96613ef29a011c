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

ruleTester("starttls-command-injection", {
  invalid: [
    {
      name: "`STARTTLS\\r\\nEHLO x` in one segment (the CVE-2011-0411 probe)",
      capture: () => starttls((c) => {
        c.client("STARTTLS\r\nEHLO evil\r\n"); // 7
        c.server("220 ready\r\n"); // 8
      }),
      findings: [{ severity: "error", side: "client", frames: [7], message: "`EHLO evil` was sent in plaintext after STARTTLS, before the STARTTLS reply had arrived (ack 101 < 112); the client or an on-path injector is at fault." }],
      // the sentence that answers "the client did not pipeline": STARTTLS must end a group
      also: (f) => expect(f[0].reference).toBe("RFC 3207 §4"),
    },
    {
      name: "in the group: a later segment sent before the 220 arrived (ACK proof)",
      capture: () => starttls((c) => {
        c.client("STARTTLS\r\n"); // 7
        c.client("EHLO evil\r\n"); // 8, before the 220
        c.server("220 ready\r\n"); // 9
      }),
      findings: [{ severity: "error", side: "client", frames: [7, 8], message: "`EHLO evil` was sent in plaintext after STARTTLS, before the STARTTLS reply had arrived (ack 101 < 112); the client or an on-path injector is at fault." }],
    },
  ],
  valid: [
    {
      name: "plaintext in a later segment after the 220 arrived: plaintext-after-starttls-accepted, no injection",
      capture: () => starttls((c) => {
        c.client("STARTTLS\r\n");
        c.server("220 ready\r\n");
        c.client("MAIL FROM:<a@b.test>\r\n");
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
  ],
});

// plaintext-after-starttls-accepted: test/rules/plaintext-after-starttls-accepted.test.ts
