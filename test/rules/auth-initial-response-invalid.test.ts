import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// auth-initial-response-invalid: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("auth-initial-response-invalid", {
  invalid: [
    {
      name: "an initial response that is not BASE64",
      capture: () => greeted().client("AUTH PLAIN !!!\r\n").server("501 bad\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [7], message: "`AUTH PLAIN [redacted 3 bytes]` carries an initial response that is not BASE64" },
      ],
    },
  ],
  valid: [
    { name: "a BASE64 initial response", capture: () => greeted().client("AUTH PLAIN AGEAYg==\r\n").server("235 ok\r\n") },
  ],
});
