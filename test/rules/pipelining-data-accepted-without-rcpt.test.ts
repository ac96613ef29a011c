import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// pipelining-data-accepted-without-rcpt: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("pipelining-data-accepted-without-rcpt", {
  invalid: [
    {
      name: "DATA answered 354 after the only RCPT failed",
      capture: () => greeted().client("MAIL FROM:<a@b.test>\r\n").server("250 ok\r\n").client("RCPT TO:<b@b.test>\r\n").server("550 5.1.1 no such user\r\n").client("DATA\r\n").server("354 go on\r\n"),
      findings: [
        { severity: "warning", side: "server", frames: [11, 12], message: "the server answered DATA with `354 go on` although all 1 RCPT command of the transaction had failed (PIPELINING was advertised)" },
      ],
    },
  ],
  valid: [
    { name: "DATA refused 554", capture: () => greeted().client("MAIL FROM:<a@b.test>\r\n").server("250 ok\r\n").client("RCPT TO:<b@b.test>\r\n").server("550 5.1.1 no such user\r\n").client("DATA\r\n").server("554 5.5.1 no valid recipients\r\n") },
  ],
});
