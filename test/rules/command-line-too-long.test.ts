import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// command-line-too-long: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("command-line-too-long", {
  invalid: [
    {
      name: "a 607-octet NOOP line",
      capture: () => greeted().client(`NOOP ${"x".repeat(600)}\r\n`).server("250 ok\r\n"),
      findings: [
        { severity: "warning", side: "client", frames: [7], message: "command line of 607 octets (limit 512): `NOOP xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…`" },
      ],
    },
  ],
  valid: [
    { name: "a 407-octet NOOP line", capture: () => greeted().client(`NOOP ${"x".repeat(400)}\r\n`).server("250 ok\r\n") },
  ],
});
