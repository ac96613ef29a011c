import { describe, expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { analyzeConv, conv, tmpFile } from "../support/fixtures.js";
import { writeCapture, type Conversation, type Packet } from "../support/writer.js";

const GREETING = "220 mx.example.test ESMTP\r\n"; // 27 octets
const EHLO = "EHLO client.example.test\r\n"; // 26
const CAPS = "250-mx.example.test\r\n250 PIPELINING\r\n"; // 37
const QUIT = "QUIT\r\n"; // 6
const BYE = "221 bye\r\n"; // 9

/** A complete session: frames 1-3 handshake, 4 greeting, 5 EHLO, 6 capabilities, 7 QUIT, 8 221, 9-10 FINs, 11 last ACK. */
function session(c: Conversation = conv().handshake()): Conversation {
  c.server(GREETING).client(EHLO).server(CAPS).client(QUIT).server(BYE);
  c.fin("server").fin("client").ack("server");
  return c;
}

/** The packets sent from one address (the other direction removed, as a one-sided copy). */
function from(c: Conversation, addr: string): Packet[] {
  const a = Buffer.from(addr.split(".").map(Number));
  return c.packets.filter((p) => p.ip.subarray(12, 16).equals(a));
}

const one = async (packets: Packet[]) => (await analyzeFile(tmpFile(writeCapture(packets)))).sessions;

describe("what the capture lacks: Session.limits", () => {
  it("a complete session has no limit", async () => {
    expect((await analyzeConv(session())).sessions[0].limits).toEqual([]);
  });

  it("client side only: no server bytes, and the server bytes the client acknowledged are a gap", async () => {
    const s = (await one(from(session(), "192.0.2.10")))[0];
    // the client's frames: 1 SYN, 2 ACK, 3 EHLO, 4 QUIT, 5 FIN (ack covers 221 and the server's FIN), 6 ACK
    const server = GREETING.length + CAPS.length + BYE.length;
    expect(s.bytes).toEqual({ client: EHLO.length + QUIT.length, server: 0 });
    expect(s.gaps).toEqual([{ side: "server", offset: 0, bytes: server, frame: 5, reason: `by the end of the capture the client had acknowledged ${server} server bytes and the server's FIN that the capture does not hold (ACK in frame 5)` }]);
    expect(s.limits).toEqual([
      { kind: "no-server-bytes", side: "server", frame: 5, bytes: server, text: "the capture holds only the client's side: no packet from the server" },
      { kind: "acked-not-captured", side: "server", frame: 5, bytes: server, text: `the client acknowledged ${server} server bytes that the capture does not hold (from frame 5)` },
    ]);
  });

  it("server side only: no client bytes, and the client bytes the server acknowledged", async () => {
    const s = (await one(from(session(), "192.0.2.25")))[0];
    const client = EHLO.length + QUIT.length;
    expect(s.bytes).toEqual({ client: 0, server: GREETING.length + CAPS.length + BYE.length });
    expect(s.limits.map((l) => [l.kind, l.side, l.bytes])).toEqual([
      ["no-client-bytes", "client", client],
      ["acked-not-captured", "client", client],
    ]);
    expect(s.limits[0].text).toBe("the capture holds only the server's side: no packet from the client");
  });

  it("a reply the client acknowledged at the end but the capture lacks: a gap with its bytes, and a limit", async () => {
    const c = conv().handshake();
    c.server(GREETING).client(EHLO).server(CAPS).client(QUIT); // 4-7
    c.server(BYE, { lose: true });
    c.ack("client"); // 8: acknowledges the 9 octets of `221 bye`
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.gaps).toEqual([{ side: "server", offset: 64, bytes: 9, frame: 8, reason: "by the end of the capture the client had acknowledged 9 server bytes that the capture does not hold (ACK in frame 8)" }]);
    expect(s.limits).toEqual([
      { kind: "acked-not-captured", side: "server", frame: 8, bytes: 9, text: "the client acknowledged 9 server bytes that the capture does not hold (from frame 8)" },
      { kind: "ended-open", frame: 8, text: "the capture ends while the connection is open, with QUIT (frame 7) unanswered" },
    ]);
  });

  it("near miss: only the server's FIN is missing after its 221 (the ACK advanced by one): no gap; said, but stops no judgement", async () => {
    const c = conv().handshake();
    c.server(GREETING).client(EHLO).server(CAPS).client(QUIT).server(BYE);
    c.fin("server", { lose: true });
    c.fin("client");
    c.ack("server");
    const rep = await analyzeConv(c);
    const s = rep.sessions[0];
    expect(s.gaps).toEqual([]);
    expect(s.limits).toEqual([{ kind: "fin-not-captured", side: "server", frame: 9, endOnly: true, text: "the client's ACK in frame 9 covers one server sequence number beyond the bytes the capture holds: the server's FIN (or one byte), which the capture does not hold" }]);
    expect(s.verdict.fault).toBe("none");
    expect(rep.findings).toEqual([]);
  });

  it("only the server's side, its reply open at its FIN: not said to be left open by the server (the client may have closed first)", async () => {
    const c = conv().handshake();
    c.server(GREETING).client(EHLO).server("250-mx.example.test\r\n");
    c.fin("client").fin("server");
    const rep = await analyzeFile(tmpFile(writeCapture(from(c, "192.0.2.25"))));
    expect(rep.findings.filter((f) => f.rule === "reply-incomplete-at-close")).toEqual([]);
    expect(rep.sessions[0].verdict.fault).toBe("undetermined");
  });

  it("the client's FIN lost, acknowledged by the server's FIN: the server is not said to close first", async () => {
    // frames 1-3 handshake, 4 greeting, 5 EHLO, 6 capabilities, (client FIN lost), 7 server FIN with ACK of it
    const c = conv().handshake();
    c.server(GREETING).client(EHLO).server(CAPS);
    c.fin("client", { lose: true });
    c.fin("server");
    c.ack("client");
    const rep = await analyzeConv(c);
    const s = rep.sessions[0];
    expect(s.limits).toEqual([{ kind: "fin-not-captured", side: "client", frame: 7, text: "the server's ACK in frame 7 covers one client sequence number beyond the bytes the capture holds: the client's FIN (or one byte), which the capture does not hold" }]);
    expect(rep.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(s.verdict.fault).toBe("undetermined");
    expect(s.verdict.summary).toBe("Cannot judge: the server's ACK in frame 7 covers one client sequence number beyond the bytes the capture holds: the client's FIN (or one byte), which the capture does not hold.");
  });

  it("the server's FIN lost before any reply, the client's QUIT then reset: no unanswered-QUIT accusation", async () => {
    // frames 1-3 handshake, (server FIN lost), 4 client ACK of it, 5 QUIT, 6 server RST
    const c = conv().handshake();
    c.fin("server", { lose: true });
    c.ack("client");
    c.client(QUIT);
    c.rst("server");
    const rep = await analyzeConv(c);
    const s = rep.sessions[0];
    expect(s.limits.map((l) => [l.kind, l.side, l.frame])).toEqual([["fin-not-captured", "server", 4]]);
    expect(rep.findings.filter((f) => f.severity !== "info").map((f) => f.rule)).toEqual([]);
    expect(s.verdict.fault).toBe("undetermined");
  });

  it("a segment lost inside the capture that the peer acknowledged: acked-not-captured", async () => {
    const c = conv().handshake();
    c.server(GREETING).client(EHLO); // 4, 5
    c.server("250-mx.example.test\r\n", { lose: true });
    c.server("250 PIPELINING\r\n"); // 6
    c.client(QUIT).server(BYE).fin("server").fin("client").ack("server"); // 7-11
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.limits).toEqual([{ kind: "acked-not-captured", side: "server", frame: 6, bytes: 21, text: "the client acknowledged 21 server bytes that the capture does not hold (from frame 6)" }]);
  });

  it("a capture that starts after the greeting: started mid-session", async () => {
    const c = conv().midstream();
    c.client("MAIL FROM:<a@example.test>\r\n"); // 1
    c.server("250 ok\r\n"); // 2
    c.client(QUIT).server(BYE).fin("server").fin("client").ack("server");
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.limits).toEqual([{ kind: "started-mid-session", frame: 2, text: "the capture starts after the session began: no SYN, and the server's first bytes are not a greeting" }]);
  });

  it("a capture cut after an unanswered EHLO: ended open", async () => {
    const c = conv().handshake();
    c.server(GREETING).client(EHLO); // 4, 5
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.limits).toEqual([{ kind: "ended-open", frame: 5, text: "the capture ends while the connection is open, with EHLO (frame 5) unanswered" }]);
  });

  it("a damaged file: sessions still open when it was cut are marked file-damaged", async () => {
    const c = conv().handshake();
    c.server(GREETING).client(EHLO).server(CAPS); // 4-6
    const file = writeCapture(c.packets);
    const s = (await analyzeFile(tmpFile(file.subarray(0, file.length - 10)))).sessions[0];
    expect(s.limits.map((l) => l.kind)).toEqual(["ended-open", "file-damaged"]);
    expect(s.limits[1].text).toMatch(/^the capture file is damaged or cut at byte \d+: the session may continue beyond what was read$/);
  });
});

describe("a capture that ends inside a reply", () => {
  it("the reply's final line is not in the capture: cannot judge, not 'no violation'", async () => {
    const c = conv().handshake();
    c.server(GREETING).client(EHLO).server("250-mx.example.test\r\n250-PIPEL"); // 4, 5, 6
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.limits).toEqual([{ kind: "ended-open", frame: 6, text: "the capture ends while the connection is open, in the middle of a reply (frame 6): its final line is not in the capture" }]);
    expect(s.verdict.summary).toBe("Cannot judge: the capture ends while the connection is open, in the middle of a reply (frame 6): its final line is not in the capture.");
  });
});
