import { describe, expect, it } from "vitest";
import { conv } from "../support/fixtures.js";
import { clean, greeted, hits } from "../support/rules.js";

describe("early replies, enhanced-code syntax, SMTPUTF8 and PIPELINING advertisements", () => {
  it("reply-before-command-complete: a 250 whose ACK does not cover the command's CRLF; near miss: after it", async () => {
    const c = greeted();
    c.client("MAIL FROM:<a@b.test>\r\n"); // 7
    c.server("250 ok\r\n", { ack: c.nxt.client - 2 }); // 8: sent before the CRLF had arrived (crossing in flight)
    expect(await hits("reply-before-command-complete", c)).toEqual([
      { severity: "warning", side: "server", frames: [7, 8], message: "`250 ok` answered `MAIL FROM:<a@b.test>` before the server had received its end" },
    ]);
    expect(await hits("reply-before-command-complete", clean())).toEqual([]);
  });

  it("esc-syntax: a leading zero and a missing space; near miss: 5.7.1", async () => {
    const c = greeted();
    c.client("NOOP\r\n");
    c.server("250 2.0.00 ok\r\n"); // 8
    c.client("NOOP\r\n");
    c.server("250 2.0.0ok\r\n"); // 10
    c.client("NOOP\r\n");
    c.server("250 2.0.0 ok\r\n");
    expect((await hits("esc-syntax", c)).map((x) => [x.frames, x.message])).toEqual([
      [[8], "reply `250 2.0.00 ok` has a sub-code with a leading zero or more than three digits"],
      [[10], "reply `250 2.0.0ok` has no space after the code"],
    ]);
  });

  it("smtputf8-advertisement-invalid: SMTPUTF8 without 8BITMIME; near miss: both", async () => {
    expect((await hits("smtputf8-advertisement-invalid", greeted(["250-mx", "250 SMTPUTF8"]))).map((x) => x.message)).toEqual(["the EHLO reply advertises SMTPUTF8 but not 8BITMIME"]);
    expect(await hits("smtputf8-advertisement-invalid", greeted(["250-mx", "250-8BITMIME", "250 SMTPUTF8"]))).toEqual([]);
  });

  it("pipelining-keyword-with-parameter: `250-PIPELINING 10`; near miss: plain", async () => {
    const c = conv().handshake();
    c.server("220 mx\r\n");
    c.client("EHLO a\r\n");
    c.server("250-mx\r\n250 PIPELINING 10\r\n"); // 6
    expect(await hits("pipelining-keyword-with-parameter", c)).toEqual([
      { severity: "info", side: "server", frames: [6], message: "EHLO line `250 PIPELINING 10` gives PIPELINING a parameter" },
    ]);
    expect(await hits("pipelining-keyword-with-parameter", clean())).toEqual([]);
  });
});
