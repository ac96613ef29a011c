import { describe, expect, it } from "vitest";
import { conv, supportCase } from "../support/fixtures.js";
import { clean, greeted, hits } from "../support/rules.js";

const PIPE = ["250-mx.example.test", "250-PIPELINING", "250-SIZE 1000000", "250 8BITMIME"];
const NOPIPE = ["250-mx.example.test", "250-SIZE 1000000", "250 8BITMIME"];

/** The support case with the client waiting for the final line: frames as in supportCase(), STARTTLS after frame 9. */
function waiting() {
  const c = conv({ server: "192.0.2.25:2525" }).handshake();
  c.server("220 mx.example.test ESMTP\r\n"); // 4
  c.client("EHLO good.example.test\r\n"); // 5
  c.server("250-mx.example.test\r\n250-PIPELINING\r\n"); // 6
  c.ack("client"); // 7
  c.server("250-STARTTLS\r\n250 CHUNKING\r\n", { t: c.now + 0.6 }); // 8
  c.client("STARTTLS\r\n"); // 9
  c.server("220 2.0.0 Ready\r\n"); // 10
  return c;
}

describe("segmentation and timing", () => {
  it("client-acted-on-partial-multiline-reply: the support case, proven by the ACK of frame 7", async () => {
    const h = await hits("client-acted-on-partial-multiline-reply", supportCase());
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ severity: "error", side: "client", frames: [6, 7, 9] });
    expect(h[0].message).toBe("`STARTTLS` was sent after 3 of the 7 lines of the 250 reply to `EHLO naive.example.test`, before its final line `250 CHUNKING`. It relied on a capability list it had not finished reading. The next bytes it received, starting `250-STARTTLS` in frame 9, are what a client that treats each read as one reply takes as the answer to `STARTTLS`.");
  });

  it("client-acted-on-partial-multiline-reply near miss: the client waited for the final line", async () => {
    expect(await hits("client-acted-on-partial-multiline-reply", waiting())).toEqual([]);
    expect(await hits("client-command-before-reply-complete", waiting())).toEqual([]);
  });

  it("capture-point skew: timestamps say the command came first, the ACK proves the client had the reply", async () => {
    const c = waiting();
    // move STARTTLS (frame 9) before the tail (frame 8) in time, keeping its ACK
    const [tail, starttls] = [c.packets[7], c.packets[8]];
    starttls.time = tail.time - 0.3;
    expect(await hits("client-acted-on-partial-multiline-reply", c)).toEqual([]);
    expect(await hits("client-command-before-reply-complete", c)).toEqual([]);
  });

  it("without any ACK the timestamps decide, and the evidence says so", async () => {
    const c = greeted(NOPIPE);
    c.client("NOOP\r\n");
    c.client("NOOP\r\n", { noAck: true }); // 8, before the reply to 7
    c.server("250 ok\r\n250 ok\r\n");
    const h = await hits("client-command-before-reply-complete", c);
    expect(h.map((x) => x.frames)).toEqual([[8, 9]]);
  });

  it("client-command-before-reply-complete: QUIT before the reply to NOOP", async () => {
    const c = greeted(NOPIPE);
    c.client("NOOP\r\n"); // 7
    c.client("QUIT\r\n"); // 8
    c.server("250 ok\r\n"); // 9
    c.server("221 bye\r\n");
    expect(await hits("client-command-before-reply-complete", c)).toEqual([
      { severity: "error", side: "client", frames: [8, 9], message: "`QUIT` was sent before the reply `250 ok` to `NOOP` had arrived" },
    ]);
  });

  it("reply-split-across-segments: frames, bytes and lines per segment; near miss: one segment", async () => {
    expect(await hits("reply-split-across-segments", supportCase())).toEqual([
      { severity: "info", side: "server", frames: [6, 9], message: "the 250 reply (7 lines) was carried in 2 segments: frame 6: 56 bytes, lines 1–3; frame 9: 64 bytes, lines 4–7" },
    ]);
    expect(await hits("reply-split-across-segments", clean())).toEqual([]);
  });

  it("reply-split-across-segments: a boundary inside the `250-` prefix is mid-line", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a.test\r\n");
    c.server("250-mx\r\n25"); // 6
    c.server("0 SIZE\r\n"); // 7
    const h = await hits("reply-split-across-segments", c);
    expect(h[0].message).toBe("the 250 reply (2 lines) was carried in 2 segments, with a boundary inside a line: frame 6: 10 bytes, line 1 (ends mid-line); frame 7: 8 bytes, line 2");
  });

  // reply-split-delay: test/rules/reply-split-delay.test.ts

  it("pregreet-early-talker: EHLO after a 220- teaser line, before the rest of the greeting", async () => {
    const c = conv().handshake();
    c.server("220-mx.example.test ESMTP\r\n"); // 4
    c.client("EHLO a.test\r\n"); // 5
    c.server("220 ready\r\n", { t: c.now + 6 }); // 6
    expect(await hits("pregreet-early-talker", c)).toEqual([
      { severity: "warning", side: "client", frames: [4, 5, 6], message: "`EHLO a.test` was sent before the greeting's final line had arrived" },
    ]);
    expect(await hits("pregreet-early-talker", clean())).toEqual([]);
  });

  it("pregreet-early-talker variant: a TLS ClientHello on port 25", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x10, 1, 0, 0, 12])); // 5
    const h = await hits("pregreet-early-talker", c);
    expect(h).toEqual([{ severity: "warning", side: "client", frames: [5], message: "the client sent a TLS ClientHello on port 25, where the server speaks plain SMTP first" }]);
  });

  it("command-split-across-segments: one octet per segment (telnet); near miss: whole lines", async () => {
    const c = greeted();
    for (const ch of "NOOP\r\n") c.client(ch); // frames 7..12
    c.server("250 ok\r\n");
    expect(await hits("command-split-across-segments", c)).toEqual([
      { severity: "info", side: "client", frames: [7, 8, 9, 10, 11, 12], message: "`NOOP` was carried in 6 segments (frames 7, 8, 9, 10, 11, 12)" },
    ]);
    expect(await hits("command-split-across-segments", clean())).toEqual([]);
  });

  it("server-reply-latency: end-of-data answered after 11 minutes; near miss: 2 s", async () => {
    const c = greeted();
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("250 ok\r\n", { t: c.now + 2 });
    c.client("RCPT TO:<b@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("DATA\r\n");
    c.server("354 go\r\n");
    c.client("hi\r\n.\r\n"); // 13
    c.server("250 queued\r\n", { t: c.now + 660 }); // 14
    const h = await hits("server-reply-latency", c);
    expect(h.map((x) => [x.frames, x.message])).toEqual([[[13, 14], "the message content was answered after 660.0 s (longer than the 10-minute client timeout minimum for this phase)"]]);
  });
});

describe("pipelining (RFC 2920)", () => {
  function pipelined(ehlo: string[]) {
    const c = greeted(ehlo);
    c.client("MAIL FROM:<a@b.test>\r\nRCPT TO:<b@b.test>\r\nDATA\r\n"); // 7
    c.server("250 ok\r\n250 ok\r\n354 go\r\n"); // 8
    c.client("hi\r\n.\r\n"); // 9
    c.server("250 queued\r\n"); // 10
    return c;
  }

  it("pipelining-not-negotiated: MAIL/RCPT/DATA in one segment without PIPELINING", async () => {
    const h = await hits("pipelining-not-negotiated", pipelined(NOPIPE));
    expect(h.map((x) => [x.frames, x.message])).toEqual([
      [[7, 8], "`RCPT TO:<b@b.test>` was sent before the reply `250 ok` to `MAIL FROM:<a@b.test>`, and the server had not advertised PIPELINING"],
      [[7, 8], "`DATA` was sent before the reply `250 ok` to `RCPT TO:<b@b.test>`, and the server had not advertised PIPELINING"],
    ]);
  });

  it("near miss: the same group after PIPELINING was advertised is legal", async () => {
    const c = pipelined(PIPE);
    expect(await hits("pipelining-not-negotiated", c)).toEqual([]);
    expect(await hits("pipelining-command-not-last", c)).toEqual([]);
    expect(await hits("client-command-before-reply-complete", c)).toEqual([]);
  });

  it("pipelining-command-not-last: NOOP followed by MAIL in one group", async () => {
    const c = greeted(PIPE);
    c.client("NOOP\r\nMAIL FROM:<a@b.test>\r\n"); // 7
    c.server("250 ok\r\n250 ok\r\n"); // 8
    expect(await hits("pipelining-command-not-last", c)).toEqual([
      { severity: "error", side: "client", frames: [7, 8], message: "`MAIL FROM:<a@b.test>` followed `NOOP` before the reply `250 ok` had arrived; `NOOP` must be the last command of a pipelined group" },
    ]);
  });
});

describe("a multi-line reply that never ends", () => {
  it("the next reply (another code, new segment) takes over; the client that went on acted on a partial reply", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a.test\r\n"); // 5
    c.server("250-mx.example.test\r\n"); // 6: the only line of the EHLO reply
    c.client("AUTH LOGIN\r\n"); // 7
    c.server("334 VXNlcm5hbWU6\r\n"); // 8
    const { report } = await import("../support/rules.js");
    const rep = await report(c);
    const s = rep.sessions[0];
    expect(s.replies.map((r) => [r.code, r.command, r.complete, r.abandoned ?? false])).toEqual([[220, null, true, false], [250, 0, false, true], [334, 1, true, false]]);
    expect(rep.findings.filter((f) => f.rule !== "auth-cleartext-credentials").map((f) => [f.rule, f.frames, f.message])).toEqual([
      ["client-acted-on-partial-multiline-reply", [6, 7], "`AUTH LOGIN` was sent after 1 `250-` line of the reply to `EHLO a.test`, which never got its final line. It relied on a capability list it had not finished reading."],
      ["reply-incomplete-at-close", [6], "the 250 reply ends with `250-mx.example.test`, which announces more lines, but the next reply (another code) followed instead of its final line"],
    ]);
  });
});
