import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

// reply-incomplete-at-close: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("reply-incomplete-at-close", {
  invalid: [
    {
      name: "the server closes after `250-a`",
      capture: () => greeted().client("NOOP\r\n").server("250-a\r\n").fin("server"),
      findings: [
        { severity: "warning", side: "server", frames: [8, 9], message: "the connection was closed (FIN, frame 9) while a reply was open: the last line `250-a` announces more lines" },
      ],
    },
  ],
  valid: [
    { name: "every reply complete", capture: () => clean() },
    // the client cut the reply: nothing shows that the server would not have finished it
    { name: "the client resets while the server's reply is open", capture: () => greeted().client("NOOP\r\n").server("250-a\r\n").rst("client") },
    { name: "the client closes first, then the server with its reply open", capture: () => greeted().client("NOOP\r\n").server("250-a\r\n").fin("client").fin("server") },
  ],
});
