import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// sequence-error-not-503: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("sequence-error-not-503", {
  invalid: [
    {
      name: "RCPT without MAIL accepted",
      capture: () => greeted().client("RCPT TO:<b@b.test>\r\n").server("250 ok\r\n"),
      findings: [
        { severity: "error", side: "server", frames: [7, 8], message: "`RCPT TO:<b@b.test>` came with no accepted MAIL and was accepted with 250" },
      ],
    },
  ],
  valid: [
    { name: "RCPT without MAIL answered 503", capture: () => greeted().client("RCPT TO:<b@b.test>\r\n").server("503 5.5.1 need MAIL\r\n") },
  ],
});
