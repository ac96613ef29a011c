import { describe, expect, it } from "vitest";
import { clean, envelope, greeted, hits, report } from "../support/rules.js";
import { conv, EHLO_LINES } from "../support/fixtures.js";

describe("command grammar, sequence and state rules", () => {
  it("command-syntax: space after the colon, path without <>, bare IP in HELO, DATA with a parameter, trailing space (and a 501 for it); near miss: a clean session", async () => {
    const c = greeted();
    c.client("MAIL FROM: <a@b.test>\r\n"); // 7
    c.server("250 ok\r\n");
    c.client("RCPT TO:b@b.test\r\n"); // 9
    c.server("250 ok\r\n");
    c.client("DATA now\r\n"); // 11
    c.server("501 no parameters\r\n");
    c.client("RSET \r\n"); // 13
    c.server("501 syntax\r\n");
    c.client("HELO 192.0.2.1\r\n"); // 15
    c.server("250 mx\r\n");
    expect(await hits("command-syntax", c)).toEqual([
      { severity: "warning", side: "client", frames: [7], message: "`MAIL FROM: <a@b.test>` has a space after the colon: spaces are not permitted on either side of it" },
      { severity: "warning", side: "client", frames: [9], message: "`RCPT TO:b@b.test` gives the path without angle brackets (`<…>`)" },
      { severity: "error", side: "client", frames: [11], message: "`DATA now` carries a parameter, but DATA takes none" },
      { severity: "warning", side: "server", frames: [13, 14], message: "the server rejected `RSET ` with 501 only for its trailing white space, which it SHOULD tolerate" },
      { severity: "info", side: "client", frames: [13], message: "`RSET ` ends with white space before the CRLF" },
      { severity: "warning", side: "client", frames: [15], message: "`HELO 192.0.2.1` gives the IP address `192.0.2.1` without brackets: an address is sent as an address literal (`[192.0.2.1]`)" },
    ]);
    const ok = clean();
    ok.client("EHLO [192.0.2.1]\r\n");
    ok.client("MAIL FROM:<>\r\n");
    expect(await hits("command-syntax", ok)).toEqual([]);
  });

  it("sequence-error-not-503: RCPT without MAIL accepted (error) or answered 550 (warning), MAIL inside a transaction accepted; near miss: 503s", async () => {
    const c = greeted();
    c.client("RCPT TO:<x@b.test>\r\n"); // 7
    c.server("250 ok\r\n"); // 8
    c.client("MAIL FROM:<a@b.test>\r\n"); // 9
    c.server("550 no\r\n");
    c.client("RCPT TO:<y@b.test>\r\n"); // 11
    c.server("550 unknown user\r\n"); // 12
    c.client("MAIL FROM:<a@b.test>\r\n"); // 13
    c.server("250 ok\r\n");
    c.client("MAIL FROM:<c@b.test>\r\n"); // 15
    c.server("250 ok\r\n"); // 16
    expect(await hits("sequence-error-not-503", c)).toEqual([
      { severity: "error", side: "server", frames: [7, 8], message: "`RCPT TO:<x@b.test>` came with no accepted MAIL and was accepted with 250" },
      { severity: "warning", side: "server", frames: [11, 12], message: "`RCPT TO:<y@b.test>` came with no accepted MAIL and was answered 550, not 503" },
      { severity: "warning", side: "server", frames: [15, 16], message: "`MAIL FROM:<c@b.test>` came inside an open transaction and was accepted with 250: the server restarted the transaction instead of answering 503" },
    ]);
    const ok = greeted();
    ok.client("RCPT TO:<x@b.test>\r\n");
    ok.server("503 5.5.1 Error: need MAIL command\r\n");
    envelope(ok);
    ok.client("MAIL FROM:<c@b.test>\r\n");
    ok.server("503 5.5.1 Error: nested MAIL command\r\n");
    ok.client("RCPT TO:<z@b.test>\r\n");
    ok.server("250 ok\r\n"); // the first transaction is still open
    expect(await hits("sequence-error-not-503", ok)).toEqual([]);
  });

  it("service-shutdown-421: the 421 (info), a server that answers on (warning), a client that sends on after it arrived (warning); near miss: QUIT after 421", async () => {
    const c = greeted();
    c.client("MAIL FROM:<a@b.test>\r\n"); // 7
    c.server("421 4.3.2 shutting down\r\n"); // 8
    c.client("RCPT TO:<b@b.test>\r\n"); // 9: sent after the 421 arrived
    c.server("250 ok\r\n"); // 10
    expect(await hits("service-shutdown-421", c)).toEqual([
      { severity: "warning", side: "server", frames: [8, 10], message: "after its 421 the server answered 1 more command (first `250 ok`) instead of closing" },
      { severity: "warning", side: "client", frames: [8, 9], message: "the client sent 1 command (first `RCPT TO:<b@b.test>`) after the 421 had reached it" },
      { severity: "info", side: "server", frames: [8], message: "the server sent `421 4.3.2 shutting down` (in reply to `MAIL FROM:<a@b.test>`): it is closing the connection" },
    ]);
    const ok = greeted();
    ok.client("MAIL FROM:<a@b.test>\r\n");
    ok.server("421 4.3.2 shutting down\r\n");
    ok.client("QUIT\r\n");
    ok.fin("server").fin("client");
    expect((await hits("service-shutdown-421", ok)).map((h) => h.severity)).toEqual(["info"]);
    expect(await hits("service-shutdown-421", clean())).toEqual([]);
  });

  it("auth-state-violation: AUTH after 235 and inside a transaction, not answered 503; near miss: one AUTH before MAIL", async () => {
    const c = greeted();
    c.client("AUTH PLAIN AGFAYg==\r\n"); // 7
    c.server("235 2.7.0 ok\r\n");
    c.client("AUTH PLAIN AGFAYg==\r\n"); // 9
    c.server("235 2.7.0 ok\r\n"); // 10
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("250 ok\r\n");
    expect(await hits("auth-state-violation", c)).toEqual([
      { severity: "error", side: "server", frames: [9, 10], message: "the server answered the AUTH sent after the client had already authenticated (235) with 235, not 503" },
      { severity: "warning", side: "client", frames: [9], message: "the client sent `AUTH PLAIN [redacted 8 bytes]` after the client had already authenticated (235)" },
    ]);
    const t = greeted();
    envelope(t);
    t.client("AUTH PLAIN AGFAYg==\r\n"); // 11
    t.server("503 5.5.1 Error: MAIL transaction in progress\r\n");
    expect(await hits("auth-state-violation", t)).toEqual([
      { severity: "warning", side: "client", frames: [11], message: "the client sent `AUTH PLAIN [redacted 8 bytes]` inside a mail transaction (after an accepted MAIL)" },
    ]);
    const ok = greeted();
    ok.client("AUTH PLAIN AGFAYg==\r\n");
    ok.server("235 2.7.0 ok\r\n");
    envelope(ok);
    expect(await hits("auth-state-violation", ok)).toEqual([]);
  });

  it("pipelining-data-accepted-without-rcpt: 354 after every RCPT failed (warning with PIPELINING, info without); near miss: one RCPT accepted", async () => {
    const pipelined = (lines?: string[]) => {
      const c = greeted(lines);
      c.client("MAIL FROM:<a@b.test>\r\nRCPT TO:<x@b.test>\r\nDATA\r\n"); // 7
      c.server("250 ok\r\n550 no such user\r\n354 go ahead\r\n"); // 8
      c.client("Subject: x\r\n\r\nhi\r\n.\r\n");
      c.server("554 no valid recipients\r\n");
      return c;
    };
    expect(await hits("pipelining-data-accepted-without-rcpt", pipelined())).toEqual([
      { severity: "warning", side: "server", frames: [7, 8], message: "the server answered DATA with `354 go ahead` although all 1 RCPT command of the transaction had failed (PIPELINING was advertised)" },
    ]);
    expect((await hits("pipelining-data-accepted-without-rcpt", pipelined(EHLO_LINES.filter((l) => !l.includes("PIPELINING"))))).map((h) => h.severity)).toEqual(["info"]);
    expect(await hits("pipelining-data-accepted-without-rcpt", clean())).toEqual([]);
  });

  it("server-close-after-554-greeting: close without waiting for QUIT, a command answered 250; near miss: 503s and 221 to QUIT", async () => {
    const c = conv().handshake();
    c.server("554 5.7.1 no service for you\r\n"); // 4
    c.client("EHLO a.test\r\n"); // 5
    c.server("250 mx\r\n"); // 6
    c.fin("server"); // 7
    expect(await hits("server-close-after-554-greeting", c)).toEqual([
      { severity: "error", side: "server", frames: [4, 7], message: "after its 554 greeting the server closed the connection (FIN, 3.0 ms after the greeting) without waiting for QUIT" },
      { severity: "warning", side: "server", frames: [4, 5, 6], message: "after its 554 greeting the server answered `EHLO a.test` with `250 mx`, not 503" },
    ]);
    const ok = conv().handshake();
    ok.server("554 5.7.1 no service for you\r\n");
    ok.client("EHLO a.test\r\n");
    ok.server("503 5.5.1 bad sequence of commands\r\n");
    ok.client("QUIT\r\n");
    ok.server("221 bye\r\n");
    ok.fin("server").fin("client");
    expect(await hits("server-close-after-554-greeting", ok)).toEqual([]);
  });

  it("deprecated-feature: TURN, a source route, a #-literal; near miss: ETRN and plain paths", async () => {
    const c = greeted();
    c.client("TURN\r\n"); // 7
    c.server("502 no\r\n");
    c.client("MAIL FROM:<@relay.test:a@b.test>\r\n"); // 9
    c.server("250 ok\r\n");
    c.client("HELO #12345\r\n"); // 11
    c.server("250 mx\r\n");
    expect(await hits("deprecated-feature", c)).toEqual([
      { severity: "warning", side: "client", frames: [7], message: "the client sent TURN, deprecated since RFC 2821 (ETRN replaces it)" },
      { severity: "warning", side: "client", frames: [9], message: "`MAIL FROM:<@relay.test:a@b.test>` carries a source route (`<@host,…:`)" },
      { severity: "error", side: "client", frames: [11], message: "`HELO #12345` gives a `#` host literal, which MUST NOT be used" },
    ]);
    const ok = greeted();
    ok.client("ETRN example.test\r\n");
    ok.server("250 queuing started\r\n");
    envelope(ok);
    expect(await hits("deprecated-feature", ok)).toEqual([]);
  });

  it("starttls-misuse: STARTTLS with a parameter, a 250 to STARTTLS, 530 to NOOP; near miss: 220, and 530 to MAIL", async () => {
    const c = greeted();
    c.client("NOOP\r\n"); // 7
    c.server("530 5.7.0 Must issue a STARTTLS command first\r\n"); // 8
    c.client("STARTTLS now\r\n"); // 9
    c.server("250 whatever\r\n"); // 10
    expect(await hits("starttls-misuse", c)).toEqual([
      { severity: "warning", side: "server", frames: [7, 8], message: "the server answered NOOP with `530 5.7.0 Must issue a STARTTLS command first`: RFC 3207 §4 keeps NOOP, EHLO, STARTTLS and QUIT usable before TLS" },
      { severity: "error", side: "client", frames: [9], message: "`STARTTLS now`: STARTTLS takes no parameters" },
      { severity: "warning", side: "server", frames: [9, 10], message: "the server answered STARTTLS with `250 whatever`: RFC 3207 allows 220, 454 or 501" },
    ]);
    const ok = greeted();
    ok.client("MAIL FROM:<a@b.test>\r\n");
    ok.server("530 5.7.0 Must issue a STARTTLS command first\r\n");
    ok.client("STARTTLS\r\n");
    ok.server("220 2.0.0 Ready to start TLS\r\n");
    expect(await hits("starttls-misuse", ok)).toEqual([]);
  });
});

describe("more catalog rules: limits, enhanced codes, submission, AUTH= parameter, timeouts", () => {
  it("auth-state-violation counts a 235 at the end of an AUTH LOGIN exchange", async () => {
    const c = greeted();
    c.client("AUTH LOGIN\r\n"); // 7
    c.server("334 VXNlcm5hbWU6\r\n");
    c.client("dXNlcg==\r\n"); // 9
    c.server("334 UGFzc3dvcmQ6\r\n");
    c.client("cGFzcw==\r\n"); // 11
    c.server("235 2.7.0 ok\r\n");
    c.client("AUTH PLAIN AGFAYg==\r\n"); // 13
    c.server("503 5.5.1 Error: already authenticated\r\n");
    expect(await hits("auth-state-violation", c)).toEqual([
      { severity: "warning", side: "client", frames: [13], message: "the client sent `AUTH PLAIN [redacted 8 bytes]` after the client had already authenticated (235)" },
    ]);
  });

  it("recipient-limit-below-100: 452 4.5.3 to the 3rd RCPT, and 552 for it (info); near miss: 452 for another reason", async () => {
    const c = greeted();
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("RCPT TO:<1@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("RCPT TO:<2@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("RCPT TO:<3@b.test>\r\n"); // 13
    c.server("552 5.5.3 Error: too many recipients\r\n"); // 14
    expect(await hits("recipient-limit-below-100", c)).toEqual([
      { severity: "warning", side: "server", frames: [13, 14], message: "RCPT number 3 of the transaction was refused as one recipient too many: `552 5.5.3 Error: too many recipients`" },
      { severity: "info", side: "server", frames: [13, 14], message: "too many recipients was answered 552; RFC 5321 §4.5.3.1.10 asks for 452, so that the client sends the rest later" },
    ]);
    const ok = greeted();
    ok.client("MAIL FROM:<a@b.test>\r\n");
    ok.server("250 ok\r\n");
    ok.client("RCPT TO:<1@b.test>\r\n");
    ok.server("452 4.3.1 Insufficient system storage\r\n");
    expect(await hits("recipient-limit-below-100", ok)).toEqual([]);
  });

  it("esc-missing-or-inconsistent: a reply without an enhanced code (and how many more), codes differing within a reply, a code on 354 (info); near miss: no ENHANCEDSTATUSCODES", async () => {
    const lines = ["250-mx.example.test", "250-PIPELINING", "250 ENHANCEDSTATUSCODES"];
    const c = greeted(lines);
    c.client("MAIL FROM:<a@b.test>\r\n"); // 7
    c.server("250 ok\r\n"); // 8
    c.client("RCPT TO:<b@b.test>\r\n"); // 9
    c.server("250-2.1.5 first\r\n250 2.1.0 second\r\n"); // 10
    c.client("DATA\r\n"); // 11
    c.server("354 2.0.0 go ahead\r\n"); // 12
    c.client("x\r\n.\r\n"); // 13
    c.server("250 queued\r\n"); // 14
    expect(await hits("esc-missing-or-inconsistent", c)).toEqual([
      { severity: "warning", side: "server", frames: [8, 14], message: "reply line `250 ok` has no enhanced status code although the server advertised ENHANCEDSTATUSCODES (1 more reply too)" },
      { severity: "warning", side: "server", frames: [10], message: "the lines of one 250 reply carry different enhanced codes (2.1.5, 2.1.0)" },
      { severity: "info", side: "server", frames: [12], message: "the 354 reply carries an enhanced status code (`2.0.0`), which 3yz replies do not take" },
    ]);
    const ok = greeted(["250-mx.example.test", "250 PIPELINING"]);
    ok.client("MAIL FROM:<a@b.test>\r\n");
    ok.server("250 ok\r\n");
    expect(await hits("esc-missing-or-inconsistent", ok)).toEqual([]);
    expect(await hits("esc-missing-or-inconsistent", clean())).toEqual([]);
  });

  it("submission-unauthenticated-mail-accepted: MAIL accepted on 587 without AUTH; near miss: after AUTH, and on port 25", async () => {
    const c = greeted(undefined, conv({ server: "192.0.2.25:587" }).handshake());
    c.client("MAIL FROM:<a@b.test>\r\n"); // 7
    c.server("250 ok\r\n"); // 8
    expect(await hits("submission-unauthenticated-mail-accepted", c)).toEqual([
      { severity: "info", side: "server", frames: [7, 8], message: "the submission server (port 587) accepted `MAIL FROM:<a@b.test>` without AUTH" },
    ]);
    const ok = greeted(undefined, conv({ server: "192.0.2.25:587" }).handshake());
    ok.client("AUTH PLAIN AGFAYg==\r\n");
    ok.server("235 2.7.0 ok\r\n");
    envelope(ok);
    expect(await hits("submission-unauthenticated-mail-accepted", ok)).toEqual([]);
    expect(await hits("submission-unauthenticated-mail-accepted", clean())).toEqual([]);
  });

  it("auth-mail-param: an AUTH= value that is not xtext; near miss: xtext and <>", async () => {
    const c = greeted();
    c.client("MAIL FROM:<a@b.test> AUTH=a+b=c@b.test\r\n"); // 7
    c.server("250 ok\r\n");
    expect(await hits("auth-mail-param", c)).toEqual([
      { severity: "warning", side: "client", frames: [7], message: "`MAIL FROM:<a@b.test> AUTH=a+b=c@b.test`: the AUTH= value `a+b=c@b.test` is not xtext" },
    ]);
    const ok = greeted();
    ok.client("MAIL FROM:<a@b.test> AUTH=a+2Bb+3Dc@b.test\r\n");
    ok.server("250 ok\r\n");
    ok.client("MAIL FROM:<a@b.test> AUTH=<>\r\n");
    ok.server("503 nested\r\n");
    expect(await hits("auth-mail-param", ok)).toEqual([]);
  });

  it("client-timeout-too-short: the client closes 30 s into waiting for the reply to MAIL; near miss: after 6 minutes", async () => {
    const wait = (seconds: number) => {
      const c = greeted();
      c.client("MAIL FROM:<a@b.test>\r\n"); // 7
      c.fin("client", { t: c.now + seconds }); // 8
      return c;
    };
    expect(await hits("client-timeout-too-short", wait(30))).toEqual([
      { severity: "warning", side: "client", frames: [7, 8], message: "the client closed the connection after waiting 30.0 s for the reply to `MAIL FROM:<a@b.test>`; RFC 5321 asks clients to wait at least 5 minutes in this phase" },
    ]);
    expect(await hits("client-timeout-too-short", wait(360))).toEqual([]);
  });

  it("server-idle-timeout-too-short: the server closes after 60 s of client silence; near miss: after 6 minutes, and right after a reply", async () => {
    const idle = (seconds: number) => {
      const c = greeted(); // the EHLO reply is frame 6
      c.fin("server", { t: c.now + seconds }); // 7
      return c;
    };
    expect(await hits("server-idle-timeout-too-short", idle(60))).toEqual([
      { severity: "warning", side: "server", frames: [7], message: "the server closed the connection after the client had been idle for 60.0 s, with nothing outstanding; RFC 5321 asks servers to wait at least 5 minutes" },
    ]);
    expect(await hits("server-idle-timeout-too-short", idle(360))).toEqual([]);
    expect(await hits("server-idle-timeout-too-short", idle(0))).toEqual([]);
  });
});

describe("middleboxes, greeting delay, text after the end of data, SIZE", () => {
  it("middlebox-esmtp-rewriting: an asterisk-masked banner and an XXXX command; near miss: a normal banner", async () => {
    const c = conv().handshake();
    c.server("220 ****************************2*0*0******2**0*******0*\r\n"); // 4
    c.client("EHLO a.test\r\n");
    c.server("250 mx\r\n");
    c.client("XXXX\r\n"); // 7
    c.server("500 unknown command\r\n");
    expect(await hits("middlebox-esmtp-rewriting", c)).toEqual([
      { severity: "warning", side: "middlebox", frames: [4], message: "the greeting `220 ****************************2*0*0******2**0*******0*` is masked with asterisks: a firewall's SMTP inspection (such as Cisco ASA/PIX) rewrote it" },
      { severity: "warning", side: "middlebox", frames: [7], message: "a command arrived as `XXXX`: a firewall replaced a command it does not allow with X's" },
    ]);
    expect(await hits("middlebox-esmtp-rewriting", clean())).toEqual([]);
  });

  // greeting-delay: test/rules/greeting-delay.test.ts

  it("data-continues-after-end: unstuffed '.' line, the rest refused as commands; near miss: a dot-stuffed line", async () => {
    const c = greeted();
    envelope(c);
    c.client("DATA\r\n");
    c.server("354 go\r\n");
    c.client("Subject: x\r\n\r\nfirst\r\n.\r\nsecond part\r\n"); // 13: the lone "." ends the message
    c.server("250 queued\r\n500 unknown command\r\n"); // 14
    expect(await hits("data-continues-after-end", c)).toEqual([
      { severity: "warning", side: "client", frames: [13], message: "after the end of the message the client sent 1 line of text (first `second part`) that the server refused as commands: the message held an unstuffed \".\" line and was cut there" },
    ]);
    expect(await hits("data-continues-after-end", clean({ body: "Subject: x\r\n\r\nfirst\r\n..\r\nsecond part\r\n.\r\n" }))).toEqual([]);
  });

  it("size-limit-violation: SIZE= above the limit, a message larger than declared, 552 for a message within its size; near miss: within limits", async () => {
    const lines = ["250-mx.example.test", "250-PIPELINING", "250 SIZE 1000"];
    const c = greeted(lines);
    c.client("MAIL FROM:<a@b.test> SIZE=2000\r\n"); // 7
    c.server("552 5.3.4 too big\r\n");
    c.client("MAIL FROM:<a@b.test> SIZE=10\r\n"); // 9
    c.server("250 ok\r\n");
    c.client("RCPT TO:<b@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("DATA\r\n");
    c.server("354 go\r\n");
    c.client("Subject: a longer message than declared\r\n\r\nhello\r\n.\r\n"); // 15
    c.server("250 queued\r\n");
    c.client("MAIL FROM:<a@b.test> SIZE=500\r\n");
    c.server("250 ok\r\n");
    c.client("RCPT TO:<b@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("DATA\r\n");
    c.server("354 go\r\n");
    c.client("Subject: small\r\n\r\nhi\r\n.\r\n"); // 23
    c.server("552 5.3.4 message too big\r\n"); // 24
    expect(await hits("size-limit-violation", c)).toEqual([
      { severity: "warning", side: "client", frames: [7], message: "`MAIL FROM:<a@b.test> SIZE=2000` declares 2000 octets, more than the 1000 the server advertised" },
      { severity: "info", side: "client", frames: [15], message: "the message (at least 47 octets) is larger than the SIZE=10 its MAIL declared" },
      { severity: "info", side: "server", frames: [23, 24], message: "the server refused the message with `552 5.3.4 message too big` although it was no larger (22 octets at most) than the SIZE=500 it had accepted" },
    ]);
    expect(await hits("size-limit-violation", clean({ ehlo: lines }))).toEqual([]);
  });
});

describe("verdict", () => {
  it("a grammar nit (minor rule) never decides", async () => {
    const c = greeted();
    c.client("MAIL FROM: <a@b.test>\r\n"); // 7: command-syntax warning
    c.server("250 ok\r\n");
    c.client("RCPT TO:<b@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("DATA\r\n");
    c.server("354 go\r\n");
    c.client(`Subject: x\r\n\r\n${"y".repeat(1200)}\r\n.\r\n`); // data-line-too-long warning, later
    c.server("250 queued\r\n");
    const rep = await report(c);
    expect(rep.findings.filter((f) => f.severity === "warning").map((f) => f.rule)).toEqual(["command-syntax", "data-line-too-long"]);
    expect(rep.sessions[0].verdict.decisive?.rule).toBe("data-line-too-long");
    const alone = greeted();
    alone.client("MAIL FROM: <a@b.test>\r\n");
    alone.server("250 ok\r\n");
    const v = (await report(alone)).sessions[0].verdict;
    expect([v.fault, v.decisive, v.summary]).toEqual(["none", null, "No violation found beyond 1 grammar nit (command-syntax)."]);
  });
});

describe("AUTH grammar", () => {
  it("auth-exchange-syntax: a 334 in clear text, a response that is not BASE64 accepted, `*` answered 535; near miss: a clean LOGIN exchange", async () => {
    const c = greeted();
    c.client("AUTH LOGIN\r\n"); // 7
    c.server("334 Username:\r\n"); // 8
    c.client("user name\r\n"); // 9
    c.server("334 UGFzc3dvcmQ6\r\n"); // 10
    c.client("*\r\n"); // 11
    c.server("535 5.7.8 failed\r\n"); // 12
    expect(await hits("auth-exchange-syntax", c)).toEqual([
      { severity: "error", side: "server", frames: [8], message: "the challenge `334 Username:` is not BASE64" },
      { severity: "error", side: "client", frames: [9], message: "the SASL response `[redacted 9 bytes]` is not BASE64" },
      { severity: "error", side: "server", frames: [9, 10], message: "the server answered a response that is not BASE64 with `334 UGFzc3dvcmQ6`, not 501" },
      { severity: "error", side: "server", frames: [11, 12], message: "the client cancelled the exchange with `*` and the server answered `535 5.7.8 failed`, not 501" },
    ]);
    const ok = greeted();
    ok.client("AUTH LOGIN\r\n");
    ok.server("334 VXNlcm5hbWU6\r\n");
    ok.client("dXNlcg==\r\n");
    ok.server("334 UGFzc3dvcmQ6\r\n");
    ok.client("*\r\n");
    ok.server("501 5.7.0 cancelled\r\n");
    expect(await hits("auth-exchange-syntax", ok)).toEqual([]);
  });

  it("auth-initial-response-invalid: empty after a space, longer than 512 octets, not BASE64; near miss: `=` and a short response", async () => {
    const c = greeted();
    c.client("AUTH PLAIN \r\n"); // 7
    c.server("334 \r\n");
    c.client("*\r\n");
    c.server("501 cancelled\r\n");
    c.client(`AUTH PLAIN ${"QUFB".repeat(130)}\r\n`); // 11: 533 octets
    c.server("535 no\r\n");
    c.client("AUTH PLAIN not!base64\r\n"); // 13
    c.server("501 bad\r\n");
    expect(await hits("auth-initial-response-invalid", c)).toEqual([
      { severity: "error", side: "client", frames: [7], message: "`AUTH PLAIN ` ends with a space and no initial response (an empty one is sent as `=`)" },
      { severity: "error", side: "client", frames: [11], message: "`AUTH PLAIN [redacted 520 bytes]` is 533 octets with its initial response, more than 512" },
      { severity: "error", side: "client", frames: [13], message: "`AUTH PLAIN [redacted 10 bytes]` carries an initial response that is not BASE64" },
    ]);
    const ok = greeted();
    ok.client("AUTH EXTERNAL =\r\n");
    ok.server("235 ok\r\n");
    ok.client("AUTH PLAIN AGFAYg==\r\n");
    ok.server("503 already\r\n");
    expect(await hits("auth-initial-response-invalid", ok)).toEqual([]);
  });
});

describe("BDAT sequence and AUTH lockout", () => {
  it("bdat-sequence-violation: BDAT after LAST accepted, BDAT after a refused chunk arrived, DATA after BDAT; near miss: MAIL between, and a pipelined chunk", async () => {
    const c = greeted(); // EHLO_LINES offer CHUNKING
    envelope(c); // 7-10
    c.client("BDAT 5 LAST\r\nhello"); // 11
    c.server("250 ok\r\n");
    c.client("BDAT 3\r\nabc"); // 13: after LAST
    c.server("250 ok\r\n"); // 14
    envelope(c); // 15-18
    c.client("BDAT 3\r\nabc"); // 19
    c.server("552 too big\r\n"); // 20
    c.client("BDAT 3 LAST\r\nxyz"); // 21: after the refusal arrived
    c.server("503 5.5.1 no\r\n");
    envelope(c); // 23-26
    c.client("BDAT 3\r\nabc"); // 27
    c.server("250 ok\r\n");
    c.client("DATA\r\n"); // 29
    c.server("503 5.5.1 no\r\n");
    expect(await hits("bdat-sequence-violation", c)).toEqual([
      { severity: "error", side: "client", frames: [13], message: "`BDAT 3` was sent after BDAT LAST, before a new MAIL" },
      { severity: "error", side: "server", frames: [13, 14], message: "the server answered `BDAT 3`, sent after BDAT LAST, before a new MAIL, with 250, not 503" },
      { severity: "error", side: "client", frames: [21], message: "`BDAT 3 LAST` was sent after the refusal `552 too big` of an earlier chunk had reached the client" },
      { severity: "error", side: "client", frames: [29], message: "`DATA` was sent after BDAT in the same transaction" },
    ]);
    const ok = greeted();
    envelope(ok);
    ok.client("BDAT 3\r\nabcBDAT 3 LAST\r\nxyz"); // the second chunk was in the pipeline before the refusal
    ok.server("552 too big\r\n503 5.5.1 no\r\n");
    envelope(ok);
    ok.client("BDAT 3 LAST\r\nabc");
    ok.server("250 ok\r\n");
    expect(await hits("bdat-sequence-violation", ok)).toEqual([]);
  });

  it("auth-lockout-too-early: closed after one failure; near miss: after three", async () => {
    const fail = (n: number) => {
      const c = greeted();
      for (let i = 0; i < n; i++) {
        c.client("AUTH PLAIN AGFAYg==\r\n");
        c.server("535 5.7.8 authentication failed\r\n");
      }
      c.fin("server");
      return c;
    };
    expect(await hits("auth-lockout-too-early", fail(1))).toEqual([
      { severity: "warning", side: "server", frames: [8, 9], message: "the server closed the connection after 1 failed AUTH attempt; RFC 4954 asks for at least 3" },
    ]);
    expect(await hits("auth-lockout-too-early", fail(3))).toEqual([]);
  });
});

describe("bdat-sequence-violation near misses", () => {
  it("a BDAT line that does not parse, rejected, refuses no chunk: the next BDAT is fine", async () => {
    const c = greeted();
    envelope(c);
    c.client("BDAT 5 X\r\n");
    c.server("501 5.5.4 Syntax: BDAT count [LAST]\r\n");
    c.client("BDAT 5 LAST\r\nhello");
    c.server("250 ok\r\n");
    expect(await hits("bdat-sequence-violation", c)).toEqual([]);
  });
});
