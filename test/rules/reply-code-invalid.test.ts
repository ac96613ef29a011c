import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

// reply-code-invalid: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("reply-code-invalid", {
  invalid: [
    {
      name: "a line cut by the end of the capture still shows its first three octets",
      capture: () => greeted().client("NOOP\r\n").server("ok 250"),
      findings: [
        { severity: "error", side: "server", frames: [8], message: "server line `ok 250` does not start with a three-digit reply code" },
      ],
    },
    {
      name: "a reply code with first digit 6",
      capture: () => greeted().client("NOOP\r\n").server("650 ok\r\n"),
      findings: [
        { severity: "error", side: "server", frames: [8], message: "reply code 650 has first digit 6; only 2, 3, 4 and 5 are allowed" },
      ],
    },
  ],
  valid: [
    { name: "near miss: the capture ends after two octets of a reply (`25`)", capture: () => greeted().client("NOOP\r\n").server("25") },
    { name: "every reply code 2yz\u20135yz", capture: () => clean() },
  ],
});
