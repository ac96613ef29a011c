import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// pipelining-keyword-with-parameter: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("pipelining-keyword-with-parameter", {
  invalid: [
    {
      name: "`PIPELINING yes`",
      capture: () => greeted(["250-mx.example.test", "250 PIPELINING yes"]),
      findings: [
        { severity: "info", side: "server", frames: [6], message: "EHLO line `250 PIPELINING yes` gives PIPELINING a parameter" },
      ],
    },
  ],
  valid: [
    { name: "`PIPELINING`", capture: () => greeted(["250-mx.example.test", "250 PIPELINING"]) },
  ],
});
