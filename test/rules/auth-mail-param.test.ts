import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// auth-mail-param: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("auth-mail-param", {
  invalid: [
    {
      name: "AUTH= with an `=` in it",
      capture: () => greeted().client("MAIL FROM:<a@b.test> AUTH=a=b\r\n").server("250 ok\r\n"),
      findings: [
        { severity: "warning", side: "client", frames: [7], message: "`MAIL FROM:<a@b.test> AUTH=a=b`: the AUTH= value `a=b` is not xtext" },
      ],
    },
  ],
  valid: [
    { name: "AUTH=<>", capture: () => greeted().client("MAIL FROM:<a@b.test> AUTH=<>\r\n").server("250 ok\r\n") },
  ],
});
