import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// client-command-before-reply-complete: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("client-command-before-reply-complete", {
  invalid: [
    {
      name: "QUIT before the reply to NOOP",
      capture: () => greeted(["250-mx.example.test", "250 SIZE 100000"]).client("NOOP\r\n").client("QUIT\r\n").server("250 ok\r\n").server("221 bye\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [8, 9], message: "`QUIT` was sent before the reply `250 ok` to `NOOP` had arrived" },
      ],
    },
  ],
  valid: [
    { name: "each command after its reply", capture: () => greeted(["250-mx.example.test", "250 SIZE 100000"]).client("NOOP\r\n").server("250 ok\r\n").client("QUIT\r\n").server("221 bye\r\n") },
  ],
});
