import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// ehlo-reply-malformed: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("ehlo-reply-malformed", {
  invalid: [
    {
      name: "a keyword on the first line",
      capture: () => greeted(["250-PIPELINING", "250 SIZE 100"]),
      findings: [
        { severity: "warning", side: "server", frames: [6], message: "the EHLO reply's first line `250-PIPELINING` carries the keyword PIPELINING where the server's domain belongs: grammar-following clients will not see it" },
      ],
    },
  ],
  valid: [
    { name: "the domain on the first line", capture: () => greeted() },
  ],
});
