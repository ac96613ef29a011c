import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

/** `n` failed AUTH attempts (frames 7, 8, then 9, 10, …), then the server's FIN. */
function failures(n: number) {
  const c = greeted();
  for (let i = 0; i < n; i++) {
    c.client("AUTH PLAIN AGFAYg==\r\n");
    c.server("535 5.7.8 authentication failed\r\n");
  }
  c.fin("server");
  return c;
}

ruleTester("auth-lockout-too-early", {
  invalid: [
    {
      name: "a 421 after one failed AUTH, before the client's QUIT (frames 8, 9)",
      capture: () => greeted().client("AUTH PLAIN AGFAYg==\r\n").server("535 5.7.8 authentication failed\r\n").server("421 4.7.0 too many errors\r\n").client("QUIT\r\n").fin("server"),
      findings: [
        { severity: "warning", side: "server", frames: [8, 9], message: "the server sent 421 after 1 failed AUTH attempt; RFC 4954 asks for at least 3" },
      ],
    },
    {
      name: "the server closes after one failed AUTH (reply frame 8, FIN frame 9)",
      capture: () => failures(1),
      findings: [
        { severity: "warning", side: "server", frames: [8, 9], message: "the server closed the connection after 1 failed AUTH attempt; RFC 4954 asks for at least 3" },
      ],
    },
    {
      name: "the server closes after two failed AUTHs (replies 8 and 10, FIN 11)",
      capture: () => failures(2),
      findings: [
        { severity: "warning", side: "server", frames: [8, 10, 11], message: "the server closed the connection after 2 failed AUTH attempts; RFC 4954 asks for at least 3" },
      ],
    },
  ],
  valid: [
    { name: "near miss: the server closes after three failures", capture: () => failures(3) },
    {
      name: "near miss: one failure, then the client's QUIT, 221 and the server's FIN",
      capture: () => greeted().client("AUTH PLAIN AGFAYg==\r\n").server("535 5.7.8 authentication failed\r\n").client("QUIT\r\n").server("221 2.0.0 Bye\r\n").fin("server"),
    },
    {
      name: "near miss: one failure, then the client closes first",
      capture: () => greeted().client("AUTH PLAIN AGFAYg==\r\n").server("535 5.7.8 authentication failed\r\n").fin("client").fin("server"),
    },
  ],
});
