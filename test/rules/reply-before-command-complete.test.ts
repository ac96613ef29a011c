import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

ruleTester("reply-before-command-complete", {
  invalid: [
    {
      name: "a 250 (8) whose ACK does not cover the CRLF of MAIL (7)",
      capture: () => {
        const c = greeted().client("MAIL FROM:<a@b.test>\r\n");
        return c.server("250 ok\r\n", { ack: c.nxt.client - 2 });
      },
      findings: [
        { severity: "warning", side: "server", frames: [7, 8], message: "`250 ok` answered `MAIL FROM:<a@b.test>` before the server had received its end" },
      ],
    },
  ],
  valid: [
    { name: "near miss: the reply acknowledges the whole command", capture: () => greeted().client("MAIL FROM:<a@b.test>\r\n").server("250 ok\r\n") },
    { name: "a clean session", capture: () => clean() },
  ],
});
