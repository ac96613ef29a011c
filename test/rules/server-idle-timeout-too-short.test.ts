import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

/** Greeting and EHLO (reply frame 6), then the server's FIN (frame 7) `seconds` later. */
function idle(seconds: number) {
  const c = greeted();
  c.fin("server", { t: c.now + seconds });
  return c;
}

ruleTester("server-idle-timeout-too-short", {
  invalid: [
    {
      name: "the server closes after 60 s of client silence",
      capture: () => idle(60),
      findings: [
        { severity: "warning", side: "server", frames: [7], message: "the server closed the connection after the client had been idle for 60.0 s, with nothing outstanding; RFC 5321 asks servers to wait at least 5 minutes" },
      ],
    },
  ],
  valid: [
    { name: "near miss: the server waits 6 minutes", capture: () => idle(360) },
    { name: "near miss: the server closes right after its reply", capture: () => idle(0) },
  ],
});
