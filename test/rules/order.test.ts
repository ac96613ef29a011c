import { describe, expect, it } from "vitest";
import { conv } from "../support/fixtures.js";
import { clean, envelope, greeted, hits } from "../support/rules.js";

describe("greeting, order and pairing", () => {
  it("greeting-invalid: a 250 greeting (error), a masked banner (warning)", async () => {
    const a = conv().handshake();
    a.server("250 mx ready\r\n");
    expect(await hits("greeting-invalid", a)).toEqual([
      { severity: "error", side: "server", frames: [4], message: "the greeting has code 250; a connection opens with 220 (or 554, 521, 421)" },
    ]);
    const b = conv().handshake();
    b.server("220 ******************************\r\n");
    // a banner masked by a firewall (middlebox-esmtp-rewriting) does not blame the server
    expect(await hits("greeting-invalid", b)).toEqual([]);
    expect((await hits("middlebox-esmtp-rewriting", b)).map((f) => [f.side, f.frames])).toEqual([["middlebox", [4]]]);
    const c = conv().handshake();
    c.server("220 *** mail service\r\n"); // a few asterisks are no mask
    expect(await hits("greeting-invalid", c)).toEqual([
      { severity: "warning", side: "server", frames: [4], message: "the 220 greeting starts with `***`, not a domain or address literal" },
    ]);
  });

  it("greeting-invalid near miss: 554 and an address-literal 220", async () => {
    const a = conv().handshake();
    a.server("554 no service\r\n");
    const b = conv().handshake();
    b.server("220 [192.0.2.25] ready\r\n");
    expect(await hits("greeting-invalid", a)).toEqual([]);
    expect(await hits("greeting-invalid", b)).toEqual([]);
  });

  it("unsolicited-reply: two replies to one NOOP; a 421 is only info", async () => {
    const c = greeted();
    c.client("NOOP\r\n");
    c.server("250 ok\r\n");
    c.server("250 again\r\n"); // frame 9
    c.server("421 shutting down\r\n"); // frame 10
    expect(await hits("unsolicited-reply", c)).toEqual([
      { severity: "error", side: "server", frames: [9], message: "the reply `250 again` arrived when no command was waiting for a reply" },
      { severity: "info", side: "server", frames: [10], message: "the reply `421 shutting down` arrived when no command was waiting for a reply (421 may be sent at any time)" },
    ]);
  });

  it("unsolicited-reply near miss: a capture that starts mid-connection with a reply to an unseen command", async () => {
    const c = conv().midstream();
    c.server("250 2.1.5 Ok\r\n");
    c.client("DATA\r\n");
    c.server("354 go\r\n");
    expect(await hits("unsolicited-reply", c)).toEqual([]);
  });

  it("reply-count-mismatch: one of two pipelined commands goes unanswered and the server closes (counted, FIFO)", async () => {
    const c = greeted();
    c.client("NOOP\r\nQUIT\r\n"); // frame 7, pipelined
    c.server("250 ok\r\n"); // 8
    c.fin("server"); // 9
    expect(await hits("reply-count-mismatch", c)).toEqual([
      { severity: "error", side: "server", frames: [7, 9], message: "`QUIT` got no reply, and the server closed the connection (frame 9)" },
    ]);
    const d = greeted();
    d.client("RSET\r\n"); // frame 7
    d.fin("server"); // frame 8
    expect((await hits("reply-count-mismatch", d)).map((x) => [x.frames, x.message])).toEqual([[[7, 8], "`RSET` got no reply, and the server closed the connection (frame 8)"]]);
  });

  it("reply-count-mismatch near miss: the client closes before the reply; the capture simply ends", async () => {
    const c = greeted();
    c.client("QUIT\r\n");
    c.fin("client");
    c.fin("server");
    expect(await hits("reply-count-mismatch", c)).toEqual([]);
    const d = greeted();
    d.client("NOOP\r\n");
    expect(await hits("reply-count-mismatch", d)).toEqual([]);
  });

  it("reply-code-unexpected-for-command: RSET answered 550 (warning), EHLO answered 354 (error)", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a.test\r\n"); // 5
    c.server("354 go on\r\n"); // 6
    c.client("RSET\r\n"); // 7
    c.server("550 no\r\n"); // 8
    expect(await hits("reply-code-unexpected-for-command", c)).toEqual([
      { severity: "error", side: "server", frames: [5, 6], message: "`EHLO a.test` was answered 354 (`354 go on`), which is not a reply defined for it; a 3yz asks the client for more input it has no reason to send" },
      { severity: "warning", side: "server", frames: [7, 8], message: "`RSET` was answered 550 (`550 no`), which is not a reply defined for it" },
    ]);
  });

  it("reply-code-unexpected-for-command near miss: universal 421/500/501/530 and table codes", async () => {
    const c = greeted();
    c.client("RSET x\r\n");
    c.server("501 syntax\r\n");
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("530 5.7.0 Must issue a STARTTLS command first\r\n");
    c.client("VRFY a\r\n");
    c.server("252 cannot verify\r\n");
    expect(await hits("reply-code-unexpected-for-command", c)).toEqual([]);
    expect(await hits("reply-code-unexpected-for-command", clean())).toEqual([]);
  });

  it("mail-without-helo: MAIL right after the greeting; near miss: after a HELO", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("MAIL FROM:<a@b.test>\r\n"); // 5
    c.server("503 5.5.1 send HELO first\r\n");
    expect(await hits("mail-without-helo", c)).toEqual([
      { severity: "error", side: "client", frames: [5], message: "`MAIL FROM:<a@b.test>` was sent before any EHLO/HELO was accepted" },
    ]);
    const ok = conv().handshake();
    ok.server("220 mx ESMTP\r\n");
    ok.client("HELO a.test\r\n");
    ok.server("250 mx\r\n");
    ok.client("MAIL FROM:<a@b.test>\r\n");
    ok.server("250 ok\r\n");
    expect(await hits("mail-without-helo", ok)).toEqual([]);
  });

  it("mail-without-helo near miss: a mid-connection capture proves nothing", async () => {
    const c = conv().midstream();
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("250 ok\r\n");
    expect(await hits("mail-without-helo", c)).toEqual([]);
  });

  it("transaction-order-violation: nested MAIL, RCPT without MAIL; near miss: a rejected EHLO keeps the transaction", async () => {
    const c = greeted();
    c.client("RCPT TO:<b@b.test>\r\n"); // 7
    c.server("503 need MAIL\r\n");
    c.client("MAIL FROM:<a@b.test>\r\n"); // 9
    c.server("250 ok\r\n");
    c.client("MAIL FROM:<c@b.test>\r\n"); // 11
    c.server("503 nested\r\n");
    expect(await hits("transaction-order-violation", c)).toEqual([
      { severity: "error", side: "client", frames: [7], message: "`RCPT TO:<b@b.test>` was sent without a MAIL command in this transaction" },
      { severity: "error", side: "client", frames: [11], message: "`MAIL FROM:<c@b.test>` was sent while the previous transaction was still open" },
    ]);
    const ok = greeted();
    ok.client("MAIL FROM:<a@b.test>\r\n");
    ok.server("250 ok\r\n");
    ok.client("EHLO\r\n");
    ok.server("501 Syntax: EHLO hostname\r\n");
    ok.client("RCPT TO:<b@b.test>\r\n");
    ok.server("250 ok\r\n");
    expect(await hits("transaction-order-violation", ok)).toEqual([]);
  });

  it("message-data-without-354: content pipelined behind DATA (ACK proof); near miss: content after the 354", async () => {
    const c = greeted();
    envelope(c); // MAIL, 250, RCPT, 250
    c.client("DATA\r\nSubject: x\r\n\r\nhi\r\n.\r\n"); // frame 11: DATA and content together
    c.server("354 go\r\n"); // 12
    c.server("250 queued\r\n");
    expect(await hits("message-data-without-354", c)).toEqual([
      { severity: "error", side: "client", frames: [11, 12], message: "the message content was sent before the reply to DATA (`354 go`) had arrived" },
    ]);
    expect(await hits("message-data-without-354", clean())).toEqual([]);
  });
});
