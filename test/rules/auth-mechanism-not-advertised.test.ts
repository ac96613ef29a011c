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
    // the capture ends inside the line: `PLA` may be the start of `PLAIN`
    { name: "near miss: AUTH PLA, then the capture ends", capture: () => greeted().client("AUTH PLA") },
    { name: "near miss: AUTH PLA, the rest of the line lost (acknowledged by the server)", capture: () => greeted().client("AUTH PLA").client("IN AGEAYg==\r\n", { lose: true }).server("235 ok\r\n") },
    { name: "AUTH PLAIN, offered", capture: () => greeted().client("AUTH PLAIN AGEAYg==\r\n").server("235 ok\r\n") },
  ],
});
