import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// esc-syntax: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("esc-syntax", {
  invalid: [
    {
      name: "a sub-code with a leading zero",
      capture: () => greeted().client("NOOP\r\n").server("250 2.01.0 ok\r\n"),
      findings: [
        { severity: "warning", side: "server", frames: [8], message: "reply `250 2.01.0 ok` has a sub-code with a leading zero or more than three digits" },
      ],
    },
  ],
  valid: [
    { name: "2.1.0", capture: () => greeted().client("NOOP\r\n").server("250 2.1.0 ok\r\n") },
  ],
});
