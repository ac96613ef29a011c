import { ruleTester } from "../support/rule-tester.js";
import { clean, envelope, greeted } from "../support/rules.js";

// data-continues-after-end: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("data-continues-after-end", {
  invalid: [
    {
      name: "text after the end of the message refused 500",
      capture: () => envelope(greeted()).client("DATA\r\n").server("354 go on\r\n").client("Subject: hi\r\n\r\nhello\r\n.\r\nmore text\r\n").server("250 ok\r\n").server("500 unknown command\r\n"),
      findings: [
        { severity: "warning", side: "client", frames: [13], message: "after the end of the message the client sent 1 line of text (first `more text`) that the server refused as commands: the message held an unstuffed \".\" line and was cut there" },
      ],
    },
  ],
  valid: [
    { name: "a clean message", capture: () => clean() },
  ],
});
