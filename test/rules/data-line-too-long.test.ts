import { ruleTester } from "../support/rule-tester.js";
import { clean } from "../support/rules.js";

// data-line-too-long: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("data-line-too-long", {
  invalid: [
    {
      name: "a 1200-octet message line",
      capture: () => clean({ body: `Subject: hi\r\n\r\n${"x".repeat(1200)}\r\n.\r\n` }),
      findings: [
        { severity: "warning", side: "client", frames: [13], message: "1 message line exceeds 1000 octets; the longest has 1202" },
      ],
    },
  ],
  valid: [
    { name: "a 900-octet message line", capture: () => clean({ body: `Subject: hi\r\n\r\n${"x".repeat(900)}\r\n.\r\n` }) },
  ],
});
