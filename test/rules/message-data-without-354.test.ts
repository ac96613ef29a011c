import { ruleTester } from "../support/rule-tester.js";
import { clean, envelope, greeted } from "../support/rules.js";

// message-data-without-354: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("message-data-without-354", {
  invalid: [
    {
      name: "the content written before the reply to DATA",
      capture: () => envelope(greeted()).client("DATA\r\n").client("Subject: hi\r\n\r\nhello\r\n.\r\n").server("354 go on\r\n").server("250 ok\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [12, 13], message: "the message content was sent before the reply to DATA (`354 go on`) had arrived" },
      ],
    },
  ],
  valid: [
    { name: "the content after 354", capture: () => clean() },
  ],
});
