import { ruleTester } from "../support/rule-tester.js";
import { conv } from "../support/fixtures.js";
import { clean, envelope, greeted } from "../support/rules.js";

const submission = () => conv({ server: "192.0.2.25:587" }).handshake();

ruleTester("submission-unauthenticated-mail-accepted", {
  invalid: [
    {
      name: "MAIL (7) accepted (8) on port 587 without AUTH",
      capture: () => greeted(undefined, submission()).client("MAIL FROM:<a@b.test>\r\n").server("250 ok\r\n"),
      findings: [
        { severity: "info", side: "server", frames: [7, 8], message: "the submission server (port 587) accepted `MAIL FROM:<a@b.test>` without AUTH" },
      ],
    },
  ],
  valid: [
    { name: "near miss: on 587 after a successful AUTH", capture: () => envelope(greeted(undefined, submission()).client("AUTH PLAIN AGFAYg==\r\n").server("235 2.7.0 ok\r\n")) },
    { name: "near miss: MAIL accepted without AUTH on port 25", capture: () => clean() },
    { name: "near miss: on 587 MAIL refused without AUTH", capture: () => greeted(undefined, submission()).client("MAIL FROM:<a@b.test>\r\n").server("530 5.7.0 authentication required\r\n") },
  ],
});
