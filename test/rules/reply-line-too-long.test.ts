import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// reply-line-too-long: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("reply-line-too-long", {
  invalid: [
    {
      name: "a 604-octet reply line",
      capture: () => greeted().client("NOOP\r\n").server(`250 ${"x".repeat(600)}\r\n`),
      findings: [
        { severity: "warning", side: "server", frames: [8], message: "reply line of 606 octets (limit 512): `250 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…`" },
      ],
    },
  ],
  valid: [
    { name: "a 504-octet reply line", capture: () => greeted().client("NOOP\r\n").server(`250 ${"x".repeat(500)}\r\n`) },
  ],
});
