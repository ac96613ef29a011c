import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// auth-exchange-syntax: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("auth-exchange-syntax", {
  invalid: [
    {
      name: "a 334 challenge that is not BASE64",
      capture: () => greeted().client("AUTH LOGIN\r\n").server("334 not base64!\r\n"),
      findings: [
        { severity: "error", side: "server", frames: [8], message: "the challenge `334 not base64!` is not BASE64" },
      ],
    },
  ],
  valid: [
    { name: "a BASE64 challenge", capture: () => greeted().client("AUTH LOGIN\r\n").server("334 VXNlcm5hbWU6\r\n") },
  ],
});
