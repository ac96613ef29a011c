import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

/** MAIL (frame 7), then the client's FIN (frame 8) `seconds` later with no reply. */
function wait(seconds: number) {
  const c = greeted();
  c.client("MAIL FROM:<a@b.test>\r\n");
  c.fin("client", { t: c.now + seconds });
  return c;
}

ruleTester("client-timeout-too-short", {
  invalid: [
    {
      name: "the client gives up 30 s into waiting for the reply to MAIL",
      capture: () => wait(30),
      findings: [
        { severity: "warning", side: "client", frames: [7, 8], message: "the client closed the connection after waiting 30.0 s for the reply to `MAIL FROM:<a@b.test>`; RFC 5321 asks clients to wait at least 5 minutes in this phase" },
      ],
    },
  ],
  valid: [
    { name: "near miss: the client waits 6 minutes", capture: () => wait(360) },
    { name: "near miss: the reply came, then the client closed", capture: () => greeted().client("MAIL FROM:<a@b.test>\r\n").server("250 ok\r\n").fin("client") },
  ],
});
