import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// advertised-extension-rejected: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("advertised-extension-rejected", {
  invalid: [
    {
      name: "ETRN advertised, then refused 502",
      capture: () => greeted(["250-mx.example.test", "250 ETRN"]).client("ETRN example.test\r\n").server("502 no\r\n"),
      findings: [
        { severity: "error", side: "server", frames: [6, 7, 8], message: "`ETRN example.test` was refused with 502 although the EHLO reply advertised ETRN" },
      ],
    },
  ],
  valid: [
    { name: "ETRN not advertised, refused 502", capture: () => greeted(["250-mx.example.test", "250 PIPELINING"]).client("ETRN example.test\r\n").server("502 no\r\n") },
  ],
});
