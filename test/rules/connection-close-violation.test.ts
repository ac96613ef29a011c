import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

ruleTester("connection-close-violation", {
  invalid: [
    {
      name: "the server hangs up (8) on an unanswered RSET (7)",
      capture: () => greeted().client("RSET\r\n").fin("server"),
      findings: [{ severity: "error", side: "server", frames: [7, 8], message: "the server closed the connection (FIN, frame 8) without a 221 or 421, 1.0 ms after `RSET`" }],
    },
    {
      name: "the server hangs up (9) after answering NOOP (7, 8)",
      capture: () => greeted().client("NOOP\r\n").server("250 ok\r\n").fin("server"),
      findings: [{ severity: "warning", side: "server", frames: [7, 9], message: "the server closed the connection (FIN, frame 9) without a 221 or 421, 2.0 ms after `NOOP`" }],
    },
    {
      name: "the server hangs up (9) after a 554 to MAIL (7, 8): info",
      capture: () => greeted().client("MAIL FROM:<spam@b.test>\r\n").server("554 5.7.1 go away\r\n").fin("server"),
      findings: [{ severity: "info", side: "server", frames: [7, 9], message: "the server closed the connection (FIN, frame 9) without a 221 or 421, 2.0 ms after `MAIL FROM:<spam@b.test>`; the last reply was a 5yz (RFC 5321 §7.8 lets a server give up on a misbehaving client)" }],
    },
    {
      name: "the client hangs up (7) without QUIT",
      capture: () => greeted().fin("client"),
      findings: [{ severity: "warning", side: "client", frames: [7], message: "the client closed the connection (FIN, frame 7) without sending QUIT" }],
    },
    {
      name: "the client hangs up (8) right after QUIT (7), before the 221",
      capture: () => greeted().client("QUIT\r\n").fin("client"),
      findings: [{ severity: "info", side: "client", frames: [7, 8], message: "the client closed the connection (frame 8) right after QUIT, before the 221 arrived" }],
    },
  ],
  valid: [
    { name: "near miss: QUIT answered 221, then FINs", capture: () => clean() },
    {
      name: "near miss: the server times out after 6 idle minutes",
      capture: () => {
        const c = greeted();
        return c.fin("server", { t: c.now + 360 });
      },
    },
  ],
});
