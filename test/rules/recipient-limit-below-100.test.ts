import { ruleTester } from "../support/rule-tester.js";
import { envelope, greeted } from "../support/rules.js";

// recipient-limit-below-100: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("recipient-limit-below-100", {
  invalid: [
    {
      name: "the second RCPT refused as too many",
      capture: () => envelope(greeted()).client("RCPT TO:<c@b.test>\r\n").server("452 4.5.3 Too many recipients\r\n"),
      findings: [
        { severity: "warning", side: "server", frames: [11, 12], message: "RCPT number 2 of the transaction was refused as one recipient too many: `452 4.5.3 Too many recipients`" },
      ],
    },
  ],
  valid: [
    { name: "a mailbox refused for another reason", capture: () => envelope(greeted()).client("RCPT TO:<c@b.test>\r\n").server("452 4.2.2 Mailbox full\r\n") },
  ],
});
