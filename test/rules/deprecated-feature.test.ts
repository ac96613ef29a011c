import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

// deprecated-feature: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("deprecated-feature", {
  invalid: [
    {
      name: "TURN",
      capture: () => greeted().client("TURN\r\n").server("502 no\r\n"),
      findings: [
        { severity: "warning", side: "client", frames: [7], message: "the client sent TURN, deprecated since RFC 2821 (ETRN replaces it)" },
      ],
    },
  ],
  valid: [
    { name: "a clean session", capture: () => clean() },
  ],
});
