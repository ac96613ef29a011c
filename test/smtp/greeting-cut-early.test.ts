import { describe, expect, it } from "vitest";
import { conv } from "../support/fixtures.js";
import { report } from "../support/rules.js";

// On a port that is not an SMTP port a connection is SMTP once the server's first bytes are a
// 220 greeting and the client answers in SMTP. A greeting that TCP cut within its first three
// bytes ("2", then "20 mx…") was not recognised, and the whole session — with everything provable
// in it — was missing from the report.
describe("a greeting on another port, cut by TCP before its fourth byte", () => {
  for (const k of [1, 2, 3]) {
    it(`split after byte ${k}: the session is reported`, async () => {
      const greeting = "220 mx.example.test ESMTP\r\n";
      const c = conv({ server: "192.0.2.25:2626" }).handshake()
        .server(greeting.slice(0, k))
        .server(greeting.slice(k))
        .client("EHLO client.example.test\r\n")
        .server("250-mx.example.test\r\n251-SIZE 1000\r\n250 HELP\r\n")
        .client("QUIT\r\n")
        .server("221 bye\r\n")
        .fin("server").fin("client");
      const rep = await report(c);
      expect(rep.sessions.map((s) => s.replies.map((r) => r.lines[0]))).toEqual([["220 mx.example.test ESMTP", "250-mx.example.test", "221 bye"]]);
      expect(rep.findings.filter((f) => f.severity !== "info").map((f) => `${f.rule} ${f.side}: ${f.message}`)).toEqual([
        "multiline-code-mismatch server: reply starting `250-mx.example.test` continues with code 251 in `251-SIZE 1000`",
      ]);
    });
  }

  it("a server whose first bytes are `2` then something else is not followed", async () => {
    const c = conv({ server: "192.0.2.25:2626" }).handshake().server("2").server("00 ok\r\n").client("USER x\r\n").fin("server").fin("client");
    expect((await report(c)).sessions).toEqual([]);
  });
});
