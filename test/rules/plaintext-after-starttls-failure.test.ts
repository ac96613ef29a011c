import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// plaintext-after-starttls-failure: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("plaintext-after-starttls-failure", {
  invalid: [
    {
      name: "STARTTLS refused, then MAIL in plaintext",
      capture: () => greeted().client("STARTTLS\r\n").server("454 4.7.0 not now\r\n").client("MAIL FROM:<a@b.test>\r\n").server("250 ok\r\n"),
      findings: [
        { severity: "warning", side: "client", frames: [7, 8, 9], message: "STARTTLS was answered 454 (`454 4.7.0 not now`) and the client continued in plaintext with `MAIL FROM:<a@b.test>`" },
      ],
    },
  ],
  valid: [
    { name: "STARTTLS refused, then QUIT", capture: () => greeted().client("STARTTLS\r\n").server("454 4.7.0 not now\r\n").client("QUIT\r\n").server("221 bye\r\n") },
  ],
});
