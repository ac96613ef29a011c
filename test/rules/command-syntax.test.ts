import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

// command-syntax: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("command-syntax", {
  invalid: [
    {
      name: "MAIL FROM without angle brackets",
      capture: () => greeted().client("MAIL FROM:a@b.test\r\n").server("250 ok\r\n"),
      findings: [
        { severity: "warning", side: "client", frames: [7], message: "`MAIL FROM:a@b.test` gives the path without angle brackets (`<…>`)" },
      ],
    },
  ],
  valid: [
    { name: "a clean session", capture: () => clean() },
  ],
});
