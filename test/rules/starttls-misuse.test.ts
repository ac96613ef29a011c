import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// starttls-misuse: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("starttls-misuse", {
  invalid: [
    {
      name: "STARTTLS with a parameter, answered 250",
      capture: () => greeted().client("STARTTLS now\r\n").server("250 ok\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [7], message: "`STARTTLS now`: STARTTLS takes no parameters" },
        { severity: "warning", side: "server", frames: [7, 8], message: "the server answered STARTTLS with `250 ok`: RFC 3207 allows 220, 454 or 501" },
      ],
    },
  ],
  valid: [
    { name: "STARTTLS refused with 454", capture: () => greeted().client("STARTTLS\r\n").server("454 4.7.0 not now\r\n") },
  ],
});
