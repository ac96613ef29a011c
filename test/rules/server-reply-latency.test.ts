import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

/** A transaction whose end of data (frame 13) is answered (frame 14) `seconds` later. */
function slow(seconds: number) {
  const c = greeted();
  c.client("MAIL FROM:<a@b.test>\r\n").server("250 ok\r\n", { t: c.now + 2 });
  c.client("RCPT TO:<b@b.test>\r\n").server("250 ok\r\n");
  c.client("DATA\r\n").server("354 go\r\n");
  c.client("hi\r\n.\r\n");
  return c.server("250 queued\r\n", { t: c.now + seconds });
}

ruleTester("server-reply-latency", {
  invalid: [
    {
      name: "end of data answered after 11 minutes",
      capture: () => slow(660),
      findings: [
        { severity: "info", side: "server", frames: [13, 14], message: "the message content was answered after 660.0 s (longer than the 10-minute client timeout minimum for this phase)" },
      ],
    },
    {
      name: "end of data answered after 9 minutes: above --latency-ms (30 s), within the phase minimum",
      capture: () => slow(540),
      findings: [{ severity: "info", side: "server", frames: [13, 14], message: "the message content was answered after 540.0 s" }],
    },
  ],
  valid: [
    { name: "near miss: answered after 2 s", capture: () => slow(2) },
    { name: "near miss: answered after 20 s", capture: () => slow(20) },
    { name: "near miss: 9 minutes with --latency-ms 600000", capture: () => slow(540), options: { latencyMs: 600000 } },
  ],
});
