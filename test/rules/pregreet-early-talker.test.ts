import { ruleTester } from "../support/rule-tester.js";
import { conv } from "../support/fixtures.js";
import { clean } from "../support/rules.js";

// pregreet-early-talker: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("pregreet-early-talker", {
  invalid: [
    {
      name: "EHLO before the greeting",
      capture: () => conv().handshake().client("EHLO c.example.test\r\n").server("220 mx ESMTP\r\n").server("250 mx\r\n"),
      findings: [
        { severity: "warning", side: "client", frames: [4, 5], message: "`EHLO c.example.test` was sent before the greeting's final line had arrived" },
      ],
    },
  ],
  valid: [
    { name: "EHLO after the greeting", capture: () => clean() },
  ],
});
