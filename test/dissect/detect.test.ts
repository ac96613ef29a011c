import { describe, expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { toJson } from "../../src/report/json.js";
import { analyzeConv, conv, tmpFile } from "../support/fixtures.js";
import { writeCapture } from "../support/writer.js";

const GREETING = "220 mx.example.test ESMTP\r\n";

describe("SMTP claimed only on evidence", () => {
  it("an FTP control connection (vsFTPd 220, USER/PASS) is not SMTP: no session, nothing of it in the report", async () => {
    const c = conv({ server: "192.0.2.25:21" }).handshake();
    c.server("220 (vsFTPd 3.0.3)\r\n").client("USER anonymous\r\n").server("331 Please specify the password.\r\n");
    c.client("PASS secret\r\n").server("230 Login successful.\r\n").client("QUIT\r\n").server("221 Goodbye.\r\n");
    c.fin("server").fin("client");
    const rep = await analyzeConv(c);
    expect(rep.sessions).toEqual([]);
    expect(rep.stats.notSmtp).toBe(1);
    expect(JSON.stringify(toJson(rep))).not.toContain("secret");
    expect(rep.diagnosis).toBe("TCP but no SMTP: 1 TCP connection, none on an SMTP port or opened by a 220 greeting and an SMTP command; 1 connection with a 220 banner did not continue in SMTP (FTP or another protocol)");
  });

  it("a 220 greeting on another port followed by EHLO is SMTP", async () => {
    const c = conv({ server: "192.0.2.25:8025" }).handshake();
    c.server(GREETING).client("EHLO client.example.test\r\n").server("250 mx.example.test\r\n").client("QUIT\r\n").server("221 bye\r\n");
    c.fin("server").fin("client");
    const rep = await analyzeConv(c);
    expect(rep.sessions.map((s) => [s.serverPort, s.commands.map((x) => x.verb)])).toEqual([[8025, ["EHLO", "QUIT"]]]);
  });

  it("a client that speaks first on another port is found when the server's first line is a 220 greeting", async () => {
    const c = conv({ server: "192.0.2.25:8025" }).handshake();
    c.client("EHLO early.example.test\r\n"); // 4
    c.server(GREETING); // 5
    c.server("250 mx.example.test\r\n"); // 6
    c.client("QUIT\r\n").server("221 bye\r\n").fin("server").fin("client");
    const s = (await analyzeConv(c)).sessions;
    expect(s).toHaveLength(1);
    expect(s[0].commands.map((x) => [x.verb, x.frames])).toEqual([["EHLO", [4]], ["QUIT", [7]]]);
    expect(s[0].replies[0]).toMatchObject({ code: 220, frames: [5] });
  });

  it("a SYN answered by RST is counted, not reported as a session", async () => {
    const d = conv();
    d.handshake();
    d.rst("server");
    const rep = await analyzeConv(d);
    expect(rep.sessions).toEqual([]);
    expect(rep.stats.connectionsWithoutPayload).toBe(1);
    expect(rep.diagnosis).toBe("TCP but no SMTP: 1 TCP connection (1 never carried payload), none on an SMTP port or opened by a 220 greeting and an SMTP command");
  });

  it("SMTP inside a SOCKS5 tunnel (with RFC 1929 user name and password) is followed; the SOCKS bytes are skipped", async () => {
    const c = conv({ server: "192.0.2.1:1080" }).handshake();
    c.client(Buffer.from([5, 1, 2])); // 4: offers user/password
    c.server(Buffer.from([5, 2])); // 5
    c.client(Buffer.concat([Buffer.from([1, 3]), Buffer.from("bob"), Buffer.from([6]), Buffer.from("hunter"), Buffer.from([5, 1, 0, 1, 203, 0, 113, 25, 0, 25])])); // 6
    c.server(Buffer.from([1, 0, 5, 0, 0, 1, 203, 0, 113, 25, 0, 25])); // 7
    c.server(GREETING); // 8
    c.client("EHLO client.example.test\r\n").server("250 mx.example.test\r\n").client("QUIT\r\n").server("221 bye\r\n");
    c.fin("server").fin("client");
    const rep = await analyzeConv(c);
    expect(rep.sessions).toHaveLength(1);
    const s = rep.sessions[0];
    expect(s.replies.map((r) => [r.code, r.frames])).toEqual([[220, [8]], [250, [10]], [221, [12]]]);
    expect(s.commands.map((x) => x.verb)).toEqual(["EHLO", "QUIT"]);
    expect(s.notes).toContain("SMTP carried inside a SOCKS5 tunnel to port 25: the SOCKS handshake is skipped");
    expect(JSON.stringify(toJson(rep))).not.toContain("hunter");
  });

  it("SMTP inside a SOCKS4a tunnel to port 25 is followed", async () => {
    const c = conv({ server: "192.0.2.1:1080" }).handshake();
    c.client(Buffer.concat([Buffer.from([4, 1, 0, 25, 0, 0, 0, 1]), Buffer.from("u\0mx.example.test\0")])); // 4
    c.server(Buffer.from([0, 0x5a, 0, 0, 0, 0, 0, 0]) + GREETING); // 5 (reply and greeting in one segment)
    c.client("HELO client.example.test\r\n").server("250 mx.example.test\r\n").fin("server").fin("client");
    const s = (await analyzeConv(c)).sessions;
    expect(s).toHaveLength(1);
    expect(s[0].replies.map((r) => [r.code, r.greeting])).toEqual([[220, true], [250, false]]);
  });

  it("SOCKS5 with the method offer and the request in one segment (a domain name), to port 587", async () => {
    const c = conv({ server: "192.0.2.1:1080" }).handshake();
    c.client(Buffer.concat([Buffer.from([5, 1, 0, 5, 1, 0, 3, 16]), Buffer.from("mx.example.test."), Buffer.from([2, 75])])); // 4
    c.server(Buffer.from([5, 0, 5, 0, 0, 1, 203, 0, 113, 25, 2, 75])); // 5
    c.server(GREETING).client("EHLO client.example.test\r\n").server("250 mx.example.test\r\n").fin("server").fin("client");
    const s = (await analyzeConv(c)).sessions;
    expect(s.map((x) => [x.commands.map((y) => y.line), x.replies.map((r) => r.code), x.notes])).toEqual([
      [["EHLO client.example.test"], [220, 250], ["SMTP carried inside a SOCKS5 tunnel to port 587: the SOCKS handshake is skipped"]],
    ]);
  });

  it("near miss: a SOCKS5 tunnel the proxy refuses is not a session", async () => {
    const c = conv({ server: "192.0.2.1:1080" }).handshake();
    c.client(Buffer.from([5, 1, 0])).server(Buffer.from([5, 0]));
    c.client(Buffer.from([5, 1, 0, 1, 203, 0, 113, 25, 0, 25])).server(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]));
    c.fin("server").fin("client");
    expect((await analyzeConv(c)).sessions).toEqual([]);
  });
});

describe("a file with no SMTP says why", () => {
  it("an unsupported link type", async () => {
    const c = conv().handshake();
    c.server(GREETING);
    const rep = await analyzeFile(tmpFile(writeCapture(c.packets, { linkType: 147 })));
    expect(rep.sessions).toEqual([]);
    expect(rep.diagnosis).toBe("unsupported link type 147: 4 frames could not be decoded");
  });

  it("no TCP", async () => {
    const c = conv().handshake();
    for (const p of c.packets) p.ip[9] = 17; // UDP
    const rep = await analyzeFile(tmpFile(writeCapture(c.packets)));
    expect(rep.diagnosis).toBe("no TCP: 3 frames, none of them TCP over IPv4 or IPv6");
  });

  it("SMTP on an unusual port captured after the greeting: try --port N", async () => {
    const c = conv({ server: "192.0.2.25:8025" }).midstream();
    c.client("MAIL FROM:<a@example.test>\r\n").server("250 ok\r\n").fin("server").fin("client");
    const rep = await analyzeConv(c);
    expect(rep.sessions).toEqual([]);
    expect(rep.diagnosis).toBe("TCP but no SMTP: 1 TCP connection, none on an SMTP port or opened by a 220 greeting and an SMTP command; payload that looks like SMTP was seen on other ports: try --port 8025 (1 connection)");
    expect((await analyzeConv(c, {}, { ports: [8025] })).sessions).toHaveLength(1);
  });

  it("a file with sessions has no diagnosis", async () => {
    const c = conv().handshake();
    c.server(GREETING).fin("server").fin("client");
    expect((await analyzeConv(c)).diagnosis).toBeUndefined();
  });
});
