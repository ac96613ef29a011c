import { describe, expect, it } from "vitest";
import { conv } from "../support/fixtures.js";
import { clean, greeted, hits } from "../support/rules.js";

describe("reply syntax (RFC 5321 §4.2)", () => {
  it("reply-code-invalid: a line without a code, a first digit outside 2–5 (error), a second digit 6–9 (warning)", async () => {
    const c = greeted();
    c.client("NOOP\r\n");
    c.server("OK fine\r\n"); // frame 8
    c.client("NOOP\r\n");
    c.server("150 go\r\n"); // frame 10
    c.client("NOOP\r\n");
    c.server("472 busy\r\n"); // frame 12
    expect(await hits("reply-code-invalid", c)).toEqual([
      { severity: "error", side: "server", frames: [8], message: "server line `OK fine` does not start with a three-digit reply code" },
      { severity: "error", side: "server", frames: [10], message: "reply code 150 has first digit 1; only 2, 3, 4 and 5 are allowed" },
      { severity: "warning", side: "server", frames: [12], message: "reply code 472 has second digit 7; the grammar allows 0–5" },
    ]);
  });

  it("reply-code-invalid near miss: every code 2xx–5xx with a valid second digit", async () => {
    expect(await hits("reply-code-invalid", clean())).toEqual([]);
  });

  it("reply-continuation-invalid: `250_` ends the reply and is flagged", async () => {
    const c = greeted();
    c.client("NOOP\r\n");
    c.server("250_OK\r\n");
    expect(await hits("reply-continuation-invalid", c)).toEqual([
      { severity: "error", side: "server", frames: [8], message: "reply line `250_OK` has `_` after the code; smtpcap treated it as the end of the reply" },
    ]);
  });

  it("reply-continuation-invalid near miss: `250-`, `250 ` and a bare `250`", async () => {
    const c = greeted();
    c.client("NOOP\r\n");
    c.server("250\r\n");
    expect(await hits("reply-continuation-invalid", c)).toEqual([]);
  });

  it("multiline-code-mismatch: 250-/251-/250 is one reply, flagged once", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a.test\r\n");
    c.server("250-mx\r\n251-PIPELINING\r\n250 SIZE\r\n"); // frame 6
    const h = await hits("multiline-code-mismatch", c);
    expect(h).toEqual([{ severity: "error", side: "server", frames: [6], message: "reply starting `250-mx` continues with code 251 in `251-PIPELINING`" }]);
    expect(await hits("unsolicited-reply", c)).toEqual([]);
  });

  it("multiline-code-mismatch near miss: the same code on every line", async () => {
    expect(await hits("multiline-code-mismatch", clean())).toEqual([]);
  });

  it("reply-last-line-no-sp: `250` (warning) and `250 ` (info)", async () => {
    const c = greeted();
    c.client("NOOP\r\n");
    c.server("250\r\n");
    c.client("NOOP\r\n");
    c.server("250 \r\n");
    expect(await hits("reply-last-line-no-sp", c)).toEqual([
      { severity: "warning", side: "server", frames: [8], message: "final reply line `250` has no space after the code" },
      { severity: "info", side: "server", frames: [10], message: "final reply line `250 ` carries no text" },
    ]);
  });

  it("reply-last-line-no-sp near miss: `250 OK`", async () => {
    expect(await hits("reply-last-line-no-sp", clean())).toEqual([]);
  });

  it("reply-text-invalid-chars: ESC and BEL in reply text", async () => {
    const c = greeted();
    c.client("NOOP\r\n");
    c.server("250 ok \x1b]0;pwned\x07\r\n");
    expect(await hits("reply-text-invalid-chars", c)).toEqual([
      { severity: "warning", side: "server", frames: [8], message: "reply line `250 ok \\x1b]0;pwned\\x07` contains octet 0x1b at column 8" },
    ]);
  });

  it("reply-text-invalid-chars near miss: a TAB is allowed", async () => {
    const c = greeted();
    c.client("NOOP\r\n");
    c.server("250 ok\there\r\n");
    expect(await hits("reply-text-invalid-chars", c)).toEqual([]);
  });

  it("reply-incomplete-at-close: FIN while `250-` lines are open", async () => {
    const c = greeted();
    c.client("HELP\r\n");
    c.server("214-commands:\r\n214-EHLO MAIL\r\n"); // frame 8
    c.fin("server"); // frame 9
    expect(await hits("reply-incomplete-at-close", c)).toEqual([
      { severity: "warning", side: "server", frames: [8, 9], message: "the connection was closed (FIN, frame 9) while a reply was open: the last line `214-EHLO MAIL` announces more lines" },
    ]);
  });

  it("reply-incomplete-at-close near miss: the capture ends mid-reply but nobody closed", async () => {
    const c = greeted();
    c.client("HELP\r\n");
    c.server("214-commands:\r\n");
    expect(await hits("reply-incomplete-at-close", c)).toEqual([]);
  });

  it("reply-line-too-long: 513 octets (warning); 512 is fine", async () => {
    const c = greeted();
    c.client("NOOP\r\n");
    c.server("250 " + "x".repeat(506) + "\r\n"); // 512 octets: frame 8
    c.client("NOOP\r\n");
    c.server("250 " + "y".repeat(507) + "\r\n"); // 513 octets: frame 10
    const h = await hits("reply-line-too-long", c);
    expect(h.map((x) => [x.frames, x.message.slice(0, 42)])).toEqual([[[10], "reply line of 513 octets (limit 512): `250"]]);
  });

  it("bare-cr-lf-in-reply: the scripted lab case and a crafted bare LF", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\n");
    c.client("EHLO a.test\r\n");
    c.server("250-mx\n250 SIZE\n");
    expect(await hits("bare-cr-lf-in-reply", c)).toEqual([
      { severity: "error", side: "server", frames: [4, 6], message: "3 server lines without a proper CRLF; the first, `220 mx ESMTP`, ends with a bare LF" },
    ]);
  });

  it("bare-cr-lf-in-reply near miss: CRLF split between two segments", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r");
    c.server("\n");
    expect(await hits("bare-cr-lf-in-reply", c)).toEqual([]);
  });

  it("esc-class-mismatch: `550 4.7.1`; near miss `550 5.7.1`", async () => {
    const c = greeted();
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("550 4.7.1 denied\r\n");
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("550 5.7.1 denied\r\n");
    expect(await hits("esc-class-mismatch", c)).toEqual([
      { severity: "error", side: "server", frames: [8], message: "reply `550 4.7.1 denied` carries enhanced code class 4 with reply code 550" },
    ]);
  });
});

describe("command syntax", () => {
  it("bare-cr-lf-in-command: `NOOP\\n`; near miss: CRLF", async () => {
    const c = greeted();
    c.client("NOOP\n"); // frame 7
    c.server("250 ok\r\n");
    c.client("NOOP\r\n");
    c.server("250 ok\r\n");
    expect(await hits("bare-cr-lf-in-command", c)).toEqual([
      { severity: "error", side: "client", frames: [7], message: "`NOOP` ends with a bare LF" },
    ]);
  });

  it("command-line-too-long: 513 octets; a MAIL with SIZE gets +26 when SIZE is advertised", async () => {
    const c = greeted();
    c.client("NOOP " + "x".repeat(506) + "\r\n"); // 513: frame 7
    c.server("500 too long\r\n");
    c.client("MAIL FROM:<" + "a".repeat(480) + "@b.test> SIZE=1000\r\n"); // 511 + 10 = 520 < 538
    c.server("250 ok\r\n");
    const h = await hits("command-line-too-long", c);
    expect(h.map((x) => [x.frames, x.message.slice(0, 40)])).toEqual([[[7], "command line of 513 octets (limit 512): "]]);
  });

  it("non-ascii-in-command: UTF-8 in RCPT without SMTPUTF8 (error); near miss with SMTPUTF8 advertised and used", async () => {
    const c = greeted(["250-mx", "250-8BITMIME", "250 SIZE"]);
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("RCPT TO:<j\xc3\xb6rg@b.test>\r\n"); // frame 9
    c.server("553 no\r\n");
    expect(await hits("non-ascii-in-command", c)).toEqual([
      { severity: "error", side: "client", frames: [9], message: "`RCPT TO:<j\\xc3\\xb6rg@b.test>` contains octet 0xc3: the server did not advertise SMTPUTF8" },
    ]);
    const ok = greeted(["250-mx", "250-8BITMIME", "250 SMTPUTF8"]);
    ok.client("MAIL FROM:<a@b.test> SMTPUTF8\r\n");
    ok.server("250 ok\r\n");
    ok.client("RCPT TO:<j\xc3\xb6rg@b.test>\r\n");
    ok.server("250 ok\r\n");
    expect(await hits("non-ascii-in-command", ok)).toEqual([]);
  });
});
