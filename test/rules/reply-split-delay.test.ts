import { expect } from "vitest";
import { conv, supportCase } from "../support/fixtures.js";
import { ruleTester } from "../support/rule-tester.js";

/** A two-line EHLO reply whose tail comes `pause` s after its head (frames 6 and 7). */
function paused(pause: number) {
  const c = conv().handshake();
  c.server("220 mx ESMTP\r\n");
  c.client("EHLO a.test\r\n");
  c.server("250-mx\r\n"); // 6
  c.server("250 SIZE\r\n", { t: c.now + pause }); // 7
  return c;
}

ruleTester("reply-split-delay", {
  invalid: [
    {
      name: "the support case: a warning (the client spoke during the pause), an application stall",
      capture: supportCase,
      findings: [{ severity: "warning", side: "server", frames: [6, 7, 9], message: "the 250 reply (7 lines) paused 602 ms between frame 6 and frame 9; the client sent `STARTTLS` during the pause" }],
      // no RFC forbids the pause: the finding cites what applies, not RFC 1122's delayed-ACK MUST
      also: (f) => expect(f[0].reference).toBe("RFC 5321 §4.2.1; RFC 793 §2.8"),
    },
    {
      name: "Nagle/delayed-ACK signature: the tail follows the client's pure ACK within ms",
      capture: () => {
        const c = conv().handshake();
        c.server("220 mx ESMTP\r\n");
        c.client("EHLO a.test\r\n");
        c.server("250-mx\r\n"); // 6
        c.ack("client", { t: c.now + 0.3 }); // 7 delayed ACK
        c.server("250 SIZE\r\n", { t: c.now + 0.0005 }); // 8
        return c;
      },
      findings: [{ severity: "info", side: "server", frames: [6, 7, 8], message: "the 250 reply (2 lines) paused 300 ms between frame 6 and frame 8" }],
      also: (f) => expect(f[0].evidence).toBe("TCP stack artefact (Nagle/delayed ACK): the tail left 0.5 ms after the client's ACK in frame 7; the server writes one line per send()"),
    },
    {
      name: "a pause of 150 ms with --split-delay-ms 100",
      capture: () => paused(0.15),
      options: { splitDelayMs: 100 },
      findings: [{ severity: "info", side: "server", frames: [6, 7], message: "the 250 reply (2 lines) paused 150 ms between frame 6 and frame 7" }],
    },
  ],
  valid: [
    { name: "a pause of 150 ms, below the default --split-delay-ms 200", capture: () => paused(0.15) },
    { name: "a reply in one segment", capture: () => {
      const c = conv().handshake();
      c.server("220 mx ESMTP\r\n");
      c.client("EHLO a.test\r\n");
      c.server("250-mx\r\n250 SIZE\r\n");
      return c;
    } },
  ],
});
