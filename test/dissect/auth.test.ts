import { describe, expect, it } from "vitest";
import { analyzeConv, conv } from "../support/fixtures.js";
import { toJson } from "../../src/report/json.js";

/** Frames 1-3 handshake, 4 greeting, 5 EHLO, 6 capabilities, 7 `AUTH LOGIN`, 8 `334 VXNlcm5hbWU6`. */
function login() {
  const c = conv().handshake();
  c.server("220 mx.example.test ESMTP\r\n"); // 4
  c.client("EHLO client.example.test\r\n"); // 5
  c.server("250-mx.example.test\r\n250 AUTH LOGIN\r\n"); // 6
  c.client("AUTH LOGIN\r\n"); // 7
  c.server("334 VXNlcm5hbWU6\r\n"); // 8
  return c;
}

describe("AUTH as each side saw it", () => {
  it("QUIT where the server expects the user name: the command QUIT, taken as the SASL response, no secret", async () => {
    const c = login();
    c.client("QUIT\r\n"); // 9
    c.server("334 UGFzc3dvcmQ6\r\n"); // 10: the server took it as the user name
    c.fin("client").fin("server");
    const rep = await analyzeConv(c);
    const q = rep.sessions[0].commands[2];
    expect(q).toMatchObject({ kind: "command", verb: "QUIT", line: "QUIT", frames: [9], takenAsAuthResponse: true, secret: false, replies: [3] });
    expect(q.authUser).toBeUndefined();
    expect(rep.sessions[0].replies[3]).toMatchObject({ code: 334, command: 2 });
  });

  it("after QUIT taken as the user name, the next line is still the password slot and stays redacted", async () => {
    const c = login();
    c.client("QUIT\r\n"); // 9
    c.server("334 UGFzc3dvcmQ6\r\n"); // 10
    c.client("c2VjcmV0\r\n"); // 11: "secret"
    c.server("535 5.7.8 failed\r\n"); // 12
    c.fin("client").fin("server");
    const rep = await analyzeConv(c);
    const p = rep.sessions[0].commands[3];
    expect(p).toMatchObject({ kind: "auth-response", verb: "", line: "[redacted 8 bytes]", secret: true, replies: [4] });
    expect(JSON.stringify(toJson(rep))).not.toContain("c2VjcmV0");
  });

  it("near miss: a BASE64 user name that reads as text is a SASL response even when it spells a verb-like word", async () => {
    const c = login();
    c.client("dXNlcg==\r\n"); // 9: "user"
    c.server("334 UGFzc3dvcmQ6\r\n"); // 10
    c.client("DATA\r\n"); // 11: BASE64 of binary octets, not readable: the verb DATA
    c.server("535 5.7.8 failed\r\n"); // 12
    c.client("QUIT\r\n"); // 13
    c.server("221 bye\r\n"); // 14
    c.fin("client").fin("server");
    const cmds = (await analyzeConv(c)).sessions[0].commands;
    expect(cmds.map((x) => [x.kind, x.verb, x.line, x.takenAsAuthResponse ?? false])).toEqual([
      ["command", "EHLO", "EHLO client.example.test", false],
      ["command", "AUTH", "AUTH LOGIN", false],
      ["auth-response", "", "[redacted 8 bytes]", false],
      ["command", "DATA", "DATA", true],
      ["command", "QUIT", "QUIT", false],
    ]);
    expect(cmds[2].authUser).toBe("[redacted #1]");
  });

  it("near miss: QUIT where the user name was due, answered 221: the server took it as QUIT", async () => {
    const c = login();
    c.client("QUIT\r\n"); // 9
    c.server("221 bye\r\n"); // 10
    c.fin("server").fin("client");
    const q = (await analyzeConv(c)).sessions[0].commands[2];
    expect(q).toMatchObject({ kind: "command", verb: "QUIT", takenAsAuthResponse: false, secret: false, replies: [3] });
  });

  it("a SASL response that is not a known verb line stays redacted even when the server answers it like a command", async () => {
    const c = login();
    c.client("dXNlcg==\r\n"); // 9
    c.server("334 UGFzc3dvcmQ6\r\n"); // 10
    c.client("USER bob\r\n"); // 11: not an SMTP verb: a (malformed) SASL response, redacted
    c.server("501 5.5.2 bad\r\n"); // 12
    c.fin("client").fin("server");
    const cmds = (await analyzeConv(c)).sessions[0].commands;
    expect(cmds[3]).toMatchObject({ kind: "auth-response", line: "[redacted 8 bytes]", secret: true, saslBase64: false });
  });
});
