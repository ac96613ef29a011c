import { ruleTester } from "../support/rule-tester.js";
import { envelope, greeted } from "../support/rules.js";

// bdat-framing-error: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("bdat-framing-error", {
  invalid: [
    {
      name: "`BDAT five`",
      capture: () => envelope(greeted()).client("BDAT five\r\n").server("501 bad\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [11], message: "`BDAT five` does not have the form `BDAT chunk-size [LAST]`" },
      ],
    },
  ],
  valid: [
    { name: "`BDAT 5 LAST` and 5 octets", capture: () => envelope(greeted()).client("BDAT 5 LAST\r\nhello").server("250 ok\r\n") },
  ],
});
