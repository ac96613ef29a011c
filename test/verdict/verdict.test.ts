import { describe, expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { ALL_RULES } from "../../src/rules/index.js";
import type { Finding } from "../../src/rules/types.js";
import { fixFor, verdictFor } from "../../src/rules/verdict.js";
import { analyzeConv, conv, supportCase, tmpFile } from "../support/fixtures.js";
import { clean, greeted, report } from "../support/rules.js";
import { writeCapture, type Conversation } from "../support/writer.js";

// Exact verdict text for crafted sessions: one scenario per test.

const TLS_RECORD = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]);
/** an application_data record (content type 23): encrypted without keys */
const APP_DATA = Buffer.from([0x17, 0x03, 0x03, 0x00, 0x04, 1, 2, 3, 4]);

/** The capture as seen by a tap that got only one direction. */
function oneSide(c: Conversation, side: "client" | "server") {
  const src = Buffer.from(side === "client" ? [192, 0, 2, 10] : [192, 0, 2, 25]);
  return analyzeFile(tmpFile(writeCapture(c.packets.filter((p) => p.ip.subarray(12, 16).equals(src)))));
}

const RFC_PARTIAL = "RFC 5321 §4.3.1: “Unless other arrangements are negotiated through service extensions, the sender MUST wait for this response before sending further commands.” RFC 2920 §3.1: “Once the client SMTP has confirmed that support exists for the pipelining extension, the client SMTP may then elect to transmit groups of SMTP commands in batches … The EHLO, DATA, VRFY, EXPN, TURN, QUIT, and NOOP commands can only appear as the last command in a group …”";

describe("who is at fault", () => {
  it("the client acted on a split reply: who, what, the RFC sentence, what to do, the split is legal, and what follows from it", async () => {
    const c = supportCase(); // 6 EHLO reply head, 7 STARTTLS, 9 the tail, 10 the 220
    c.client("QUIT\r\n", { t: c.now + 1 }); // 12: plaintext after the 220
    c.fin("client");
    const rep = await analyzeConv(c);
    const v = rep.sessions[0].verdict;
    expect(v.fault).toBe("client");
    expect(v.summary).toBe(
      "The client is at fault: `STARTTLS` was sent after 3 of the 7 lines of the 250 reply to `EHLO naive.example.test`, before its final line `250 CHUNKING` (frames 6, 7, 9). " + RFC_PARTIAL +
      " Fix the client: keep reading until the final line of the reply." +
      " Splitting the reply across TCP segments is legal (RFC 5321 §1.1, RFC 793 §2.8)." +
      " 1 other finding follows from it (plaintext-after-starttls-accepted).",
    );
    // the sentence that answers "PIPELINING was negotiated": support is confirmed only by the whole reply, and EHLO ends a group
    expect(v.decisive).toEqual({ rule: "client-acted-on-partial-multiline-reply", reference: "RFC 5321 §4.3.1; RFC 2920 §3.1", quote: "Unless other arrangements are negotiated through service extensions, the sender MUST wait for this response before sending further commands." });
    expect(v.counts).toEqual({ error: 2, warning: 1, info: 1 });
    expect(v.independent).toEqual({ error: 1, warning: 1, info: 1 });
    // the crafted capture ends with the client's plaintext QUIT unanswered: that qualifies the verdict
    expect(v.limits).toEqual(["the capture ends before the server answered QUIT (frame 12) or closed the connection"]);
    expect(rep.findings.filter((f) => f.rule === "starttls-command-injection")).toEqual([]);
    const injection = rep.findings.find((f) => f.rule === "plaintext-after-starttls-accepted")!;
    expect(injection.frames).toEqual([7, 12]);
    expect(injection.consequenceOf).toEqual({
      rule: "client-acted-on-partial-multiline-reply",
      frame: 6,
      why: "STARTTLS went out before the previous reply was complete, so the rest of that reply arrived where the client expected the STARTTLS answer",
    });
  });

  it("the server ended a reply with a bare LF: no split sentence, no consequence sentence", async () => {
    const c = greeted();
    c.client("NOOP\r\n"); // 7
    c.server("250 ok\n"); // 8
    const v = (await report(c)).sessions[0].verdict;
    expect([v.fault, v.summary]).toEqual([
      "server",
      "The server is at fault: 1 server line without a proper CRLF (frame 8). RFC 5321 §2.3.8: “Conforming implementations MUST NOT recognize or generate any other character or character sequence as a line terminator.” End every line with CR LF.",
    ]);
  });

  it("a grammar nit alone never decides", async () => {
    const c = greeted();
    c.client("MAIL FROM: <a@b.test>\r\n"); // a space after the colon
    c.server("250 ok\r\n");
    c.client("RCPT TO:<b@b.test>\r\n");
    c.server("250 ok\r\n");
    const rep = await report(c);
    expect(rep.findings.map((f) => f.rule)).toEqual(["command-syntax"]);
    const v = rep.sessions[0].verdict;
    expect([v.fault, v.decisive]).toEqual(["none", null]);
    expect(v.summary).toMatch(/^No violation found( beyond 1 grammar nit \(command-syntax\))?\.$/);
  });
});

describe("cannot judge", () => {
  it("a capture of the client's side only", async () => {
    const rep = await oneSide(clean(), "client");
    const v = rep.sessions[0].verdict;
    expect([v.fault, v.summary, v.limits, v.decisive]).toEqual([
      "undetermined",
      "Cannot judge: the capture holds only the client's side: no packet from the server; the client acknowledged 249 server bytes that the capture does not hold (from frame 9).",
      ["the capture holds only the client's side: no packet from the server", "the client acknowledged 249 server bytes that the capture does not hold (from frame 9)"],
      null,
    ]);
  });

  it("a capture of the server's side only: no reply is called unsolicited", async () => {
    const rep = await oneSide(clean(), "server");
    const v = rep.sessions[0].verdict;
    expect([v.fault, v.summary]).toEqual([
      "undetermined",
      "Cannot judge: the capture holds only the server's side: no packet from the client; the server acknowledged 117 client bytes that the capture does not hold (from frame 8).",
    ]);
    // the client acknowledged bytes the capture lacks: pairing is not trusted, so no reply is called unsolicited
    expect(rep.findings).toEqual([]);
  });

  it("a capture that ends while EHLO awaits its reply", async () => {
    const c = conv().handshake();
    c.server("220 mx.example.test ESMTP\r\n"); // 4
    c.client("EHLO a.example.test\r\n"); // 5
    const v = (await analyzeConv(c)).sessions[0].verdict;
    expect([v.fault, v.summary, v.limits]).toEqual([
      "undetermined",
      "Cannot judge: the capture ends while the connection is open, with EHLO (frame 5) unanswered.",
      ["the capture ends while the connection is open, with EHLO (frame 5) unanswered"],
    ]);
  });

  it("lost client bytes: what is missing, where", async () => {
    const c = greeted();
    c.client("MAIL FROM:<a@b.test>\r\n", { lose: true });
    c.server("250 ok\r\n"); // 7
    c.client("QUIT\r\n"); // 8
    c.server("221 bye\r\n");
    c.fin("server").fin("client");
    const v = (await analyzeConv(c)).sessions[0].verdict;
    expect(v.fault).toBe("undetermined");
    expect(v.summary).toBe("Cannot judge: the server acknowledged 22 client bytes that the capture does not hold (from frame 8).");
  });

  it("limits the dissector states decide 'undetermined' when no finding does, and qualify a verdict when one does", async () => {
    const rep = await report(clean());
    const s = rep.sessions[0];
    s.limits = [{ kind: "acked-not-captured", side: "server", frame: 9, bytes: 170, text: "the client acknowledged 170 server bytes the capture does not hold (frame 9)" }];
    const v = verdictFor(s, [], ALL_RULES);
    expect([v.fault, v.summary, v.limits]).toEqual(["undetermined", "Cannot judge: the client acknowledged 170 server bytes the capture does not hold (frame 9).", ["the client acknowledged 170 server bytes the capture does not hold (frame 9)"]]);
    const f: Finding = { rule: "bare-cr-lf-in-reply", severity: "error", side: "server", session: s.index, tcpStream: 0, frames: [8], time: 0, message: "m", reference: "RFC 5321 §2.3.8", evidence: "e", filter: "tcp.stream eq 0 && frame.number in {8}" };
    const w = verdictFor(s, [f], ALL_RULES);
    expect([w.fault, w.limits]).toEqual(["server", ["the client acknowledged 170 server bytes the capture does not hold (frame 9)"]]);
    expect(w.summary).toMatch(/^The server is at fault: m \(frame 8\)\./);
    s.limits = [{ kind: "started-mid-session", text: "the capture starts after the session began" }, { kind: "ended-open", text: "the capture ends while the connection is open" }];
    expect(verdictFor(s, [], ALL_RULES).summary).toBe("Cannot judge: the capture starts after the session began; the capture ends while the connection is open.");
  });
});

describe("encryption", () => {
  it("TLS records after the STARTTLS 220: the plaintext part was judged", async () => {
    const c = greeted();
    c.client("STARTTLS\r\n"); // 7
    c.server("220 2.0.0 go ahead\r\n"); // 8
    c.client(TLS_RECORD); // 9
    c.server(TLS_RECORD); // 10
    c.client(APP_DATA); // 11: encrypted data flows (without it nothing would stay hidden)
    const v = (await analyzeConv(c)).sessions[0].verdict;
    // the plaintext part was readable, so no rule is "not evaluable" (it had something to look at)
    expect([v.fault, v.summary, v.notEvaluable]).toEqual(["none", "No violation in the plaintext part; the rest is encrypted (TLS from frame 9).", []]);
  });

  it("implicit TLS from the first byte: nothing was readable, so nothing is judged", async () => {
    const c = conv({ server: "192.0.2.25:465" }).handshake();
    c.client(TLS_RECORD); // 4
    c.server(TLS_RECORD); // 5
    c.client(APP_DATA); // 6
    c.server(APP_DATA); // 7
    c.fin("client").fin("server");
    const v = (await analyzeConv(c)).sessions[0].verdict;
    expect([v.fault, v.summary]).toEqual(["undetermined", "Cannot judge: the session is encrypted from its first payload (TLS from frame 4)."]);
  });

  it("an only-encrypted limit does not make a session undetermined", async () => {
    const s = (await report(clean())).sessions[0];
    s.limits = [{ kind: "encrypted", frame: 12, text: "the dialogue is encrypted from frame 12" }];
    const v = verdictFor(s, [], ALL_RULES);
    expect([v.fault, v.summary, v.limits]).toEqual(["none", "No violation in the plaintext part; the rest is encrypted (TLS from frame 12).", ["the dialogue is encrypted from frame 12"]]);
  });

  it("a STARTTLS 220 followed by plaintext and no TLS record is not called encrypted", async () => {
    const c = greeted();
    c.client("STARTTLS\r\n");
    c.server("220 2.0.0 go ahead\r\n");
    c.client("QUIT\r\n");
    c.server("221 bye\r\n");
    c.fin("server").fin("client");
    const v = (await analyzeConv(c)).sessions[0].verdict;
    expect(v.summary).not.toMatch(/encrypted/);
    expect(v.notEvaluable).toEqual([]);
  });
});

describe("consequences", () => {
  it("binary octets before the greeting: one fault, the rest follows from it", async () => {
    const c = conv().handshake();
    c.client("\x80\x81garbage\nmore\x90\n"); // 4: two lines before the greeting
    c.server("220 mx.example.test ESMTP\r\n500 bad \x80\x81garbage\r\n500 bad more\x90\r\n"); // 5: greeting and the echoes
    c.client("QUIT\r\n");
    c.server("221 bye\r\n");
    c.fin("server").fin("client");
    const rep = await analyzeConv(c);
    const v = rep.sessions[0].verdict;
    expect(v.summary).toBe(
      "The client is at fault: `\\x80\\x81garbage` was sent before the greeting's final line had arrived (frames 4, 5). RFC 5321 §4.3.1: “The sender SHOULD wait for this greeting message before sending any commands.”" +
      " Wait for the complete greeting; use implicit TLS only on port 465." +
      " 7 other findings follow from it (bare-cr-lf-in-command, non-ascii-in-command, client-command-before-reply-complete, reply-text-invalid-chars).",
    );
    expect(v.counts).toEqual({ error: 3, warning: 2, info: 0 });
    expect(v.independent).toEqual({ error: 0, warning: 1, info: 0 });
    expect(rep.findings.map((f) => [f.rule, f.count ?? 1, f.consequenceOf?.why ?? "independent"])).toEqual([
      ["bare-cr-lf-in-command", 2, "it is about the 2 lines the client sent before the greeting (frame 4)"],
      ["non-ascii-in-command", 2, "it is about the 2 lines the client sent before the greeting (frame 4)"],
      ["client-command-before-reply-complete", 1, "it is about the 2 lines the client sent before the greeting (frame 4)"],
      ["pregreet-early-talker", 1, "independent"],
      ["reply-text-invalid-chars", 2, "the reply echoes the non-SMTP octets of the 2 lines the client sent before the greeting (frame 4)"],
    ]);
  });

  it("a well-formed early EHLO does not make its own bare LF a consequence", async () => {
    const c = conv().handshake();
    c.client("EHLO a.example.test\n"); // 4: before the greeting, ended by a bare LF
    c.server("220 mx.example.test ESMTP\r\n250-mx.example.test\r\n250 8BITMIME\r\n"); // 5
    c.client("QUIT\r\n");
    c.server("221 bye\r\n");
    c.fin("server").fin("client");
    const rep = await analyzeConv(c);
    expect(rep.findings.map((f) => [f.rule, f.consequenceOf?.rule ?? "independent"])).toEqual([
      ["bare-cr-lf-in-command", "independent"],
      ["pregreet-early-talker", "independent"],
    ]);
  });

  it("a client that counted the head of a reply as a reply: the shifted pairing is not pipelining", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n"); // 4
    c.client("EHLO a.test\r\n"); // 5
    c.server("250-mx.example.test\r\n"); // 6: a reply that waits for its final line
    c.client("MAIL FROM:<a@b.test>\r\n"); // 7
    c.server("250 ok\r\n"); // 8: closes the EHLO reply, answers MAIL for the client
    c.client("RCPT TO:<b@b.test>\r\n"); // 9
    c.server("250 ok\r\n"); // 10
    c.client("DATA\r\n"); // 11
    c.server("250 ok\r\n"); // 12
    c.client("Subject: x\r\n\r\nhi\r\n.\r\n"); // 13
    c.server("354 go\r\n"); // 14
    c.client("QUIT\r\n"); // 15
    c.server("250 queued\r\n"); // 16
    c.fin("client");
    c.server("221 bye\r\n");
    c.fin("server");
    const rep = await analyzeConv(c);
    const v = rep.sessions[0].verdict;
    expect(v.decisive?.rule).toBe("client-acted-on-partial-multiline-reply");
    expect(v.summary).toMatch(/ 4 other findings follow from it \(pipelining-not-negotiated, message-data-without-354\)\.$/);
    const shifted = rep.findings.filter((f) => f.consequenceOf);
    expect(shifted.map((f) => [f.rule, f.count ?? 1, f.frames])).toEqual([
      ["pipelining-not-negotiated", 3, [9, 10, 11, 12, 15, 16]],
      ["message-data-without-354", 1, [13, 14]],
    ]);
    expect(shifted[0].consequenceOf?.why).toBe("the client counted the head of the reply it acted on (frame 6) as a reply of its own and then waited for one reply per command: each reply it waited for is the one before in smtpcap's pairing");
  });

  it("a client that really pipelines after acting early is not excused", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a.test\r\n");
    c.server("250-mx.example.test\r\n");
    c.client("MAIL FROM:<a@b.test>\r\nRCPT TO:<b@b.test>\r\nDATA\r\n"); // three at once, no PIPELINING
    c.server("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    const rep = await analyzeConv(c);
    expect(rep.findings.filter((f) => f.rule === "pipelining-not-negotiated").every((f) => !f.consequenceOf)).toBe(true);
  });
});

describe("repeats", () => {
  it("different variants of one rule collapse without one's text standing for the others", async () => {
    const c = greeted();
    c.client("RCPT TO:<b@b.test>\r\n"); // 7: RCPT without MAIL
    c.server("503 need MAIL\r\n");
    c.client("DATA\r\n"); // 9: DATA without MAIL
    c.server("503 need MAIL\r\n");
    const rep = await analyzeConv(c);
    expect(rep.findings.map((f) => [f.rule, f.count, f.message])).toEqual([
      ["transaction-order-violation", 2, "`RCPT TO:<b@b.test>` was sent without a MAIL command in this transaction (and 1 more finding of this rule in this session, in frame 9)"],
    ]);
  });

  it("collapse into one finding with the count, all frames and the first occurrences", async () => {
    const c = greeted();
    for (let i = 0; i < 6; i++) {
      c.client("RCPT TO:<b@b.test>\r\n"); // 7, 9, 11, 13, 15, 17
      c.server("503 need MAIL\r\n");
    }
    const rep = await analyzeConv(c);
    expect(rep.findings).toHaveLength(1);
    const f = rep.findings[0];
    expect([f.rule, f.count, f.frames, f.filter]).toEqual(["transaction-order-violation", 6, [7, 9, 11, 13, 15, 17], "tcp.stream eq 0 && frame.number in {7,9,11,13,15,17}"]);
    expect(f.message).toBe("`RCPT TO:<b@b.test>` was sent without a MAIL command in this transaction (and 5 more findings of this rule in this session, in frames 9, 11, 13, 15 and 1 more)");
    expect(rep.sessions[0].verdict.summary).toMatch(/^The client is at fault: `RCPT TO:<b@b\.test>` was sent without a MAIL command in this transaction \(6 times, frames 7, 9, 11, 13, 15, 17\)\. /);
    expect(rep.sessions[0].verdict.counts).toEqual({ error: 1, warning: 0, info: 0 });
  });
});

describe("the fix addressed to the side blamed", () => {
  it("takes that side's part of a fix written for both, else the first sentence", () => {
    const both = "Servers: answer QUIT with 221, time out only after 5 minutes, shut down with 421. Clients: end with QUIT and wait for the 221.";
    expect(fixFor(both, "client")).toBe("End with QUIT and wait for the 221.");
    expect(fixFor(both, "server")).toBe("Answer QUIT with 221, time out only after 5 minutes, shut down with 421.");
    expect(fixFor("Client: send STARTTLS last. Server: discard buffered input when TLS starts.", "server")).toBe("Discard buffered input when TLS starts.");
    expect(fixFor("Fix the client: keep reading until the final line of the reply. Splitting is legal.", "client")).toBe("Fix the client: keep reading until the final line of the reply.");
    expect(fixFor("Server/proxy: write each reply with one send(). Client: read to the final line.", "server")).toBe("Write each reply with one send().");
    expect(fixFor("Client: do this.", "middlebox")).toBe("");
  });
});

describe("a server-only capture of STARTTLS", () => {
  it("reads the server's TLS alert after the 220 as TLS, not as a reply it can accuse", async () => {
    const c = greeted(); // 4 greeting, 6 the 250
    c.client("STARTTLS\r\n").server("220 2.0.0 Ready to start TLS\r\n");
    c.client(TLS_RECORD);
    c.server(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46])); // fatal protocol_version
    c.fin("server");
    const rep = await oneSide(c, "server");
    const s = rep.sessions[0];
    expect(s.tls?.mode).toBe("starttls");
    expect(s.replies.map((r) => r.code)).toEqual([220, 250, 220]);
    expect(rep.findings.filter((f) => f.severity !== "info").map((f) => f.rule)).toEqual([]);
  });
});
