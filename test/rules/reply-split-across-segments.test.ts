import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// reply-split-across-segments: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("reply-split-across-segments", {
  invalid: [
    {
      name: "a 2-line reply in two segments",
      capture: () => greeted().client("NOOP\r\n").server("250-a\r\n").server("250 b\r\n"),
      findings: [
        { severity: "info", side: "server", frames: [8, 9], message: "the 250 reply (2 lines) was carried in 2 segments: frame 8: 7 bytes, line 1; frame 9: 7 bytes, line 2" },
      ],
    },
  ],
  valid: [
    { name: "a 2-line reply in one segment", capture: () => greeted().client("NOOP\r\n").server("250-a\r\n250 b\r\n") },
  ],
});
