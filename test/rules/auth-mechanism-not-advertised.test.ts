import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// auth-mechanism-not-advertised: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("auth-mechanism-not-advertised", {
  invalid: [
    {
      name: "AUTH CRAM-MD5 where PLAIN LOGIN was offered",
      capture: () => greeted().client("AUTH CRAM-MD5\r\n").server("504 no\r\n"),
      findings: [
        { severity: "warning", side: "client", frames: [7], message: "AUTH `CRAM-MD5` was sent, but the server offered only `PLAIN LOGIN`" },
      ],
    },
  ],
  valid: [
    { name: "AUTH PLAIN, offered", capture: () => greeted().client("AUTH PLAIN AGEAYg==\r\n").server("235 ok\r\n") },
  ],
});
