import { describe, expect, it } from "vitest";
import { conv } from "../support/fixtures.js";
import { clean, envelope, greeted, hits } from "../support/rules.js";

// Near misses: for each rule whose other tests used the all-clean session as the negative case, a
// capture that comes as close to the trigger as a conforming peer can, and no finding.
describe("near misses: one step short of each trigger", () => {
  it("reply-before-command-complete: the command split in two segments, the reply after the second", async () => {
    const c = greeted();
    c.client("MAIL FROM:<a@b.test>");
    c.client("\r\n");
    c.server("250 ok\r\n");
    expect(await hits("reply-before-command-complete", c)).toEqual([]);
  });

  it("pipelining-keyword-with-parameter: `PIPELINING` followed only by a space", async () => {
    expect(await hits("pipelining-keyword-with-parameter", greeted(["250-mx.example.test", "250-PIPELINING ", "250 SIZE 10"]))).toEqual([]);
  });

  it("mandatory-reply-wrong: QUIT answered 421 (tolerated), RSET with an argument answered 501", async () => {
    const c = greeted();
    c.client("RSET now\r\n");
    c.server("501 no arguments\r\n");
    c.client("QUIT\r\n");
    c.server("421 shutting down\r\n");
    expect(await hits("mandatory-reply-wrong", c)).toEqual([]);
  });

  it("helo-extended-reply: HELO answered with one line, EHLO with several", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("HELO a.test\r\n");
    c.server("250 mx\r\n");
    c.client("EHLO a.test\r\n");
    c.server("250-mx\r\n250 PIPELINING\r\n");
    expect(await hits("helo-extended-reply", c)).toEqual([]);
  });

  it("ehlo-reply-malformed: an X-prefixed keyword and registered keywords with parameters", async () => {
    expect(await hits("ehlo-reply-malformed", greeted(["250-mx.example.test", "250-XFROBNICATE on", "250-AUTH PLAIN LOGIN", "250 SIZE 1000"]))).toEqual([]);
  });

  it("connection-close-violation: the server closes first, but after its 221 to QUIT", async () => {
    const c = greeted();
    c.client("QUIT\r\n");
    c.server("221 bye\r\n");
    c.fin("server").fin("client");
    expect(await hits("connection-close-violation", c)).toEqual([]);
  });

  it("reply-code-unexpected-for-command: RCPT answered 556 and MAIL answered 555, both defined for them", async () => {
    const c = greeted();
    c.client("MAIL FROM:<a@b.test> FOO=1\r\n");
    c.server("555 unknown parameter\r\n");
    c.client("RCPT TO:<x@nomail.test>\r\n");
    c.server("556 domain does not accept mail\r\n");
    expect(await hits("reply-code-unexpected-for-command", c)).toEqual([]);
  });

  it("message-data-without-354: DATA refused with 554 and the client sends no content", async () => {
    const c = greeted();
    envelope(c);
    c.client("DATA\r\n");
    c.server("554 no valid recipients\r\n");
    c.client("QUIT\r\n");
    c.server("221 bye\r\n");
    expect(await hits("message-data-without-354", c)).toEqual([]);
  });

  it("submission-unauthenticated-mail-accepted: port 587, MAIL accepted after AUTH LOGIN ended in 235", async () => {
    const c = conv({ server: "192.0.2.25:587" }).handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a.test\r\n");
    c.server("250-mx\r\n250 AUTH LOGIN\r\n");
    c.client("AUTH LOGIN\r\n");
    c.server("334 VXNlcm5hbWU6\r\n");
    c.client("YWxpY2U=\r\n");
    c.server("334 UGFzc3dvcmQ6\r\n");
    c.client("c2VjcmV0\r\n");
    c.server("235 ok\r\n");
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("250 ok\r\n");
    expect(await hits("submission-unauthenticated-mail-accepted", c)).toEqual([]);
  });

  it("middlebox-esmtp-rewriting: a greeting with four asterisks, a command that starts with XX", async () => {
    const c = clean({ greeting: "220 mx.example.test **** ESMTP\r\n", ehloOnly: true });
    c.client("XXFOO\r\n");
    c.server("500 unknown\r\n");
    expect(await hits("middlebox-esmtp-rewriting", c)).toEqual([]);
  });

  it("greeting-delay: the greeting 4.9 s after the SYN", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n", { t: c.now + 4.9 });
    expect(await hits("greeting-delay", c)).toEqual([]);
  });

  it("reply-code-invalid: codes at the edges of the grammar (211, 554)", async () => {
    const c = greeted();
    c.client("HELP\r\n");
    c.server("211 status\r\n");
    c.client("VRFY x\r\n");
    c.server("554 no\r\n");
    expect(await hits("reply-code-invalid", c)).toEqual([]);
  });

  it("multiline-code-mismatch: a multi-line reply whose lines share the code, then a reply with another code", async () => {
    const c = greeted();
    c.client("HELP\r\n");
    c.server("214-one\r\n214 two\r\n");
    c.client("NOOP\r\n");
    c.server("250 ok\r\n");
    expect(await hits("multiline-code-mismatch", c)).toEqual([]);
  });

  it("reply-last-line-no-sp: `334 ` with empty text, the empty challenge of RFC 4954 §4", async () => {
    const c = greeted(["250-mx.example.test", "250 AUTH EXTERNAL"]);
    c.client("AUTH EXTERNAL\r\n");
    c.server("334 \r\n");
    c.client("=\r\n");
    c.server("235 ok\r\n");
    expect(await hits("reply-last-line-no-sp", c)).toEqual([]);
  });

  it("reply-split-across-segments: two replies, each in its own segment", async () => {
    const c = greeted(["250-mx.example.test", "250 PIPELINING"]);
    c.client("MAIL FROM:<a@b.test>\r\nRCPT TO:<x@b.test>\r\n");
    c.server("250 ok\r\n");
    c.server("250 ok\r\n");
    expect(await hits("reply-split-across-segments", c)).toEqual([]);
  });

  it("pregreet-early-talker: EHLO in the segment that acknowledges exactly the greeting's last byte", async () => {
    const c = conv().handshake();
    c.server("220-mx ESMTP\r\n");
    c.server("220 ready\r\n");
    c.client("EHLO a.test\r\n");
    expect(await hits("pregreet-early-talker", c)).toEqual([]);
  });

  it("command-split-across-segments: two commands in one segment, none split", async () => {
    const c = greeted(["250-mx.example.test", "250 PIPELINING"]);
    c.client("MAIL FROM:<a@b.test>\r\nRCPT TO:<x@b.test>\r\n");
    c.server("250 ok\r\n250 ok\r\n");
    expect(await hits("command-split-across-segments", c)).toEqual([]);
  });

  it("esc-missing-or-inconsistent: replies without enhanced codes where ENHANCEDSTATUSCODES was not advertised", async () => {
    const c = greeted(["250-mx.example.test", "250 PIPELINING"]);
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("250 ok\r\n");
    expect(await hits("esc-missing-or-inconsistent", c)).toEqual([]);
  });

  it("service-shutdown-421: after the 421 the client sends only QUIT", async () => {
    const c = greeted();
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("421 shutting down\r\n");
    c.client("QUIT\r\n");
    c.fin("server");
    expect((await hits("service-shutdown-421", c)).filter((h) => h.severity !== "info")).toEqual([]);
  });
});
