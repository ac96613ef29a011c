import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

const ESC = ["250-mx.example.test", "250-PIPELINING", "250 ENHANCEDSTATUSCODES"];

ruleTester("esc-missing-or-inconsistent", {
  invalid: [
    {
      name: "ENHANCEDSTATUSCODES advertised: codes missing (8, 14), differing in one reply (10), on 354 (12)",
      capture: () =>
        greeted(ESC)
          .client("MAIL FROM:<a@b.test>\r\n").server("250 ok\r\n") // 7, 8
          .client("RCPT TO:<b@b.test>\r\n").server("250-2.1.5 first\r\n250 2.1.0 second\r\n") // 9, 10
          .client("DATA\r\n").server("354 2.0.0 go ahead\r\n") // 11, 12
          .client("x\r\n.\r\n").server("250 queued\r\n"), // 13, 14
      findings: [
        { severity: "warning", side: "server", frames: [8, 14], message: "reply line `250 ok` has no enhanced status code although the server advertised ENHANCEDSTATUSCODES (1 more reply too)" },
        { severity: "warning", side: "server", frames: [10], message: "the lines of one 250 reply carry different enhanced codes (2.1.5, 2.1.0)" },
        { severity: "info", side: "server", frames: [12], message: "the 354 reply carries an enhanced status code (`2.0.0`), which 3yz replies do not take" },
      ],
    },
  ],
  valid: [
    { name: "near miss: no ENHANCEDSTATUSCODES, a reply without a code", capture: () => greeted(["250-mx.example.test", "250 PIPELINING"]).client("MAIL FROM:<a@b.test>\r\n").server("250 ok\r\n") },
    { name: "near miss: advertised and every reply carries one", capture: () => greeted(ESC).client("MAIL FROM:<a@b.test>\r\n").server("250 2.1.0 ok\r\n") },
    { name: "a clean session", capture: () => clean() },
  ],
});
