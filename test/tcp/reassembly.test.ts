import { describe, expect, it } from "vitest";
import { Conversation } from "../support/writer.js";
import { analyzeConv, conv } from "../support/fixtures.js";

function dialogue(c: Conversation): Conversation {
  c.server("220 mx ESMTP\r\n");
  c.client("EHLO a.test\r\n");
  c.server("250 mx\r\n");
  c.client("QUIT\r\n");
  c.server("221 bye\r\n");
  return c;
}

const summary = (rep: Awaited<ReturnType<typeof analyzeConv>>) =>
  rep.sessions.map((s) => ({
    stream: s.tcpStream,
    commands: s.commands.map((c) => c.line),
    replies: s.replies.map((r) => r.lines.join("|")),
    bytes: s.bytes,
    gaps: s.gaps.map((g) => [g.side, g.offset, g.bytes]),
  }));

describe("TCP reassembly", () => {
  it("a clean dialogue", async () => {
    const rep = await analyzeConv(dialogue(conv().handshake()));
    expect(summary(rep)).toEqual([{ stream: 0, commands: ["EHLO a.test", "QUIT"], replies: ["220 mx ESMTP", "250 mx", "221 bye"], bytes: { client: 19, server: 31 }, gaps: [] }]);
  });

  it("whole retransmissions are counted once", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    const seq = c.nxt.server - 14;
    c.server("220 mx ESMTP\r\n", { seq, noAdvance: true });
    c.client("EHLO a.test\r\n");
    c.client("EHLO a.test\r\n", { seq: c.nxt.client - 13, noAdvance: true });
    c.server("250 mx\r\n");
    const rep = await analyzeConv(c);
    const s = rep.sessions[0];
    expect(s.bytes).toEqual({ client: 13, server: 22 });
    expect(s.retransmitted).toEqual({ client: 13, server: 14 });
    expect(s.replies.map((r) => r.lines[0])).toEqual(["220 mx ESMTP", "250 mx"]);
    expect(s.replies[0].frames).toEqual([4]);
  });

  it("a partial overlap delivers only the new bytes", async () => {
    const c = conv().handshake();
    const start = c.nxt.server;
    c.server("220 mx", { seq: start, noAdvance: true });
    c.server("mx ESMTP\r\n", { seq: start + 4, noAdvance: true }); // overlaps "mx"
    c.nxt.server = start + 14;
    const rep = await analyzeConv(c);
    const s = rep.sessions[0];
    expect(s.bytes.server).toBe(14);
    expect(s.replies[0].lines).toEqual(["220 mx ESMTP"]);
    expect(s.replies[0].segments.map((g) => [g.frame, g.bytes])).toEqual([[4, 6], [5, 8]]);
  });

  it("out-of-order segments are put in order", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a.test\r\n");
    const start = c.nxt.server;
    c.server("250-mx\r\n", { seq: start, noAdvance: true, t: c.now + 0.002 });
    c.server("250 SIZE\r\n", { seq: start + 8, noAdvance: true, t: c.now - 0.001 });
    c.packets.sort((a, b) => a.time - b.time); // the second half arrives first
    c.nxt.server = start + 18;
    const rep = await analyzeConv(c);
    const r = rep.sessions[0].replies[1];
    expect(r.lines).toEqual(["250-mx", "250 SIZE"]);
    expect(r.frames).toEqual([7, 6]);
    expect(r.complete).toBe(true);
  });

  it("sequence numbers that wrap past 2^32", async () => {
    const c = new Conversation("192.0.2.10:40000", "192.0.2.25:25", { isn: { client: 4294967290, server: 4294967280 } });
    const rep = await analyzeConv(dialogue(c.handshake()));
    expect(summary(rep)[0].replies).toEqual(["220 mx ESMTP", "250 mx", "221 bye"]);
    expect(summary(rep)[0].bytes).toEqual({ client: 19, server: 31 });
  });

  it("lost bytes are an explicit gap and the dissector resynchronises at the next line", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a.test\r\n");
    c.server("250-mx\r\n250-PIPE", { lose: true });
    c.server("LINING\r\n250-SIZE\r\n250 OK\r\n");
    c.client("QUIT\r\n");
    const rep = await analyzeConv(c);
    const s = rep.sessions[0];
    expect(s.gaps).toEqual([{ side: "server", offset: 14, bytes: 16, frame: 6, reason: "peer acknowledged bytes never seen in the capture" }]);
    expect(s.replies.map((r) => [r.lines, r.complete])).toEqual([[["220 mx ESMTP"], true], [["250-SIZE", "250 OK"], true]]);
    expect(s.notes.join()).toMatch(/server bytes 14\.\.30 missing \(frame 6\)/);
  });

  it("a capture that starts mid-connection", async () => {
    const c = conv().midstream();
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("250 2.1.0 Ok\r\n");
    c.client("QUIT\r\n");
    c.server("221 bye\r\n");
    const rep = await analyzeConv(c);
    const s = rep.sessions[0];
    expect(s.sawSyn).toBe(false);
    expect(s.client).toBe("192.0.2.10:40000");
    expect(s.commands.map((x) => [x.verb, x.replies])).toEqual([["MAIL", [0]], ["QUIT", [1]]]);
    expect(s.replies[0].greeting).toBe(false);
  });

  it("a mid-connection capture whose first packet comes from the server", async () => {
    const c = conv().midstream();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a.test\r\n");
    c.server("250 mx\r\n");
    const rep = await analyzeConv(c);
    expect(rep.sessions[0].client).toBe("192.0.2.10:40000");
    expect(rep.sessions[0].replies[0].greeting).toBe(true);
  });

  it("a one-sided capture (client direction only) is analysed as far as it goes", async () => {
    const c = dialogue(conv().handshake());
    c.packets.splice(0, c.packets.length, ...c.packets.filter((p) => p.ip.readUInt16BE(20) === 40000 || p.ip.readUInt16BE(22) !== 40000));
    const rep = await analyzeConv(c);
    const s = rep.sessions[0];
    expect(s.bytes.server).toBe(0);
    expect(s.commands.map((x) => x.verb)).toEqual(["EHLO", "QUIT"]);
  });

  it("a new SYN on the same 4-tuple after close is a new connection (tcp.stream)", async () => {
    const a = dialogue(conv().handshake());
    a.fin("client").fin("server").ack("client");
    const b = new Conversation("192.0.2.10:40000", "192.0.2.25:25", { isn: { client: 9000, server: 70000 }, t0: a.now + 1 });
    dialogue(b.handshake());
    const rep = await analyzeConv([a, b]);
    expect(rep.sessions.map((s) => [s.tcpStream, s.commands.length])).toEqual([[0, 2], [1, 2]]);
  });

  it("IPv6 with an extension header, IPv4 with options", async () => {
    const six = new Conversation("[2001:db8::10]:40000", "[2001:db8::25]:25");
    six.v6ExtHeaders = true;
    const four = conv({ client: "192.0.2.11:40001" });
    four.ipOptions = true;
    const rep = await analyzeConv([dialogue(six.handshake()), dialogue(four.handshake())]);
    expect(rep.sessions.map((s) => [s.client, s.server, s.commands.length])).toEqual([
      ["[2001:db8::10]:40000", "[2001:db8::25]:25", 2],
      ["192.0.2.11:40001", "192.0.2.25:25", 2],
    ]);
  });

  it("SMTP on a non-standard port is found by its 220 greeting; --port adds a port", async () => {
    const c = dialogue(conv({ server: "192.0.2.25:10025" }).handshake());
    expect((await analyzeConv(c)).sessions).toHaveLength(1);
    const silent = conv({ server: "192.0.2.25:10026" }).handshake();
    silent.client("EHLO a.test\r\n");
    expect((await analyzeConv(silent)).sessions).toHaveLength(0);
    expect((await analyzeConv(silent, {}, { ports: [10026] })).sessions).toHaveLength(1);
  });

  it("a client whose ephemeral port is 2525, talking to port 80 after a SYN, is not SMTP; without a SYN either port counts", async () => {
    const web = conv({ client: "192.0.2.10:2525", server: "192.0.2.80:80" }).handshake();
    web.client("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n").server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    expect((await analyzeConv(web)).sessions).toHaveLength(0);
    const mid = dialogue(conv({ client: "192.0.2.10:40000", server: "192.0.2.25:2525" }).midstream());
    expect((await analyzeConv(mid)).sessions.map((x) => [x.server, x.roles])).toEqual([["192.0.2.25:2525", "port"]]);
  });

  it("connections that ended or are not SMTP keep their tcp.stream: a late packet is no new stream, a SYN on the same ports is", async () => {
    const web = conv({ client: "192.0.2.10:40000", server: "192.0.2.80:80" }).handshake();
    web.client("GET / HTTP/1.1\r\n\r\n").rst("server"); // stream 0, not SMTP, reset
    const s1 = dialogue(conv({ client: "192.0.2.11:40001", t0: web.now + 0.1 }).handshake()); // stream 1
    const late = new Conversation("192.0.2.10:40000", "192.0.2.80:80", { t0: s1.now + 0.1 });
    late.midstream().ack("client"); // a straggler of stream 0
    const again = new Conversation("192.0.2.10:40000", "192.0.2.80:80", { isn: { client: 5555, server: 6666 }, t0: late.now + 0.1 });
    again.handshake().client("GET /again HTTP/1.1\r\n\r\n"); // stream 2: a SYN after the reset
    const s2 = dialogue(conv({ client: "192.0.2.12:40002", t0: again.now + 0.1 }).handshake()); // stream 3
    const rep = await analyzeConv([web, s1, late, again, s2]);
    expect(rep.sessions.map((x) => [x.tcpStream, x.client])).toEqual([[1, "192.0.2.11:40001"], [3, "192.0.2.12:40002"]]);
    expect(rep.stats.tcpConnections).toBe(4);
  });

  it("SMTP found by its greeting keeps the handshake that came before the decision", async () => {
    const c = dialogue(conv({ server: "192.0.2.25:10025" }).handshake());
    const s = (await analyzeConv(c)).sessions[0];
    expect([s.roles, s.sawSyn, s.firstFrame]).toEqual(["syn", true, 1]);
    expect(s.replies[0].segments.map((g) => [g.frame, g.seq, g.ack])).toEqual([[4, 1, 1]]);
    expect(s.commands[0].segments.map((g) => [g.frame, g.seq, g.ack])).toEqual([[5, 1, 15]]);
  });

  it("implicit TLS on port 465 is reported, not parsed", async () => {
    const c = conv({ server: "192.0.2.25:465" }).handshake();
    c.client(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]));
    c.server(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x02, 2, 0]));
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.tls).toMatchObject({ mode: "implicit", clientHelloFrame: 4, serverHelloFrame: 5 });
    expect(s.commands).toEqual([]);
  });
});

describe("streaming order", () => {
  it("sessions come out in tcp.stream order even when a later connection closes first", async () => {
    const { analyzeStream } = await import("../../src/analyze.js");
    const { writeCapture } = await import("../support/writer.js");
    const { tmpFile } = await import("../support/fixtures.js");
    const long = conv({ client: "192.0.2.10:40000" }).handshake();
    long.server("220 a ESMTP\r\n");
    const short = new Conversation("192.0.2.11:40001", "192.0.2.25:25", { t0: long.now + 0.0001 });
    dialogue(short.handshake());
    short.fin("client").fin("server");
    long.client("QUIT\r\n", { t: short.now + 1 });
    long.server("221 bye\r\n");
    long.fin("client").fin("server");
    const order: number[] = [];
    const path = tmpFile(writeCapture([...long.packets, ...short.packets].sort((a, b) => a.time - b.time)));
    await analyzeStream(path, {}, (s) => order.push(s.tcpStream));
    expect(order).toEqual([0, 1]);
  });
});
