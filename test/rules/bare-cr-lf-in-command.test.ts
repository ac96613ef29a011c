import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

// bare-cr-lf-in-command: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("bare-cr-lf-in-command", {
  invalid: [
    {
      name: "NOOP ended by a bare LF",
      capture: () => greeted().client("NOOP\n").server("250 ok\r\n"),
      findings: [
        { severity: "error", side: "client", frames: [7], message: "`NOOP` ends with a bare LF" },
      ],
    },
    {
      name: "QUIT ended by a CR, then the client's FIN with nothing missing: the CR is bare",
      capture: () => greeted().client("QUIT\r").fin("client").ack("server"),
      findings: [
        { severity: "error", side: "client", frames: [7], message: "`QUIT` contains a bare CR" },
      ],
    },
    {
      name: "a bare CR inside the line, the rest of the stream lost: the CR is bare whatever followed",
      capture: () => greeted().client("QU\rIT\r").client("\n", { lose: true }).ack("server"),
      findings: [
        { severity: "error", side: "client", frames: [7], message: "`QU\\rIT` contains a bare CR" },
      ],
    },
  ],
  valid: [
    { name: "CRLF everywhere", capture: () => clean() },
    // a missing packet must not create an accusation: the LF may be in what the capture lacks
    { name: "near miss: QUIT ended by a CR, its LF lost but acknowledged by the server", capture: () => greeted().client("QUIT\r").client("\n", { lose: true }).server("221 bye\r\n").fin("server") },
    { name: "near miss: QUIT ended by a CR, the LF lost, then the client's FIN", capture: () => greeted().client("QUIT\r").client("\n", { lose: true }).fin("client").ack("server") },
    { name: "near miss: QUIT ended by a CR, then the capture ends", capture: () => greeted().client("QUIT\r") },
    { name: "near miss: EHLO's LF lost mid-stream, the dialogue goes on", capture: () => greeted().client("EHLO c.example.test\r").client("\n", { lose: true }).server("250 mx.example.test\r\n").client("QUIT\r\n").server("221 bye\r\n") },
  ],
});
