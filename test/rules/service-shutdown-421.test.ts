import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// service-shutdown-421: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("service-shutdown-421", {
  invalid: [
    {
      name: "NOOP answered 421",
      capture: () => greeted().client("NOOP\r\n").server("421 4.3.2 shutting down\r\n"),
      findings: [
        { severity: "info", side: "server", frames: [8], message: "the server sent `421 4.3.2 shutting down` (in reply to `NOOP`): it is closing the connection" },
      ],
    },
  ],
  valid: [
    { name: "NOOP answered 250", capture: () => greeted().client("NOOP\r\n").server("250 ok\r\n") },
  ],
});
