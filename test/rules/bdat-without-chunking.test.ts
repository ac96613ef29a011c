import { ruleTester } from "../support/rule-tester.js";
import { envelope, greeted } from "../support/rules.js";

// bdat-without-chunking: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("bdat-without-chunking", {
  invalid: [
    {
      name: "BDAT without CHUNKING advertised",
      capture: () => envelope(greeted(["250-mx.example.test", "250 PIPELINING"])).client("BDAT 5 LAST\r\nhello").server("250 ok\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [11], message: "`BDAT 5 LAST` was sent, but CHUNKING was not advertised" },
      ],
    },
  ],
  valid: [
    { name: "BDAT with CHUNKING advertised", capture: () => envelope(greeted()).client("BDAT 5 LAST\r\nhello").server("250 ok\r\n") },
  ],
});
