import { ruleTester } from "../support/rule-tester.js";
import { clean } from "../support/rules.js";

// smuggled-commands-in-data: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("smuggled-commands-in-data", {
  invalid: [
    {
      name: "MAIL and RCPT hidden after a `\\\\n.\\\\n`",
      capture: () => clean({ body: "Subject: hi\r\n\r\nhello\n.\nMAIL FROM:<x@y.test>\r\nRCPT TO:<z@y.test>\r\n.\r\n" }),
      findings: [
        { severity: "error", side: "client", frames: [13], message: "after a non-standard end-of-data the message carries command lines: `MAIL FROM:<x@y.test>`, `RCPT TO:<z@y.test>`" },
      ],
    },
  ],
  valid: [
    { name: "a `.` only at the end", capture: () => clean() },
  ],
});
