import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// smtputf8-advertisement-invalid: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("smtputf8-advertisement-invalid", {
  invalid: [
    {
      name: "SMTPUTF8 without 8BITMIME",
      capture: () => greeted(["250-mx.example.test", "250-PIPELINING", "250 SMTPUTF8"]),
      findings: [
        { severity: "error", side: "server", frames: [6], message: "the EHLO reply advertises SMTPUTF8 but not 8BITMIME" },
      ],
    },
  ],
  valid: [
    { name: "SMTPUTF8 with 8BITMIME", capture: () => greeted(["250-mx.example.test", "250-8BITMIME", "250 SMTPUTF8"]) },
  ],
});
