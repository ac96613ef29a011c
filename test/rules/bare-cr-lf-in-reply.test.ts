import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

// bare-cr-lf-in-reply: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("bare-cr-lf-in-reply", {
  invalid: [
    {
      name: "a reply ended by a bare LF",
      capture: () => greeted().client("NOOP\r\n").server("250 ok\n"),
      findings: [
        { severity: "error", side: "server", frames: [8], message: "1 server line without a proper CRLF; the first, `250 ok`, ends with a bare LF" },
      ],
    },
    {
      name: "a reply ended by a CR, then the server's FIN with nothing missing: the CR is bare",
      capture: () => greeted().client("NOOP\r\n").server("250 ok\r").fin("server").ack("client"),
      findings: [
        { severity: "error", side: "server", frames: [8], message: "1 server line without a proper CRLF; the first, `250 ok`, contains a bare CR" },
      ],
    },
  ],
  valid: [
    { name: "CRLF everywhere", capture: () => clean() },
    // a missing packet must not create an accusation: the LF may be in what the capture lacks
    { name: "near miss: a reply ended by a CR, its LF lost but acknowledged by the client", capture: () => greeted().client("NOOP\r\n").server("250 ok\r").server("\n", { lose: true }).ack("client") },
    { name: "near miss: a reply ended by a CR, then the capture ends", capture: () => greeted().client("NOOP\r\n").server("250 ok\r") },
    { name: "near miss: a reply line's LF lost mid-stream, the next line captured", capture: () => greeted().client("EHLO c.example.test\r\n").server("250-mx.example.test\r").server("\n", { lose: true }).server("250 PIPELINING\r\n").client("QUIT\r\n").server("221 bye\r\n") },
  ],
});
