import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// esmtp-param-not-advertised: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("esmtp-param-not-advertised", {
  invalid: [
    {
      name: "SIZE= without SIZE advertised",
      capture: () => greeted(["250-mx.example.test", "250 PIPELINING"]).client("MAIL FROM:<a@b.test> SIZE=100\r\n").server("250 ok\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [7], message: "`MAIL FROM:<a@b.test> SIZE=100` uses `SIZE`=, but SIZE was not advertised" },
      ],
    },
  ],
  valid: [
    { name: "near miss: MAIL with a parameter cut by the end of the capture (SMTPUT…)", capture: () => greeted().client("MAIL FROM:<a@b.test> SMTPUT") },
    { name: "SIZE= with SIZE advertised", capture: () => greeted().client("MAIL FROM:<a@b.test> SIZE=100\r\n").server("250 ok\r\n") },
  ],
});
