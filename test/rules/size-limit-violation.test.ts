import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// size-limit-violation: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("size-limit-violation", {
  invalid: [
    {
      name: "SIZE=1000 declared, 100 advertised",
      capture: () => greeted(["250-mx.example.test", "250 SIZE 100"]).client("MAIL FROM:<a@b.test> SIZE=1000\r\n").server("250 ok\r\n"),
      findings: [
        { severity: "warning", side: "client", frames: [7], message: "`MAIL FROM:<a@b.test> SIZE=1000` declares 1000 octets, more than the 100 the server advertised" },
      ],
    },
  ],
  valid: [
    { name: "SIZE=50 declared, 100 advertised", capture: () => greeted(["250-mx.example.test", "250 SIZE 100"]).client("MAIL FROM:<a@b.test> SIZE=50\r\n").server("250 ok\r\n") },
  ],
});
