import { describe, expect, it } from "vitest";
import { analyzeConv, conv } from "../support/fixtures.js";

const CLIENT_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 1, 0, 0, 0]);
const SERVER_HELLO = Buffer.from([0x16, 0x03, 0x03, 0x00, 0x04, 2, 0, 0, 0]);
/** an application_data record (content type 23) of 4 octets: encrypted without keys */
const APP_DATA = Buffer.from([0x17, 0x03, 0x03, 0x00, 0x04, 1, 2, 3, 4]);
const CAPS = "250-mx.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n";

/** Frames 1-3 handshake, 4 greeting, 5 EHLO, 6 capabilities, 7 STARTTLS, 8 `220 ready`. */
function upTo220(port = 25) {
  const c = conv({ server: `192.0.2.25:${port}` }).handshake();
  c.server("220 mx.example.test ESMTP\r\n"); // 4
  c.client("EHLO client.example.test\r\n"); // 5
  c.server(CAPS); // 6
  c.client("STARTTLS\r\n"); // 7
  c.server("220 2.0.0 ready\r\n"); // 8
  return c;
}

describe("TLS only when TLS flows", () => {
  it("STARTTLS 220 and a ClientHello answered with TLS records: encrypted, with an `encrypted` limit", async () => {
    const c = upTo220();
    c.client(CLIENT_HELLO); // 9
    c.server(SERVER_HELLO); // 10
    c.client(APP_DATA); // 11
    c.server(APP_DATA); // 12
    c.fin("client").fin("server");
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.tls).toEqual({ mode: "starttls", frame: 8, time: expect.any(Number), clientHelloFrame: 9, serverHelloFrame: 10, encrypted: true, plaintextFrame: null, facts: expect.objectContaining({ firstFrame: 9 }) });
    expect(s.limits).toEqual([{ kind: "encrypted", frame: 9, text: "the dialogue after the ClientHello in frame 9 is encrypted and not read: no readable ServerHello" }]);
  });

  it("STARTTLS 220 and hellos, then both close before any encrypted record: nothing stays encrypted, no `encrypted` limit", async () => {
    const c = upTo220();
    c.client(CLIENT_HELLO); // 9
    c.server(SERVER_HELLO); // 10
    c.fin("client").fin("server");
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.tls).toMatchObject({ encrypted: true, facts: expect.objectContaining({ firstFrame: 9, completed: false }) });
    expect(s.tls?.facts?.client.encryptedRecords).toBe(0);
    expect(s.limits).toEqual([]);
  });

  it("STARTTLS 220 followed by plaintext: not encrypted, dissected as plaintext, the first plaintext command's frame kept", async () => {
    const c = upTo220();
    c.client("MAIL FROM:<a@example.test>\r\n"); // 9
    c.server("250 2.1.0 ok\r\n"); // 10
    c.client("QUIT\r\n"); // 11
    c.server("221 bye\r\n"); // 12
    c.fin("server").fin("client");
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.tls).toMatchObject({ mode: "starttls", frame: 8, encrypted: false, plaintextFrame: 9, clientHelloFrame: null });
    expect(s.tls!.decrypted).toBeUndefined();
    expect(s.commands.map((x) => [x.verb, x.frames, x.afterStartTls, x.replies])).toEqual([
      ["EHLO", [5], false, [1]],
      ["STARTTLS", [7], false, [2]],
      ["MAIL", [9], true, [3]],
      ["QUIT", [11], true, [4]],
    ]);
    expect(s.replies.map((r) => [r.code, r.frames, r.afterStartTls, r.command])).toEqual([
      [220, [4], false, null],
      [250, [6], false, 0],
      [220, [8], false, 1],
      [250, [10], true, 2],
      [221, [12], true, 3],
    ]);
    expect(s.limits).toEqual([]);
  });

  it("a reply after the 220 that the server sent before it had the plaintext command stays unpaired", async () => {
    const c = upTo220();
    c.server("250 injected\r\n", { ack: c.nxt.client }); // 9: sent before the client's next bytes
    c.client("QUIT\r\n"); // 10
    c.fin("client").fin("server");
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.replies[3]).toMatchObject({ code: 250, afterStartTls: true, command: null });
    expect(s.commands[2]).toMatchObject({ verb: "QUIT", afterStartTls: true, replies: [] });
  });

  it("a decrypted capture: a new EHLO after the 220 answered without STARTTLS; the TLS phase is plain SMTP", async () => {
    const c = upTo220(587);
    c.client("EHLO client.example.test\r\n"); // 9
    c.server("250-mx.example.test\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n"); // 10
    c.client("AUTH PLAIN AHVzZXIAcGFzcw==\r\n"); // 11
    c.server("235 2.7.0 ok\r\n"); // 12
    c.client("QUIT\r\n"); // 13
    c.server("221 bye\r\n"); // 14
    c.fin("server").fin("client");
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.tls).toMatchObject({ mode: "starttls", frame: 8, encrypted: false, decrypted: true, plaintextFrame: 9 });
    expect(s.commands.map((x) => [x.verb, x.afterStartTls, x.replies])).toEqual([
      ["EHLO", false, [1]], ["STARTTLS", false, [2]], ["EHLO", false, [3]], ["AUTH", false, [4]], ["QUIT", false, [5]],
    ]);
    expect(s.replies.every((r) => !r.afterStartTls)).toBe(true);
    expect(s.commands[3]).toMatchObject({ secret: true, authUser: "[redacted #1]", line: "AUTH PLAIN [redacted 16 bytes]" });
    expect(s.notes.some((n) => n.startsWith("the capture holds the TLS phase decrypted"))).toBe(true);
  });

  it("a decrypted capture is judged after the 220: a client that leaves without QUIT is reported; the same close after real TLS is not judged", async () => {
    const decrypted = upTo220(587);
    decrypted.client("EHLO client.example.test\r\n"); // 9
    decrypted.server("250-mx.example.test\r\n250 AUTH PLAIN\r\n"); // 10
    decrypted.fin("client").fin("server"); // 11, 12
    const d = await analyzeConv(decrypted);
    expect(d.sessions[0].tls).toMatchObject({ decrypted: true });
    expect(d.findings.filter((f) => f.rule === "connection-close-violation").map((f) => [f.side, f.frames])).toEqual([["client", [11]]]);

    const encrypted = upTo220(587);
    encrypted.client(CLIENT_HELLO); // 9
    encrypted.server(SERVER_HELLO); // 10
    encrypted.fin("client").fin("server");
    const e = await analyzeConv(encrypted);
    expect(e.findings.filter((f) => f.rule === "connection-close-violation")).toEqual([]);
  });

  it("near miss: the server answers the plaintext EHLO still offering STARTTLS: a client that abandoned TLS, not a decrypted capture", async () => {
    const c = upTo220();
    c.client("EHLO client.example.test\r\n"); // 9
    c.server(CAPS); // 10
    c.client("QUIT\r\n"); // 11
    c.server("221 bye\r\n"); // 12
    c.fin("server").fin("client");
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.tls).toMatchObject({ encrypted: false, plaintextFrame: 9 });
    expect(s.tls!.decrypted).toBeUndefined();
    expect(s.commands.slice(2).map((x) => [x.verb, x.afterStartTls])).toEqual([["EHLO", true], ["QUIT", true]]);
  });

  it("port 465, ClientHello answered in plaintext: implicit but not encrypted, the replies are kept", async () => {
    const c = conv({ server: "192.0.2.25:465" }).handshake();
    c.client(CLIENT_HELLO); // 4
    c.server("220 mx.example.test ESMTP\r\n"); // 5
    c.server("500 5.5.1 command unrecognized\r\n"); // 6
    c.fin("client").fin("server");
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.tls).toMatchObject({ mode: "implicit", frame: 4, clientHelloFrame: 4, serverHelloFrame: null, encrypted: false });
    expect(s.replies.map((r) => [r.code, r.frames])).toEqual([[220, [5]], [500, [6]]]);
    expect(s.limits).toEqual([]);
  });

  it("port 465 with TLS both ways: encrypted", async () => {
    const c = conv({ server: "192.0.2.25:465" }).handshake();
    c.client(CLIENT_HELLO); // 4
    c.server(SERVER_HELLO); // 5
    c.fin("client").fin("server");
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.tls).toMatchObject({ mode: "implicit", clientHelloFrame: 4, serverHelloFrame: 5, encrypted: true });
  });
});
