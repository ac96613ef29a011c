import { describe, expect, it } from "vitest";
import { conv } from "../support/fixtures.js";
import { findings, report } from "../support/rules.js";

// A reply line cut by TCP between two segments with the same ACK, the second starting like a
// reply line (`… +0` then `200\r\n`): one write of the server, not a line without its CRLF. Before
// the fix the cut ended the line, and the report said "`220 mx.example.test ESMTP Mon, 27 Mar 2023
// 17:17:37 +0`, has no line terminator before the next reply line", then accused the server of
// an unsolicited reply, a code-only final line `200` and more.
describe("a reply line cut by TCP where the rest starts like a reply code", () => {
  const capture = () => conv().handshake()
    .server("220 mx.example.test ESMTP Mon, 27 Mar 2023 17:17:37 +0")
    .server("200\r\n")
    .client("EHLO client.example.test\r\n")
    .server("250-mx.example.test\r\n250-SIZE 3355")
    .server("4432\r\n250 HELP\r\n")
    .client("QUIT\r\n")
    .server("221 bye\r\n")
    .fin("server").fin("client");

  it("keeps the line whole and accuses no one", async () => {
    const rep = await report(capture());
    expect(rep.sessions[0].replies.map((r) => r.lines)).toEqual([
      ["220 mx.example.test ESMTP Mon, 27 Mar 2023 17:17:37 +0200"],
      ["250-mx.example.test", "250-SIZE 33554432", "250 HELP"],
      ["221 bye"],
    ]);
    expect((await findings(capture())).filter((f) => f.severity !== "info").map((f) => `${f.rule}: ${f.message}`)).toEqual([]);
  });

  it("a line without CRLF, then the answer to the client's next command: still reported", async () => {
    // the server wrote `250-…` after the client's EHLO (its ACK covers it): the greeting had no CRLF
    const c = conv().handshake()
      .server("220 mx.example.test ESMTP")
      .client("EHLO client.example.test\r\n")
      .server("250-mx.example.test\r\n250 HELP\r\n")
      .client("QUIT\r\n")
      .server("221 bye\r\n")
      .fin("server").fin("client");
    const got = (await findings(c)).filter((f) => f.rule === "bare-cr-lf-in-reply").map((f) => `${f.severity} ${f.side} ${f.frames.join(",")}: ${f.message}`);
    expect(got).toEqual(["error server 4: 1 server line without a proper CRLF; the first, `220 mx.example.test ESMTP`, has no line terminator before the next reply line"]);
  });
});
