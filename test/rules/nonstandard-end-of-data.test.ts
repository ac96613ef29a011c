import { ruleTester } from "../support/rule-tester.js";
import { clean } from "../support/rules.js";

// nonstandard-end-of-data: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("nonstandard-end-of-data", {
  invalid: [
    {
      name: "a bare-LF `.` line inside the message",
      capture: () => clean({ body: "Subject: hi\r\n\r\nhello\n.\nbye\r\n.\r\n" }),
      findings: [
        { severity: "error", side: "client", frames: [13], message: "the message contains 1 non-standard end-of-data sequence, the first `\\n.\\n` at client offset 106" },
      ],
    },
  ],
  valid: [
    { name: "only CRLF.CRLF", capture: () => clean() },
  ],
});
