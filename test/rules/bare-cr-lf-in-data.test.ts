import { ruleTester } from "../support/rule-tester.js";
import { clean } from "../support/rules.js";

// bare-cr-lf-in-data: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("bare-cr-lf-in-data", {
  invalid: [
    {
      name: "a bare LF in the message",
      capture: () => clean({ body: "Subject: hi\r\n\r\nhel\nlo\r\n.\r\n" }),
      findings: [
        { severity: "error", side: "client", frames: [13], message: "the message contains 1 bare LF and 0 bare CR; the first (LF) at client offset 104" },
      ],
    },
  ],
  valid: [
    { name: "CRLF everywhere", capture: () => clean() },
  ],
});
