import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

ruleTester("transaction-order-violation", {
  invalid: [
    {
      name: "RCPT without MAIL (7), a nested MAIL (11)",
      capture: () =>
        greeted()
          .client("RCPT TO:<b@b.test>\r\n").server("503 need MAIL\r\n")
          .client("MAIL FROM:<a@b.test>\r\n").server("250 ok\r\n")
          .client("MAIL FROM:<c@b.test>\r\n").server("503 nested\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [7], message: "`RCPT TO:<b@b.test>` was sent without a MAIL command in this transaction" },
        { severity: "error", side: "client", frames: [11], message: "`MAIL FROM:<c@b.test>` was sent while the previous transaction was still open" },
      ],
    },
  ],
  valid: [
    {
      name: "near miss: a rejected EHLO keeps the transaction open",
      capture: () =>
        greeted().client("MAIL FROM:<a@b.test>\r\n").server("250 ok\r\n").client("EHLO\r\n").server("501 Syntax: EHLO hostname\r\n")
          .client("RCPT TO:<b@b.test>\r\n").server("250 ok\r\n"),
    },
    { name: "near miss: a second MAIL after RSET", capture: () => greeted().client("MAIL FROM:<a@b.test>\r\n").server("250 ok\r\n").client("RSET\r\n").server("250 ok\r\n").client("MAIL FROM:<c@b.test>\r\n").server("250 ok\r\n") },
    { name: "a clean session", capture: () => clean() },
  ],
});
