import { ruleTester } from "../support/rule-tester.js";
import { clean, envelope, greeted } from "../support/rules.js";

ruleTester("server-accepts-nonstandard-eod", {
  invalid: [
    {
      name: "the server replies (14) after `\\n.\\n` (13), before the real end (ACK proof)",
      capture: () =>
        envelope(greeted()).client("DATA\r\n").server("354 go\r\n") // 11, 12
          .client("hi\n.\n").server("250 queued as 1\r\n") // 13, 14
          .client("MAIL FROM:<evil@b.test>\r\n.\r\n"), // 15
      findings: [
        { severity: "error", side: "server", frames: [13, 14], message: "the server replied `250 queued as 1` after the fake end-of-data `\\n.\\n` and before the real one: it ended the message early" },
      ],
    },
  ],
  valid: [
    { name: "near miss: `\\n.\\n` inside the message, the reply after the real end", capture: () => clean({ body: "hi\n.\ntail\r\n.\r\n" }) },
    { name: "a clean session", capture: () => clean() },
  ],
});
