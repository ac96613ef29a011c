import { ruleTester } from "../support/rule-tester.js";
import { conv } from "../support/fixtures.js";

ruleTester("server-close-after-554-greeting", {
  invalid: [
    {
      name: "554 greeting (4), EHLO (5) answered 250 (6), FIN without waiting for QUIT (7)",
      capture: () => conv().handshake().server("554 5.7.1 no service for you\r\n").client("EHLO a.test\r\n").server("250 mx\r\n").fin("server"),
      findings: [
        { severity: "error", side: "server", frames: [4, 7], message: "after its 554 greeting the server closed the connection (FIN, 3.0 ms after the greeting) without waiting for QUIT" },
        { severity: "warning", side: "server", frames: [4, 5, 6], message: "after its 554 greeting the server answered `EHLO a.test` with `250 mx`, not 503" },
      ],
    },
  ],
  valid: [
    {
      name: "near miss: 503 to EHLO and 221 to QUIT",
      capture: () =>
        conv().handshake().server("554 5.7.1 no service for you\r\n").client("EHLO a.test\r\n").server("503 5.5.1 bad sequence of commands\r\n")
          .client("QUIT\r\n").server("221 bye\r\n").fin("server").fin("client"),
    },
  ],
});
