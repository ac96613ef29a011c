import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// pipelining-not-negotiated: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("pipelining-not-negotiated", {
  invalid: [
    {
      name: "MAIL and RCPT written together, PIPELINING not advertised",
      capture: () => greeted(["250-mx.example.test", "250 SIZE 100000"]).client("MAIL FROM:<a@b.test>\r\n").client("RCPT TO:<b@b.test>\r\n").server("250 ok\r\n").server("250 ok\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [8, 9], message: "`RCPT TO:<b@b.test>` was sent before the reply `250 ok` to `MAIL FROM:<a@b.test>`, and the server had not advertised PIPELINING" },
      ],
    },
  ],
  valid: [
    { name: "the same with PIPELINING advertised", capture: () => greeted().client("MAIL FROM:<a@b.test>\r\n").client("RCPT TO:<b@b.test>\r\n").server("250 ok\r\n").server("250 ok\r\n") },
  ],
});
