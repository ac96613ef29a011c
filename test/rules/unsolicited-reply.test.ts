import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

// unsolicited-reply: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("unsolicited-reply", {
  invalid: [
    {
      name: "a 250 no command asked for",
      capture: () => greeted().client("NOOP\r\n").server("250 ok\r\n").server("250 extra\r\n"),
      findings: [
        { severity: "error", side: "server", frames: [9], message: "the reply `250 extra` arrived when no command was waiting for a reply" },
      ],
    },
  ],
  valid: [
    { name: "each reply answers a command", capture: () => clean() },
  ],
});
