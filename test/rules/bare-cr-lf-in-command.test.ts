import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

// bare-cr-lf-in-command: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("bare-cr-lf-in-command", {
  invalid: [
    {
      name: "NOOP ended by a bare LF",
      capture: () => greeted().client("NOOP\n").server("250 ok\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [7], message: "`NOOP` ends with a bare LF" },
      ],
    },
  ],
  valid: [
    { name: "CRLF everywhere", capture: () => clean() },
  ],
});
