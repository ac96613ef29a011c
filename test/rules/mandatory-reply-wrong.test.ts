import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// mandatory-reply-wrong: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("mandatory-reply-wrong", {
  invalid: [
    {
      name: "QUIT answered 250",
      capture: () => greeted().client("QUIT\r\n").server("250 ok\r\n"),
      findings: [
        { severity: "error", side: "server", frames: [7, 8], message: "QUIT was answered 250 (`250 ok`); it must get 221" },
      ],
    },
  ],
  valid: [
    { name: "QUIT answered 221", capture: () => greeted().client("QUIT\r\n").server("221 bye\r\n") },
  ],
});
