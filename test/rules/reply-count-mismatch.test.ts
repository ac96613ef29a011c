import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

// reply-count-mismatch: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("reply-count-mismatch", {
  invalid: [
    {
      name: "two NOOPs, one reply, then the server closes",
      capture: () => greeted().client("NOOP\r\n").client("NOOP\r\n").server("250 ok\r\n").fin("server"),
      findings: [
        { severity: "error", side: "server", frames: [8, 10], message: "`NOOP` got no reply, and the server closed the connection (frame 10)" },
      ],
    },
  ],
  valid: [
    { name: "every command answered", capture: () => clean() },
  ],
});
