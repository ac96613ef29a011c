import { describe, expect, it } from "vitest";
import { conv } from "../support/fixtures.js";
import { clean, envelope, greeted, hits, report } from "../support/rules.js";

const TLS = ["250-mx.example.test", "250-PIPELINING", "250-STARTTLS", "250 AUTH PLAIN LOGIN"];
const CLIENT_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 1, 0, 0, 0]);
const SERVER_HELLO = Buffer.from([0x16, 0x03, 0x03, 0x00, 0x04, 2, 0, 0, 0]);

describe("STARTTLS (RFC 3207)", () => {
  function starttls(after: (c: ReturnType<typeof greeted>) => void) {
    const c = greeted(TLS);
    after(c);
    return c;
  }

  it("a clean STARTTLS: session marked encrypted from the 220; the plaintext before it was read, so no rule is listed as not evaluable", async () => {
    const c = starttls((c) => {
      c.client("STARTTLS\r\n"); // 7
      c.server("220 ready\r\n"); // 8
      c.client(CLIENT_HELLO); // 9
      c.server(SERVER_HELLO); // 10
    });
    const rep = await report(c);
    expect(rep.findings).toEqual([]);
    expect(rep.sessions[0].tls).toEqual({ mode: "starttls", frame: 8, time: expect.any(Number), clientHelloFrame: 9, serverHelloFrame: 10, encrypted: true, plaintextFrame: null, facts: expect.objectContaining({ firstFrame: 9 }) });
    expect(rep.sessions[0].verdict.notEvaluable).toEqual([]);
  });

  it("implicit TLS with no plaintext at all: the rules that read plaintext are not evaluable, with the reason", async () => {
    const c = conv({ server: "192.0.2.25:465" }).handshake();
    c.client(CLIENT_HELLO); // 4
    c.server(SERVER_HELLO); // 5
    const v = (await report(c)).sessions[0].verdict;
    expect(v.notEvaluable).toContain("client-command-before-reply-complete");
    expect(v.notEvaluable).not.toContain("implicit-tls-port-mismatch");
    expect(v.notEvaluableWhy?.[v.notEvaluable.indexOf("client-command-before-reply-complete")]).toBe("the session is encrypted from frame 4 and carries no plaintext SMTP");
  });

  // starttls-command-injection, plaintext-after-starttls-accepted: test/rules/starttls-command-injection.test.ts

  it("starttls-response-injection: plaintext after the 220, before ServerHello; also unsolicited-reply", async () => {
    const c = starttls((c) => {
      c.client("STARTTLS\r\n"); // 7
      c.server("220 ready\r\n250-x\r\n250 AUTH LOGIN\r\n"); // 8
      c.client(CLIENT_HELLO);
      c.server(SERVER_HELLO);
    });
    expect(await hits("starttls-response-injection", c)).toEqual([
      { severity: "error", side: "server", frames: [8], message: "the 250 reply (2 lines) was sent in plaintext after the STARTTLS 220, before the TLS handshake" },
    ]);
    expect((await hits("unsolicited-reply", c)).map((x) => x.frames)).toEqual([[8]]);
  });

  it("starttls-unavailable-or-stripped: an X-masked keyword; another session to the same server offered STARTTLS", async () => {
    // Cisco ASA's default ESMTP inspection shows STARTTLS as `XXXXXXXA` (Cisco 118550)
    const c = greeted(["250-mx.example.test", "250-PIPELINING", "250 XXXXXXXA"]);
    expect(await hits("starttls-unavailable-or-stripped", c)).toEqual([
      { severity: "warning", side: "middlebox", frames: [6], message: "the EHLO reply carries the masked keyword `XXXXXXXA`: a middlebox replaced an extension with X's (8 characters, as long as STARTTLS)" },
    ]);
    // keywords that start with X but are no mask: Exchange's XEXCH50 and X-EXPS, two X's and a letter
    const real = greeted(["250-mx.example.test", "250-XEXCH50", "250-X-EXPS GSSAPI", "250-XXA", "250 XXXXXXX5"]);
    expect(await hits("starttls-unavailable-or-stripped", real)).toEqual([]);
    const m = greeted(["250-mx.example.test", "250-PIPELINING", "250 XXXXXXXX"]);
    expect(await hits("starttls-unavailable-or-stripped", m)).toEqual([
      { severity: "warning", side: "middlebox", frames: [6], message: "the EHLO reply carries the masked keyword `XXXXXXXX`: a middlebox replaced an extension with X's (8 characters, as long as STARTTLS)" },
    ]);
    const offered = greeted(TLS, conv({ client: "192.0.2.11:40001" }).handshake());
    const stripped = greeted(["250-mx.example.test", "250 PIPELINING"], conv({ client: "192.0.2.12:40002", t0: 1700000100 }).handshake());
    const rep = await report([offered, stripped]);
    expect(rep.findings.filter((f) => f.rule === "starttls-unavailable-or-stripped").map((f) => [f.session, f.message])).toEqual([
      [1, "the EHLO reply does not offer STARTTLS, but an earlier connection to the same server 192.0.2.25:25 (tcp.stream 0) was offered it"],
    ]);
  });

  it("starttls-unavailable-or-stripped near miss: the EHLO reply inside TLS (decrypted capture) lacks STARTTLS, as RFC 3207 §4.2 requires", async () => {
    /** a session that offers STARTTLS, takes it, and whose TLS phase is in the capture decrypted */
    function decrypted(client: string, t0: number) {
      const c = greeted(TLS, conv({ client, t0 }).handshake());
      c.client("STARTTLS\r\n"); // 7
      c.server("220 2.0.0 ready\r\n"); // 8
      c.client("EHLO client.example.test\r\n"); // 9, inside TLS
      c.server("250-mx.example.test\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n"); // 10
      c.client("QUIT\r\n");
      c.server("221 bye\r\n");
      c.fin("server").fin("client");
      return c;
    }
    const rep = await report([decrypted("192.0.2.11:40001", 1700000000), decrypted("192.0.2.12:40002", 1700000100)]);
    expect(rep.sessions.map((x) => x.tls?.decrypted)).toEqual([true, true]);
    expect(rep.findings.filter((f) => f.rule === "starttls-unavailable-or-stripped")).toEqual([]);
    expect(rep.sessions.map((x) => x.verdict.fault)).toEqual(["none", "none"]);
  });

  it("plaintext-after-starttls-failure: 454, then AUTH LOGIN in plaintext (error); near miss: the client quits", async () => {
    const c = starttls((c) => {
      c.client("STARTTLS\r\n"); // 7
      c.server("454 4.7.0 TLS not available\r\n"); // 8
      c.client("AUTH LOGIN\r\n"); // 9
      c.server("334 VXNlcm5hbWU6\r\n");
    });
    expect(await hits("plaintext-after-starttls-failure", c)).toEqual([
      { severity: "error", side: "client", frames: [7, 8, 9], message: "STARTTLS was answered 454 (`454 4.7.0 TLS not available`) and the client continued in plaintext with `AUTH LOGIN`: credentials were sent in clear" },
    ]);
    const ok = starttls((c) => {
      c.client("STARTTLS\r\n");
      c.server("454 4.7.0 TLS not available\r\n");
      c.client("QUIT\r\n");
      c.server("221 bye\r\n");
    });
    expect(await hits("plaintext-after-starttls-failure", ok)).toEqual([]);
  });
});

describe("AUTH and parameters", () => {
  it("auth-cleartext-credentials: AUTH PLAIN without TLS, user redacted to a tag, password never", async () => {
    const c = greeted(TLS);
    const ir = Buffer.from("\0alice\0s3cret").toString("base64");
    c.client(`AUTH PLAIN ${ir}\r\n`); // 7
    c.server("235 2.7.0 ok\r\n");
    const rep = await report(c);
    const h = rep.findings.filter((f) => f.rule === "auth-cleartext-credentials");
    expect(h.map((f) => [f.severity, f.frames, f.message])).toEqual([["warning", [7], "AUTH `PLAIN` for user `[redacted #1]` was sent without TLS: the password is on the wire in clear; the server accepted it (235)"]]);
    expect(JSON.stringify(rep)).not.toContain(ir);
    expect(rep.sessions[0].commands[1].line).toBe(`AUTH PLAIN [redacted ${ir.length} bytes]`);
  });

  it("auth-cleartext-credentials near miss: AUTH inside TLS is invisible", async () => {
    const c = greeted(TLS);
    c.client("STARTTLS\r\n");
    c.server("220 go\r\n");
    c.client(CLIENT_HELLO);
    expect(await hits("auth-cleartext-credentials", c)).toEqual([]);
  });

  it("auth-mechanism-not-advertised: CRAM-MD5 when only PLAIN LOGIN are offered; near miss: LOGIN", async () => {
    const c = greeted(TLS);
    c.client("AUTH CRAM-MD5\r\n"); // 7
    c.server("504 5.5.4 mechanism not supported\r\n");
    c.client("AUTH LOGIN\r\n");
    c.server("334 VXNlcm5hbWU6\r\n");
    expect(await hits("auth-mechanism-not-advertised", c)).toEqual([
      { severity: "warning", side: "client", frames: [7], message: "AUTH `CRAM-MD5` was sent, but the server offered only `PLAIN LOGIN`" },
    ]);
  });

  it("esmtp-param-not-advertised: SIZE= without SIZE, BODY=8BITMIME without 8BITMIME; near miss: advertised", async () => {
    const c = greeted(["250-mx.example.test", "250 PIPELINING"]);
    c.client("MAIL FROM:<a@b.test> SIZE=100 BODY=8BITMIME\r\n"); // 7
    c.server("555 unsupported\r\n");
    expect((await hits("esmtp-param-not-advertised", c)).map((x) => x.message)).toEqual([
      "`MAIL FROM:<a@b.test> SIZE=100 BODY=8BITMIME` uses `SIZE`=, but SIZE was not advertised",
      "`MAIL FROM:<a@b.test> SIZE=100 BODY=8BITMIME` uses `BODY`=, but 8BITMIME was not advertised",
    ]);
    const ok = greeted(["250-mx.example.test", "250-SIZE 1000", "250 8BITMIME"]);
    ok.client("MAIL FROM:<a@b.test> SIZE=100 BODY=8BITMIME\r\n");
    ok.server("250 ok\r\n");
    expect(await hits("esmtp-param-not-advertised", ok)).toEqual([]);
  });
});

describe("DATA content and SMTP smuggling", () => {
  it("nonstandard-end-of-data, bare-cr-lf-in-data, smuggled-commands-in-data: `\\n.\\r\\n` then MAIL FROM", async () => {
    const body = "Subject: x\r\n\r\nhi\n.\r\nMAIL FROM:<evil@b.test>\r\nRCPT TO:<v@b.test>\r\nDATA\r\n\r\nforged\r\n.\r\n";
    const c = clean({ body });
    expect(await hits("nonstandard-end-of-data", c)).toEqual([
      { severity: "error", side: "client", frames: [13], message: "the message contains 1 non-standard end-of-data sequence, the first `\\n.\\r\\n` at client offset 102" },
    ]);
    expect(await hits("bare-cr-lf-in-data", c)).toEqual([
      { severity: "error", side: "client", frames: [13], message: "the message contains 1 bare LF and 0 bare CR; the first (LF) at client offset 102" },
    ]);
    expect(await hits("smuggled-commands-in-data", c)).toEqual([
      { severity: "error", side: "client", frames: [13], message: "after a non-standard end-of-data the message carries command lines: `MAIL FROM:<evil@b.test>`, `RCPT TO:<v@b.test>`, `DATA`" },
    ]);
  });

  it("near miss: a dot-stuffed `..` line and CRLF everywhere", async () => {
    const c = clean({ body: "Subject: x\r\n\r\n..leading dot\r\nMAIL FROM: is just text\r\n.\r\n" });
    expect(await hits("nonstandard-end-of-data", c)).toEqual([]);
    expect(await hits("smuggled-commands-in-data", c)).toEqual([]);
    expect(await hits("bare-cr-lf-in-data", c)).toEqual([]);
  });

  it("every smuggling variant is recognised", async () => {
    const variants = ["\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r", "\r.\r\n", "\r\n.\r", "\n.\r", "\r.\n", "\r\n\x00.\r\n"];
    for (const v of variants) {
      const rep = await report(clean({ body: `Subject: x\r\n\r\nhi${v}tail\r\n.\r\n` }));
      const msg = rep.sessions[0].commands.find((c) => c.kind === "message")!.message!;
      expect(msg.nonstandardEnds.map((e) => e.sequence), JSON.stringify(v)).toEqual([JSON.stringify(v).slice(1, -1).replace("\\u0000", "\\x00")]);
      expect(msg.endOfData).toBe("\\r\\n.\\r\\n");
    }
  });

  it("server-accepts-nonstandard-eod: the server replies after `\\n.\\n` and before the real end (ACK proof)", async () => {
    const c = greeted();
    envelope(c); // MAIL, 250, RCPT, 250
    c.client("DATA\r\n");
    c.server("354 go\r\n"); // 12
    c.client("hi\n.\n"); // 13
    c.server("250 queued as 1\r\n"); // 14: acks the fake end
    c.client("MAIL FROM:<evil@b.test>\r\n.\r\n"); // 15
    const h = await hits("server-accepts-nonstandard-eod", c);
    expect(h.map((x) => [x.severity, x.side, x.frames, x.message])).toEqual([
      ["error", "server", [13, 14], "the server replied `250 queued as 1` after the fake end-of-data `\\n.\\n` and before the real one: it ended the message early"],
    ]);
    expect(await hits("server-accepts-nonstandard-eod", clean({ body: "hi\n.\ntail\r\n.\r\n" }))).toEqual([]);
  });

  it("data-line-too-long: a 1001-octet line (1001 is fine when dot-stuffed)", async () => {
    const long = "x".repeat(999) + "\r\n"; // 1001 octets
    const stuffed = "." + "y".repeat(998) + "\r\n"; // 1001 octets, dot-stuffed: allowed
    expect((await hits("data-line-too-long", clean({ body: long + ".\r\n" }))).map((x) => x.message)).toEqual(["1 message line exceeds 1000 octets; the longest has 1001"]);
    expect(await hits("data-line-too-long", clean({ body: stuffed + ".\r\n" }))).toEqual([]);
    // the message's first line starts at client offset 86 (26 + 28 + 26 + 6 octets of commands before it), not at 0
    const f = (await report(clean({ body: long + ".\r\n" }))).findings.find((x) => x.rule === "data-line-too-long")!;
    expect(f.evidence).toBe("first at client offset 86, 1001 octets");
  });
});

describe("CHUNKING / BDAT (RFC 3030)", () => {
  it("bdat-without-chunking; near miss: CHUNKING advertised", async () => {
    const c = greeted(["250-mx.example.test", "250 PIPELINING"]);
    envelope(c); // MAIL, 250, RCPT, 250
    c.client("BDAT 5 LAST\r\nhello"); // 11
    c.server("250 ok\r\n");
    expect(await hits("bdat-without-chunking", c)).toEqual([
      { severity: "error", side: "client", frames: [11], message: "`BDAT 5 LAST` was sent, but CHUNKING was not advertised" },
    ]);
    const rep = await report(c);
    expect(rep.sessions[0].commands[3].bdat).toEqual({ size: 5, last: true, received: 5, framing: null });
  });

  it("bdat-framing-error: a chunk size that is one too small leaves a line that is no command", async () => {
    const c = greeted(["250-mx.example.test", "250 CHUNKING"]);
    envelope(c); // MAIL, 250, RCPT, 250
    c.client("BDAT 4 LAST\r\nhello\r\n"); // 11: "hell" is the chunk, "o" starts a "command"
    c.server("250 ok\r\n");
    c.server("500 unknown\r\n");
    expect(await hits("bdat-framing-error", c)).toEqual([
      { severity: "error", side: "client", frames: [11], message: "after the 4-octet chunk the stream continues with `o`, not a command: the chunk size is wrong" },
    ]);
  });

  it("bdat-framing-error: invalid chunk-size; the stream closing before the chunk is complete", async () => {
    const c = greeted(["250-mx.example.test", "250 CHUNKING"]);
    c.client("BDAT -5\r\n"); // 7
    c.server("501 syntax\r\n");
    c.client("BDAT 1000000000 LAST\r\nshort"); // 9
    c.fin("client");
    expect((await hits("bdat-framing-error", c)).map((x) => x.message)).toEqual([
      "`BDAT -5` does not have the form `BDAT chunk-size [LAST]`",
      "BDAT announced 1000000000 octets but only 5 followed before the connection closed",
    ]);
  });

  it("bdat near miss: exact chunks pipelined", async () => {
    const c = greeted(["250-mx.example.test", "250-PIPELINING", "250 CHUNKING"]);
    c.client("MAIL FROM:<a@b.test>\r\nRCPT TO:<b@b.test>\r\nBDAT 5\r\nhelloBDAT 3 LAST\r\nabc");
    c.server("250 ok\r\n250 ok\r\n250 5 octets\r\n250 queued\r\n");
    const rep = await report(c);
    expect(rep.findings).toEqual([]);
    expect(rep.sessions[0].commands.map((x) => [x.verb, x.replies.length])).toEqual([["EHLO", 1], ["MAIL", 1], ["RCPT", 1], ["BDAT", 1], ["BDAT", 1]]);
  });
});

describe("implicit TLS", () => {
  it("implicit-tls-port-mismatch: a plaintext greeting on port 465; near miss: TLS first", async () => {
    const c = conv({ server: "192.0.2.25:465" }).handshake();
    c.server("220 mx ESMTP\r\n");
    c.client(CLIENT_HELLO);
    c.server("500 5.5.2 Error: bad syntax\r\n");
    expect(await hits("implicit-tls-port-mismatch", c)).toEqual([
      { severity: "warning", side: "server", frames: [4], message: "the server on port 465 spoke plaintext SMTP (`220 mx ESMTP`) instead of starting TLS" },
    ]);
    expect(await hits("unsolicited-reply", c)).toEqual([]);
    const ok = conv({ server: "192.0.2.25:465" }).handshake();
    ok.client(CLIENT_HELLO);
    ok.server(SERVER_HELLO);
    expect(await hits("implicit-tls-port-mismatch", ok)).toEqual([]);
  });
});

describe("end-of-data across segment boundaries", () => {
  it("finds CRLF.CRLF whichever octet a segment boundary falls after", async () => {
    const body = "Subject: x\r\n\r\nhello\r\n.\r\n";
    for (let cut = 1; cut < body.length; cut++) {
      const c = greeted();
      envelope(c); // MAIL, 250, RCPT, 250
      c.client("DATA\r\n");
      c.server("354 go\r\n");
      c.client(body.slice(0, cut));
      c.client(body.slice(cut));
      c.server("250 queued\r\n");
      c.client("QUIT\r\n");
      c.server("221 bye\r\n");
      const rep = await report(c);
      const msg = rep.sessions[0].commands.find((x) => x.kind === "message")!;
      expect([cut, msg.message!.endOfData, msg.message!.bytes, msg.message!.longestLine]).toEqual([cut, "\\r\\n.\\r\\n", body.length, 12]);
      expect(rep.findings, `cut ${cut}`).toEqual([]);
    }
  });
});
