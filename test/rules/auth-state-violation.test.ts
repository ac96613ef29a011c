import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// auth-state-violation: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("auth-state-violation", {
  invalid: [
    {
      name: "a second AUTH after 235",
      capture: () => greeted().client("AUTH PLAIN AGEAYg==\r\n").server("235 ok\r\n").client("AUTH PLAIN AGEAYg==\r\n").server("250 ok\r\n"),
      findings: [
        { severity: "error", side: "server", frames: [9, 10], message: "the server answered the AUTH sent after the client had already authenticated (235) with 250, not 503" },
        { severity: "warning", side: "client", frames: [9], message: "the client sent `AUTH PLAIN [redacted 8 bytes]` after the client had already authenticated (235)" },
      ],
    },
  ],
  valid: [
    { name: "one AUTH", capture: () => greeted().client("AUTH PLAIN AGEAYg==\r\n").server("235 ok\r\n") },
  ],
});
