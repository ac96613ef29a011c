import { describe, expect, it } from "vitest";
import { analyzeConv, conv, ehloReply } from "../support/fixtures.js";

// issue #20, the dissector's part of items 1, 5b, 5c and 5f: one crafted capture per pattern

describe("a capture that ends inside a multi-line reply (issue #20 item 1)", () => {
  it("the partial EHLO reply answers the outstanding EHLO, stays incomplete; STARTTLS stays unanswered", async () => {
    const c = conv().handshake();
    c.server("220 mx.example.test ESMTP\r\n"); // 4
    c.client("EHLO naive.example.test\r\n"); // 5
    const lines = ehloReply().split("\r\n");
    c.server(lines.slice(0, 3).join("\r\n") + "\r\n"); // 6: 250- lines only
    c.client("STARTTLS\r\n"); // 7, the capture ends here
    const [s] = (await analyzeConv(c)).sessions;
    expect(s.commands.map((x) => [x.verb, x.replies])).toEqual([["EHLO", [1]], ["STARTTLS", []]]);
    expect(s.replies.map((r) => [r.code, r.frames, r.complete, r.command, r.greeting])).toEqual([
      [220, [4], true, null, true],
      [250, [6], false, 0, false],
    ]);
    // what the rule needs: the client's ACK when it sent STARTTLS covered only the 250- lines
    expect(s.commands[1].segments[0].ack).toBe(s.replies[1].end + 1);
  });

  it("a partial reply that began before the client's command was sent is not its answer", async () => {
    const c = conv().handshake();
    c.server("220 mx.example.test ESMTP\r\n"); // 4
    c.client("NOOP\r\n"); // 5
    c.server("250 ok\r\n"); // 6
    c.server("250-unasked\r\n"); // 7: nothing outstanding
    c.client("QUIT\r\n"); // 8, the capture ends
    const [s] = (await analyzeConv(c)).sessions;
    expect(s.replies.map((r) => [r.code, r.complete, r.command])).toEqual([[220, true, null], [250, true, 0], [250, false, null]]);
    expect(s.commands[1].replies).toEqual([]);
  });
});

describe("bytes after a non-standard end of data in its segment (issue #20 item 5b)", () => {
  it("after the server accepted at `\\r\\n.\\n`, the `\\n` after it is a command, and the server's 500 answers it", async () => {
    const c = conv().handshake();
    c.server("220 mx.example.test ESMTP\r\n"); // 4
    c.client("MAIL FROM:<a@example.test>\r\n").server("250 ok\r\n"); // 5, 6
    c.client("RCPT TO:<b@example.test>\r\n").server("250 ok\r\n"); // 7, 8
    c.client("DATA\r\n").server("354 go ahead\r\n"); // 9, 10
    c.client("Subject: x\r\n\r\nbody\r\n.\n\n"); // 11: the message ends at the bare LF, then one more LF
    c.server("250 2.0.0 queued\r\n"); // 12
    c.server("500 5.5.2 Error: bad syntax \"\"\r\n"); // 13
    c.client("QUIT\r\n").server("221 bye\r\n"); // 14, 15
    c.fin("server").fin("client");
    const rep = await analyzeConv(c);
    const s = rep.sessions[0];
    expect(s.commands.map((x) => [x.kind, x.verb, x.line, x.frames, x.start, x.end, x.replies])).toEqual([
      ["command", "MAIL", "MAIL FROM:<a@example.test>", [5], 0, 28, [1]],
      ["command", "RCPT", "RCPT TO:<b@example.test>", [7], 28, 54, [2]],
      ["command", "DATA", "DATA", [9], 54, 60, [3]],
      ["message", "", "<message: 22 bytes, 3 lines>", [11], 60, 82, [4]],
      ["command", "", "", [11], 82, 83, [5]],
      ["command", "QUIT", "QUIT", [14], 83, 89, [6]],
    ]);
    const msg = s.commands[3].message!;
    expect(msg).toMatchObject({ bytes: 22, lines: 3, bareLf: 1, endOfData: "\\r\\n.\\n", endOffset: 82, endFrame: 11 });
    expect(s.commands[3].segments.map((g) => [g.frame, g.start, g.end, g.lines, g.midLine])).toEqual([[11, 60, 82, [0], false]]);
    expect(s.commands[4].lineInfo).toMatchObject({ terminator: "lf", start: 82, end: 83, frame: 11 });
    expect(s.replies.map((r) => [r.code, r.command])).toEqual([[220, null], [250, 0], [250, 1], [354, 2], [250, 3], [500, 4], [221, 5]]);
    expect(s.notes).toContain("the 1 octet after it in frame 11 is read as commands, as the server read them");
    expect(rep.sessions[0].replies.every((r) => r.command !== null || r.greeting)).toBe(true);
    const rules = rep.findings.map((f) => f.rule);
    expect(rules).not.toContain("unsolicited-reply");
    expect(rules).toContain("server-accepts-nonstandard-eod");
  });

  it("a message that goes on in a later segment after `\\r\\n.\\n` is not cut (only its own segment's tail is read again)", async () => {
    const c = conv().handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("DATA\r\n").server("354 go ahead\r\n");
    c.client("body\r\n.\n"); // 7
    c.client("more\r\n"); // 8
    c.server("250 2.0.0 queued\r\n"); // 9
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.commands.map((x) => [x.kind, x.frames, x.replies])).toEqual([["command", [5], [1]], ["message", [7, 8], [2]]]);
    expect(s.commands[1].message).toMatchObject({ endOfData: null });
  });
});

describe("a tunnel on a port followed as SMTP (issue #20 item 5f)", () => {
  const GREETING = "220 mx.example.test ESMTP\r\n";
  function socks5(port: string): ReturnType<typeof conv> {
    const c = conv({ server: `192.0.2.1:${port}` }).handshake();
    c.client(Buffer.from([5, 1, 0])); // 4: no authentication
    c.server(Buffer.from([5, 0])); // 5
    c.client(Buffer.from([5, 1, 0, 1, 203, 0, 113, 25, 0, 25])); // 6: CONNECT 203.0.113.25:25
    c.server(Buffer.from([5, 0, 0, 1, 203, 0, 113, 25, 0, 25])); // 7: granted
    c.server(GREETING); // 8
    c.client("EHLO client.example.test\r\n").server("250 mx.example.test\r\n").client("QUIT\r\n").server("221 bye\r\n"); // 9-12
    c.fin("server").fin("client");
    return c;
  }

  it("SOCKS5 on an explicit --port: the handshake is skipped, not parsed as SMTP", async () => {
    const rep = await analyzeConv(socks5("1080"), {}, { ports: [1080] });
    expect(rep.sessions).toHaveLength(1);
    const s = rep.sessions[0];
    expect(s.commands.map((x) => [x.verb, x.frames, x.start])).toEqual([["EHLO", [9], 13], ["QUIT", [11], 39]]);
    expect(s.replies.map((r) => [r.code, r.frames, r.command, r.greeting])).toEqual([[220, [8], null, true], [250, [10], 0, false], [221, [12], 1, false]]);
    expect(s.notes).toContain("SMTP carried inside a SOCKS5 tunnel to port 25: the SOCKS handshake is skipped");
    expect(s.bytes).toEqual({ client: 13 + 32, server: 12 + GREETING.length + 21 + 9 });
    expect(rep.findings.map((f) => f.rule)).toEqual([]);
    // issue #20 item 5c: the greeting's delay counts from the proxy's reply (frame 7)
    expect(s.tunnel).toEqual({ kind: "socks5", port: 25, replyFrame: 7, replyTime: rep.sessions[0].replies[0].firstTime - 0.001 });
  });

  it("SOCKS5 on port 25 itself is recognised as well", async () => {
    const s = (await analyzeConv(socks5("25"))).sessions[0];
    expect(s.commands.map((x) => x.verb)).toEqual(["EHLO", "QUIT"]);
    expect(s.notes).toContain("SMTP carried inside a SOCKS5 tunnel to port 25: the SOCKS handshake is skipped");
  });

  it("HTTP CONNECT on an explicit --port to port 587", async () => {
    const c = conv({ server: "192.0.2.1:3128" }).handshake();
    c.client("CONNECT mx.example.test:587 HTTP/1.1\r\nHost: mx.example.test:587\r\n\r\n"); // 4
    c.server("HTTP/1.1 200 Connection established\r\n\r\n"); // 5
    c.server(GREETING).client("EHLO client.example.test\r\n").server("250 mx.example.test\r\n"); // 6-8
    c.fin("server").fin("client");
    const s = (await analyzeConv(c, {}, { ports: [3128] })).sessions[0];
    expect(s.commands.map((x) => [x.verb, x.frames])).toEqual([["EHLO", [7]]]);
    expect(s.replies.map((r) => [r.code, r.frames])).toEqual([[220, [6]], [250, [8]]]);
    expect(s.notes).toContain("SMTP carried inside an HTTP CONNECT tunnel: the HTTP request and response are skipped");
    expect(s.tunnel).toMatchObject({ kind: "http-connect", port: 587, replyFrame: 5 });
  });

  it("a SOCKS5 tunnel on --port to a non-SMTP port that carries no SMTP is no session", async () => {
    const c = conv({ server: "192.0.2.1:1080" }).handshake();
    c.client(Buffer.from([5, 1, 0]));
    c.server(Buffer.from([5, 0]));
    c.client(Buffer.from([5, 1, 0, 1, 203, 0, 113, 80, 1, 187])); // CONNECT …:443
    c.server(Buffer.from([5, 0, 0, 1, 203, 0, 113, 80, 1, 187]));
    c.client(Buffer.from([0x16, 3, 1, 0, 5, 1, 0, 0, 1, 0])); // a ClientHello's start
    c.server(Buffer.from([0x16, 3, 3, 0, 5, 2, 0, 0, 1, 0]));
    c.fin("server").fin("client");
    const rep = await analyzeConv(c, {}, { ports: [1080] });
    expect(rep.sessions).toEqual([]);
    expect(rep.stats.notSmtp).toBe(1);
  });

  it("an SMTP client on --port is not taken for a tunnel", async () => {
    const c = conv({ server: "192.0.2.25:1080" }).handshake();
    c.server(GREETING).client("EHLO client.example.test\r\n").server("250 mx.example.test\r\n");
    c.fin("server").fin("client");
    const s = (await analyzeConv(c, {}, { ports: [1080] })).sessions[0];
    expect(s.commands.map((x) => x.verb)).toEqual(["EHLO"]);
    expect(s.notes).toEqual([]);
  });
});

describe("what greeting-delay counts from (issue #20 item 5c, model part)", () => {
  it("a retransmitted SYN: the SYN/ACK's frame and time are in the model (session.tcp.server.handshake)", async () => {
    const c = conv();
    c.client(Buffer.alloc(0), { flags: 2, noAck: true, noAdvance: true }); // 1: a SYN left unanswered
    c.handshake(c.now + 3); // 2-4: the SYN again 3 s later, the SYN/ACK, the ACK
    c.server("220 mx.example.test ESMTP\r\n"); // 5
    c.fin("server").fin("client");
    const rep = await analyzeConv(c);
    const s = rep.sessions[0];
    expect(s.firstFrame).toBe(1);
    expect(s.tcp?.server.handshake).toMatchObject({ frame: 3 });
    expect(s.tcp!.server.handshake!.time - s.startTime).toBeCloseTo(3, 2);
  });

  it("SOCKS4 tagged by its request: the tunnel's reply frame", async () => {
    const c = conv({ server: "192.0.2.1:1080" }).handshake();
    c.client(Buffer.concat([Buffer.from([4, 1, 0, 25, 203, 0, 113, 25]), Buffer.from("bob\0")])); // 4
    c.server(Buffer.from([0, 0x5a, 0, 25, 203, 0, 113, 25])); // 5
    c.server("220 mx.example.test ESMTP\r\n").client("EHLO client.example.test\r\n"); // 6, 7
    c.fin("server").fin("client");
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.tunnel).toMatchObject({ kind: "socks4", port: 25, replyFrame: 5 });
  });
});
