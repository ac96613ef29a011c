import { ruleTester } from "../support/rule-tester.js";
import { conv } from "../support/fixtures.js";
import { clean } from "../support/rules.js";

// mail-without-helo: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("mail-without-helo", {
  invalid: [
    {
      name: "MAIL right after the greeting",
      capture: () => conv().handshake().server("220 mx ESMTP\r\n").client("MAIL FROM:<a@b.test>\r\n").server("250 ok\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [5], message: "`MAIL FROM:<a@b.test>` was sent before any EHLO/HELO was accepted" },
      ],
    },
  ],
  valid: [
    { name: "MAIL after EHLO", capture: () => clean() },
  ],
});
