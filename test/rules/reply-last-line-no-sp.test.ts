import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// reply-last-line-no-sp: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("reply-last-line-no-sp", {
  invalid: [
    {
      name: "a final line `250` without a space",
      capture: () => greeted().client("NOOP\r\n").server("250\r\n"),
      findings: [
        { severity: "warning", side: "server", frames: [8], message: "final reply line `250` has no space after the code" },
      ],
    },
  ],
  valid: [
    { name: "`250 ok`", capture: () => greeted().client("NOOP\r\n").server("250 ok\r\n") },
  ],
});
