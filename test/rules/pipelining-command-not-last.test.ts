import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// pipelining-command-not-last: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("pipelining-command-not-last", {
  invalid: [
    {
      name: "MAIL written after EHLO before its reply",
      capture: () => greeted().client("EHLO c.example.test\r\n").client("MAIL FROM:<a@b.test>\r\n").server("250 mx\r\n").server("250 ok\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [8, 9], message: "`MAIL FROM:<a@b.test>` followed `EHLO c.example.test` before the reply `250 mx` had arrived; `EHLO` must be the last command of a pipelined group" },
      ],
    },
  ],
  valid: [
    { name: "MAIL and RCPT pipelined", capture: () => greeted().client("MAIL FROM:<a@b.test>\r\n").client("RCPT TO:<b@b.test>\r\n").server("250 ok\r\n").server("250 ok\r\n") },
  ],
});
