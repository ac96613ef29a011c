import { ruleTester } from "../support/rule-tester.js";
import { clean } from "../support/rules.js";

// eightbit-data-without-8bitmime: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("eightbit-data-without-8bitmime", {
  invalid: [
    {
      name: "8-bit content, 8BITMIME not advertised",
      capture: () => clean({ ehlo: ["250-mx.example.test", "250 PIPELINING"], body: "Subject: hi\r\n\r\ncaf\u00e9\r\n.\r\n" }),
      findings: [
        { severity: "error", side: "client", frames: [13], message: "the message carries 1 octets of 0x80 and above, but the server did not advertise 8BITMIME" },
      ],
    },
  ],
  valid: [
    { name: "ASCII content", capture: () => clean({ ehlo: ["250-mx.example.test", "250 PIPELINING"] }) },
  ],
});
