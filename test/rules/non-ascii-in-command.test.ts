import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// non-ascii-in-command: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("non-ascii-in-command", {
  invalid: [
    {
      name: "an octet 0xe9 in NOOP",
      capture: () => greeted().client(Buffer.from("NOOP caf\xe9\r\n", "latin1")).server("250 ok\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [7], message: "`NOOP caf\\xe9` contains octet 0xe9: the server did not advertise SMTPUTF8" },
      ],
    },
  ],
  valid: [
    { name: "ASCII only", capture: () => greeted().client("NOOP cafe\r\n").server("250 ok\r\n") },
  ],
});
