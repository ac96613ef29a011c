import { describe, expect, it } from "vitest";
import { conv } from "../support/fixtures.js";
import { clean, greeted, hits } from "../support/rules.js";

describe("mandatory replies, HELO/EHLO replies, advertised extensions, 8-bit content", () => {
  it("mandatory-reply-wrong: QUIT answered 250 (error), NOOP answered 252 (warning); near miss: RSET x answered 501", async () => {
    const c = greeted();
    c.client("NOOP\r\n"); // 7
    c.server("252 hmm\r\n"); // 8
    c.client("RSET x\r\n");
    c.server("501 no arguments\r\n");
    c.client("QUIT\r\n"); // 11
    c.server("250 bye\r\n"); // 12
    expect(await hits("mandatory-reply-wrong", c)).toEqual([
      { severity: "warning", side: "server", frames: [7, 8], message: "NOOP was answered 252 (`252 hmm`); it must get 250" },
      { severity: "error", side: "server", frames: [11, 12], message: "QUIT was answered 250 (`250 bye`); it must get 221" },
    ]);
    expect(await hits("mandatory-reply-wrong", clean())).toEqual([]);
  });

  it("helo-extended-reply: HELO answered with a capability list; near miss: EHLO", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("HELO a.test\r\n"); // 5
    c.server("250-mx\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"); // 6
    expect(await hits("helo-extended-reply", c)).toEqual([
      { severity: "error", side: "server", frames: [5, 6], message: "HELO was answered with a 3-line 250 reply listing `PIPELINING`, `SIZE 1000`" },
    ]);
    expect(await hits("helo-extended-reply", clean())).toEqual([]);
  });

  it("ehlo-reply-malformed: a keyword on the first line, a bad keyword, a duplicate, an unknown keyword (info)", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a.test\r\n");
    c.server("250-PIPELINING\r\n250-PIPE_CONNECT\r\n250-SIZE 1\r\n250-SIZE 2\r\n250 FROBNICATE\r\n"); // 6
    expect((await hits("ehlo-reply-malformed", c)).map((x) => [x.severity, x.message])).toEqual([
      ["warning", "the EHLO reply's first line `250-PIPELINING` carries the keyword PIPELINING where the server's domain belongs: grammar-following clients will not see it"],
      ["warning", "the EHLO reply lists `SIZE` twice"],
      ["info", "EHLO line `250-PIPE_CONNECT` does not follow the EHLO grammar: a keyword is letters, digits and hyphens, and its parameters are printable characters"],
      ["info", "EHLO keyword `FROBNICATE` is neither a registered extension smtpcap knows nor X-prefixed"],
    ]);
    expect(await hits("ehlo-reply-malformed", clean())).toEqual([]);
  });

  it("advertised-extension-rejected: STARTTLS advertised, then 502; near miss: not advertised", async () => {
    const c = greeted(["250-mx", "250 STARTTLS"]);
    c.client("STARTTLS\r\n"); // 7
    c.server("502 5.5.1 not implemented\r\n"); // 8
    expect(await hits("advertised-extension-rejected", c)).toEqual([
      { severity: "error", side: "server", frames: [6, 7, 8], message: "`STARTTLS` was refused with 502 although the EHLO reply advertised STARTTLS" },
    ]);
    const ok = greeted(["250-mx", "250 SIZE 100"]);
    ok.client("STARTTLS\r\n");
    ok.server("502 5.5.1 not implemented\r\n");
    expect(await hits("advertised-extension-rejected", ok)).toEqual([]);
  });

  it("eightbit-data-without-8bitmime: 8-bit body without 8BITMIME (error), without BODY=8BITMIME (warning); near miss: declared", async () => {
    const body = "Subject: caf\xe9\r\n\r\nna\xefve\r\n.\r\n";
    expect((await hits("eightbit-data-without-8bitmime", clean({ body, ehlo: ["250-mx", "250 SIZE 1000"] }))).map((x) => [x.severity, x.frames, x.message])).toEqual([
      ["error", [13], "the message carries 2 octets of 0x80 and above, but the server did not advertise 8BITMIME"],
    ]);
    expect((await hits("eightbit-data-without-8bitmime", clean({ body, ehlo: ["250-mx", "250 8BITMIME"] }))).map((x) => x.severity)).toEqual(["warning"]);
    const c = greeted(["250-mx", "250 8BITMIME"]);
    c.client("MAIL FROM:<a@b.test> BODY=8BITMIME\r\n");
    c.server("250 ok\r\n");
    c.client("RCPT TO:<b@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("DATA\r\n");
    c.server("354 go\r\n");
    c.client(body);
    c.server("250 ok\r\n");
    expect(await hits("eightbit-data-without-8bitmime", c)).toEqual([]);
  });
});

describe("connection-close-violation", () => {
  it("the server hangs up after RSET (error), after NOOP (warning), after a 5yz (info)", async () => {
    const a = greeted();
    a.client("RSET\r\n"); // 7
    a.fin("server"); // 8
    expect((await hits("connection-close-violation", a)).map((x) => [x.severity, x.side, x.frames])).toEqual([["error", "server", [7, 8]]]);
    const b = greeted();
    b.client("NOOP\r\n");
    b.server("250 ok\r\n");
    b.fin("server");
    expect((await hits("connection-close-violation", b)).map((x) => x.severity)).toEqual(["warning"]);
    const c = greeted();
    c.client("MAIL FROM:<spam@b.test>\r\n");
    c.server("554 5.7.1 go away\r\n");
    c.fin("server");
    expect((await hits("connection-close-violation", c)).map((x) => x.severity)).toEqual(["info"]);
  });

  it("the client hangs up without QUIT (warning), or right after QUIT (info)", async () => {
    const a = greeted();
    a.fin("client"); // 7
    expect(await hits("connection-close-violation", a)).toEqual([
      { severity: "warning", side: "client", frames: [7], message: "the client closed the connection (FIN, frame 7) without sending QUIT" },
    ]);
    const b = greeted();
    b.client("QUIT\r\n"); // 7
    b.fin("client"); // 8
    expect((await hits("connection-close-violation", b)).map((x) => [x.severity, x.frames])).toEqual([["info", [7, 8]]]);
  });

  it("near misses: QUIT answered 221 then FIN; the server times out after 6 idle minutes", async () => {
    expect(await hits("connection-close-violation", clean())).toEqual([]);
    const c = greeted();
    c.fin("server", { t: c.now + 360 });
    expect(await hits("connection-close-violation", c)).toEqual([]);
  });
});
