import { ruleTester } from "../support/rule-tester.js";
import { conv } from "../support/fixtures.js";

// helo-extended-reply: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("helo-extended-reply", {
  invalid: [
    {
      name: "HELO answered with a 2-line 250",
      capture: () => conv().handshake().server("220 mx ESMTP\r\n").client("HELO c.example.test\r\n").server("250-mx\r\n250 PIPELINING\r\n"),
      findings: [
        { severity: "error", side: "server", frames: [5, 6], message: "HELO was answered with a 2-line 250 reply listing `PIPELINING`" },
      ],
    },
  ],
  valid: [
    { name: "HELO answered with one line", capture: () => conv().handshake().server("220 mx ESMTP\r\n").client("HELO c.example.test\r\n").server("250 mx\r\n") },
  ],
});
