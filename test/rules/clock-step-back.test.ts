import { describe, expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { conv, tmpFile } from "../support/fixtures.js";
import { writeCapture, type Conversation } from "../support/writer.js";

// One frame's timestamp earlier than its predecessor's (a capture clock that stepped back, or
// frames merged from two interfaces): timing and ordering rules must not accuse on its strength.
const T0 = 1700000000;
/** the findings, the frames written in the order sent (analyzeConv would sort them by time) */
const findings = async (c: Conversation) => (await analyzeFile(tmpFile(writeCapture(c.packets)), { collapse: false })).findings;
const accusations = async (c: Conversation) =>
  (await findings(c)).filter((f) => f.severity !== "info").map((f) => `${f.rule} ${f.severity} ${f.side} ${f.frames.join(",")}: ${f.message}`);

describe("a frame whose timestamp went back", () => {
  it("reply-count-mismatch: a QUIT sent after the server's FIN, stamped before it, is no unanswered command", async () => {
    // frame 4 the server's FIN; frame 5 the client's QUIT, its timestamp 0.5 s before frame 4's; frame 6 RST
    const c = conv({ t0: T0 }).handshake().fin("server", { t: T0 + 1 }).client("QUIT\r\n", { t: T0 + 0.5 }).rst("server", { t: T0 + 1.1 });
    // before, also: "reply-count-mismatch error server 4,5: `QUIT` got no reply, and the server closed the connection (frame 4)"
    expect(await accusations(c)).toEqual(["connection-close-violation warning server 4: the server closed the connection (FIN, frame 4) without a 221 or 421"]);
  });

  it("reply-split-delay: a command captured before the reply's head is not sent during the pause", async () => {
    // frame 5 EHLO at +1.0 s; frame 6 the reply's head stamped +0.5 s (before frame 5); frame 7 its tail at +1.002 s
    const c = conv({ t0: T0 }).handshake()
      .server("220 mx.example.test ESMTP\r\n", { t: T0 + 0.9 })
      .client("EHLO client.example.test\r\n", { t: T0 + 1 })
      .server("250-mx.example.test\r\n", { t: T0 + 0.5 })
      .server("250 HELP\r\n", { t: T0 + 1.002 })
      .client("QUIT\r\n").server("221 bye\r\n").fin("server").fin("client");
    // before: "reply-split-delay warning server 5,6,7: the 250 reply (2 lines) paused 502 ms between frame 6 and frame 7; the client sent `EHLO client.example.test` during the pause"
    expect(await accusations(c)).toEqual([]);
    const split = (await findings(c)).filter((f) => f.rule === "reply-split-delay").map((f) => `${f.severity} ${f.frames.join(",")}: ${f.message}`);
    expect(split).toEqual(["info 6,7: the 250 reply (2 lines) paused 502 ms between frame 6 and frame 7"]);
  });
});

describe("a server reply whose timestamp went back, then the server's close", () => {
  it("server-idle-timeout-too-short: the pause is not measured across it", async () => {
    // zeek smtp-multi-addr.pcap, frame 18 (`451 4.7.0 Timeout waiting for client input`, sent 60.5 s
    // after the 250) stamped 0.5 s before frame 17: the close then seemed to follow 60 s of silence
    const c = conv({ t0: T0 }).handshake()
      .server("220 mx.example.test ESMTP\r\n", { t: T0 + 0.1 })
      .client("HELO client.example.test\r\n", { t: T0 + 0.2 })
      .server("250 mx.example.test\r\n", { t: T0 + 0.3 })
      .ack("client", { t: T0 + 0.4 })
      .server("451 4.7.0 Timeout waiting for client input\r\n", { t: T0 - 0.1 })
      .fin("server", { t: T0 + 61 }).ack("client", { t: T0 + 61.1 });
    // before: "server-idle-timeout-too-short warning server 9: the server closed the connection after the client had been idle for 60.7 s, with nothing outstanding; …"
    expect((await findings(c)).filter((f) => f.rule === "server-idle-timeout-too-short").map((f) => f.message)).toEqual([]);
  });
});
