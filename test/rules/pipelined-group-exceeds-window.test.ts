import { describe, expect, it } from "vitest";
import { conv } from "../support/fixtures.js";
import { clean, hits, report } from "../support/rules.js";
import { tcpOptions, type Conversation } from "../support/writer.js";
import { ruleTester } from "../support/rule-tester.js";

const RULE = "pipelined-group-exceeds-window";
const PIPE = ["250-mx.example.test", "250-PIPELINING", "250 8BITMIME"];
const GROUP = "MAIL FROM:<a@b.test>\r\nRCPT TO:<b@b.test>\r\nDATA\r\n"; // 48 octets

/** Handshake with window scaling (server shift 2); the server advertises `raw` × 4 bytes; the group in frame 7. */
function session(raw: number, c: Conversation = conv(), handshake = true): Conversation {
  c.window.server = raw;
  if (handshake) {
    c.handshake(undefined, { syn: { options: tcpOptions([{ mss: 1460 }, "nop", { ws: 7 }]) }, synAck: { options: tcpOptions([{ mss: 1460 }, "nop", { ws: 2 }]) } });
  }
  clean({ ehlo: PIPE, ehloOnly: true }, c); // 4 greeting, 5 EHLO, 6 EHLO reply
  c.client(GROUP); // 7
  c.server("250 ok\r\n250 ok\r\n354 go\r\n"); // 8
  c.client("Subject: x\r\n\r\nhi\r\n.\r\n");
  c.server("250 queued\r\n");
  return c;
}

describe(RULE, () => {
  it("trigger: the group ends 48 octets past the server's last ACK, beyond its 44-byte window (11 × 2^2)", async () => {
    expect(await hits(RULE, session(11))).toEqual([{
      severity: "info", side: "client", frames: [6, 7],
      message: "the pipelined group of 3 commands (`MAIL FROM:<a@b.test>` to `DATA`, 48 octets, frame 7) ended 48 octets past the server's last ACK before it (frame 6), beyond the 44-byte receive window the server advertised there",
    }]);
    const f = (await report(session(11))).findings.find((x) => x.rule === RULE)!;
    expect(f.evidence).toBe("server frame 6: ack 27, window field 11 × 2^2 = 44 bytes (window scale from the handshake, frame 2); the group's last octet ends at seq 75 (frame 7); a client that does not block on writes may do this");
    // info: it never decides the verdict
    expect((await report(session(11))).sessions[0].verdict.fault).not.toBe("client");
  });

  it("near miss: a group that exactly fits the window (12 × 2^2 = 48 bytes)", async () => {
    expect(await hits(RULE, session(12))).toEqual([]);
  });

  it("without the handshake the server's window scale is unknown: not evaluable, not clean", async () => {
    const c = conv().midstream();
    const rep = await report(session(11, c, false));
    expect(rep.findings.filter((f) => f.rule === RULE)).toEqual([]);
    const v = rep.sessions[0].verdict;
    expect(v.notEvaluableWhy![v.notEvaluable.indexOf(RULE)]).toBe("the server's window scale is unknown: the handshake was not captured");
  });

  it("without a pipelined group the rule has nothing to judge (evaluable, silent)", async () => {
    const v = (await report(clean())).sessions[0].verdict;
    expect(v.notEvaluable).not.toContain(RULE);
  });
});

ruleTester(RULE, {
  invalid: [
    {
      name: "the 48-octet group (7) exceeds the 44-byte window (11 × 2^2) of the server's last ACK (6)",
      capture: () => session(11),
      findings: [{
        severity: "info", side: "client", frames: [6, 7],
        message: "the pipelined group of 3 commands (`MAIL FROM:<a@b.test>` to `DATA`, 48 octets, frame 7) ended 48 octets past the server's last ACK before it (frame 6), beyond the 44-byte receive window the server advertised there",
      }],
    },
  ],
  valid: [
    { name: "near miss: the group exactly fits the window (12 × 2^2 = 48 bytes)", capture: () => session(12) },
    { name: "no handshake, window scale unknown: nothing claimed", capture: () => session(11, conv().midstream(), false) },
  ],
});
