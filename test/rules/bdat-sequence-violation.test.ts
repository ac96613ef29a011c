import { ruleTester } from "../support/rule-tester.js";
import { envelope, greeted } from "../support/rules.js";

// bdat-sequence-violation: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("bdat-sequence-violation", {
  invalid: [
    {
      name: "DATA after BDAT in one transaction",
      capture: () => envelope(greeted()).client("BDAT 5\r\nhello").server("250 ok\r\n").client("DATA\r\n").server("354 go on\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [13], message: "`DATA` was sent after BDAT in the same transaction" },
        { severity: "error", side: "server", frames: [13, 14], message: "the server answered `DATA`, sent after BDAT in the same transaction, with 354, not 503" },
      ],
    },
  ],
  valid: [
    { name: "BDAT LAST alone", capture: () => envelope(greeted()).client("BDAT 5 LAST\r\nhello").server("250 ok\r\n") },
  ],
});
