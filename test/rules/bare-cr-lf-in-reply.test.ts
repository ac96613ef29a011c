import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

// bare-cr-lf-in-reply: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("bare-cr-lf-in-reply", {
  invalid: [
    {
      name: "a reply ended by a bare LF",
      capture: () => greeted().client("NOOP\r\n").server("250 ok\n"),
      findings: [
        { severity: "error", side: "server", frames: [8], message: "1 server line without a proper CRLF; the first, `250 ok`, ends with a bare LF" },
      ],
    },
  ],
  valid: [
    { name: "CRLF everywhere", capture: () => clean() },
  ],
});
