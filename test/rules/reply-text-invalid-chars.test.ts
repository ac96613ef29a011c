import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// reply-text-invalid-chars: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("reply-text-invalid-chars", {
  invalid: [
    {
      name: "a control octet in the text",
      capture: () => greeted().client("NOOP\r\n").server("250 o\x01k\r\n"),
      findings: [
        { severity: "warning", side: "server", frames: [8], message: "reply line `250 o\\x01k` contains octet 0x01 at column 6" },
      ],
    },
  ],
  valid: [
    { name: "a TAB in the text", capture: () => greeted().client("NOOP\r\n").server("250 o\tk\r\n") },
  ],
});
