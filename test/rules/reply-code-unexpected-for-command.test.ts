import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// reply-code-unexpected-for-command: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("reply-code-unexpected-for-command", {
  invalid: [
    {
      name: "NOOP answered 354",
      capture: () => greeted().client("NOOP\r\n").server("354 go on\r\n"),
      findings: [
        { severity: "error", side: "server", frames: [7, 8], message: "`NOOP` was answered 354 (`354 go on`), which is not a reply defined for it; a 3yz asks the client for more input it has no reason to send" },
      ],
    },
  ],
  valid: [
    { name: "NOOP answered 250", capture: () => greeted().client("NOOP\r\n").server("250 ok\r\n") },
  ],
});
