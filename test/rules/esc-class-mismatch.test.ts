import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// esc-class-mismatch: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("esc-class-mismatch", {
  invalid: [
    {
      name: "250 with enhanced code 5.0.0",
      capture: () => greeted().client("NOOP\r\n").server("250 5.0.0 ok\r\n"),
      findings: [
        { severity: "error", side: "server", frames: [8], message: "reply `250 5.0.0 ok` carries enhanced code class 5 with reply code 250" },
      ],
    },
  ],
  valid: [
    { name: "250 with 2.0.0", capture: () => greeted().client("NOOP\r\n").server("250 2.0.0 ok\r\n") },
  ],
});
