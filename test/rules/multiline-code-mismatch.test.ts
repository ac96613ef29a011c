import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// multiline-code-mismatch: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("multiline-code-mismatch", {
  invalid: [
    {
      name: "250- continued by 251",
      capture: () => greeted().client("NOOP\r\n").server("250-a\r\n251 b\r\n"),
      findings: [
        { severity: "error", side: "server", frames: [8], message: "reply starting `250-a` continues with code 251 in `251 b`" },
      ],
    },
  ],
  valid: [
    { name: "one code on every line", capture: () => greeted().client("NOOP\r\n").server("250-a\r\n250 b\r\n") },
  ],
});
