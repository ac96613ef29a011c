import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// reply-continuation-invalid: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("reply-continuation-invalid", {
  invalid: [
    {
      name: "a `*` after the code",
      capture: () => greeted().client("NOOP\r\n").server("250*ok\r\n"),
      findings: [
        { severity: "error", side: "server", frames: [8], message: "reply line `250*ok` has `*` after the code; smtpcap treated it as the end of the reply" },
      ],
    },
  ],
  valid: [
    { name: "`-` and space separators", capture: () => greeted().client("NOOP\r\n").server("250-a\r\n250 b\r\n") },
  ],
});
