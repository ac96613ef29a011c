import { describe, expect, it } from "vitest";
import { Judge } from "../../src/rules/engine.js";
import { DEFAULT_RULE_OPTIONS } from "../../src/rules/types.js";
import { conversationOf } from "../../src/smtp/conversation.js";
import type { Session } from "../../src/smtp/model.js";
import { conv } from "../support/fixtures.js";
import { envelope, greeted, hits, report } from "../support/rules.js";
import type { Conversation as Capture } from "../support/writer.js";

const PIPE = ["250-mx.example.test", "250-PIPELINING", "250-SIZE 1000", "250 8BITMIME"];

type JudgedSession = Awaited<ReturnType<typeof report>>["sessions"][number];

async function session(c: Capture): Promise<JudgedSession> {
  const rep = await report(c);
  expect(rep.sessions).toHaveLength(1);
  return rep.sessions[0];
}
async function model(c: Capture) {
  const s = await session(c);
  return { s, conv: conversationOf(s), at: (verbOrLine: string) => conversationOf(s).exchanges.find((e) => e.command.line === verbOrLine)! };
}

describe("conversation: mail transactions (RFC 5321 §4.1.4, one definition)", () => {
  it("MAIL, two RCPTs (one refused), DATA and the message make one transaction ended by the message", async () => {
    const c = greeted(PIPE);
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("RCPT TO:<x@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("RCPT TO:<y@b.test>\r\n");
    c.server("550 no such user\r\n");
    c.client("DATA\r\n");
    c.server("354 go\r\n");
    c.client("hi\r\n.\r\n");
    c.server("250 queued\r\n");
    c.client("QUIT\r\n");
    c.server("221 bye\r\n");
    const { conv: m, at } = await model(c);
    expect(m.transactions).toHaveLength(1);
    const tx = m.transactions[0];
    expect(tx.mailAccepted).toBe(true);
    expect(tx.rcpts.map((x) => x.line)).toEqual(["RCPT TO:<x@b.test>", "RCPT TO:<y@b.test>"]);
    expect(tx.accepted.map((x) => x.line)).toEqual(["RCPT TO:<x@b.test>"]);
    expect(tx.body).toBe("DATA");
    expect(tx.end?.kind).toBe("message");
    expect(at("DATA").open).toBe(true);
    expect(at("QUIT").transaction).toBeNull();
    expect(at("QUIT").previous).toBe(tx);
    expect(at("RCPT TO:<y@b.test>").outcome).toBe("permanent");
  });

  it("RSET ends it; an accepted EHLO ends it; a refused EHLO leaves it open (the RCPT after it belongs to it)", async () => {
    const c = greeted(PIPE);
    envelope(c);
    c.client("RSET\r\n");
    c.server("250 ok\r\n");
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("EHLO\r\n");
    c.server("501 EHLO needs a domain\r\n");
    c.client("RCPT TO:<z@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("EHLO c.test\r\n");
    c.server("250 mx\r\n");
    c.client("RCPT TO:<w@b.test>\r\n");
    c.server("503 need MAIL\r\n");
    const { conv: m, at } = await model(c);
    expect(m.transactions.map((t) => [t.rcpts.length, t.end?.kind])).toEqual([[1, "rset"], [1, "ehlo"]]);
    expect(at("RCPT TO:<z@b.test>").transaction).toBe(m.transactions[1]);
    expect(at("RCPT TO:<w@b.test>").transaction).toBeNull();
    expect(await hits("sequence-error-not-503", c)).toEqual([]);
    expect(await hits("transaction-order-violation", c)).toEqual([
      { severity: "error", side: "client", frames: [21], message: "`RCPT TO:<w@b.test>` was sent without a MAIL command in this transaction" },
    ]);
  });

  it("a MAIL refused inside an open transaction (503 nested MAIL) keeps that transaction; BDAT LAST ends one", async () => {
    const c = greeted(["250-mx.example.test", "250-PIPELINING", "250 CHUNKING"]);
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("MAIL FROM:<b@b.test>\r\n");
    c.server("503 nested MAIL\r\n");
    c.client("RCPT TO:<x@b.test>\r\n");
    c.server("250 ok\r\n");
    c.client("BDAT 2 LAST\r\nhi");
    c.server("250 ok\r\n");
    const { conv: m } = await model(c);
    expect(m.transactions).toHaveLength(1);
    expect(m.transactions[0].mail.line).toBe("MAIL FROM:<a@b.test>");
    expect(m.transactions[0].rcpts).toHaveLength(1);
    expect(m.transactions[0].body).toBe("BDAT");
    expect(m.transactions[0].end?.kind).toBe("bdat-last");
    expect(await hits("sequence-error-not-503", c)).toEqual([]);
  });
});

describe("conversation: phases and capabilities in force", () => {
  it("after AUTH is answered 235 the phase is post-auth; AUTH again is reported", async () => {
    const c = greeted(["250-mx.example.test", "250 AUTH PLAIN"]);
    c.client("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
    c.server("235 ok\r\n");
    c.client("AUTH PLAIN AGJvYgBzZWNyZXQ=\r\n");
    c.server("503 already authenticated\r\n");
    const { conv: m } = await model(c);
    expect(m.exchanges.map((e) => e.phase)).toEqual(["pre-tls", "pre-tls", "post-auth"]);
    expect((await hits("auth-state-violation", c)).map((x) => [x.side, x.message])).toEqual([
      ["client", "the client sent `AUTH PLAIN [redacted 16 bytes]` after the client had already authenticated (235)"],
    ]);
  });

  it("EHLO then MAIL at once after PIPELINING was negotiated: MAIL runs on the first EHLO's capabilities, and pipelining-command-not-last fires", async () => {
    const c = greeted(PIPE); // 4 greeting, 5 EHLO, 6 reply
    c.client("EHLO again.example.test\r\nMAIL FROM:<a@b.test>\r\n"); // 7
    c.server("250-mx.example.test\r\n250 SIZE 10\r\n"); // 8
    c.server("250 ok\r\n"); // 9
    const { conv: m, at } = await model(c);
    const mail = at("MAIL FROM:<a@b.test>");
    expect(mail.caps?.reply.frames).toEqual([6]);
    expect(mail.caps?.keywords.has("PIPELINING")).toBe(true);
    expect(mail.advertised?.reply.frames).toEqual([8]);
    expect(m.early.map((e) => [e.cmd.line, e.prev?.line, e.pipelining])).toEqual([["MAIL FROM:<a@b.test>", "EHLO again.example.test", true]]);
    expect(await hits("pipelining-command-not-last", c)).toEqual([
      { severity: "error", side: "client", frames: [7, 8], message: "`MAIL FROM:<a@b.test>` followed `EHLO again.example.test` before the 250 reply (2 lines) had arrived; `EHLO` must be the last command of a pipelined group" },
    ]);
  });

  it("near miss: the same EHLO and MAIL, the MAIL sent after the second EHLO reply arrived", async () => {
    const c = greeted(PIPE);
    c.client("EHLO again.example.test\r\n");
    c.server("250-mx.example.test\r\n250 SIZE 10\r\n");
    c.client("MAIL FROM:<a@b.test>\r\n");
    c.server("250 ok\r\n");
    const { at } = await model(c);
    expect(at("MAIL FROM:<a@b.test>").caps?.keywords.has("PIPELINING")).toBe(false);
    expect(await hits("pipelining-command-not-last", c)).toEqual([]);
  });
});

describe("conversation: early commands when the awaited reply never arrives", () => {
  it("EHLO and MAIL in one segment to a server that never answers", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n"); // 4
    c.client("EHLO a.test\r\nMAIL FROM:<a@b.test>\r\n"); // 5
    c.ack("server");
    const { conv: m } = await model(c);
    expect(m.early.map((e) => [e.cmd.line, e.prev?.line, e.reply, e.by])).toEqual([["MAIL FROM:<a@b.test>", "EHLO a.test", null, "segment"]]);
    expect(await hits("client-command-before-reply-complete", c)).toEqual([
      { severity: "error", side: "client", frames: [5], message: "`MAIL FROM:<a@b.test>` was sent together with `EHLO a.test`, before any reply to it (none ever arrived)" },
    ]);
  });

  it("a client that talks to a server that never greets; near miss: it waits for the greeting", async () => {
    const c = conv().handshake();
    c.client("EHLO a.test\r\n"); // 4
    c.ack("server");
    expect(await hits("pregreet-early-talker", c)).toEqual([
      { severity: "warning", side: "client", frames: [4], message: "`EHLO a.test` was sent before any greeting had arrived" },
    ]);
    const near = conv().handshake();
    near.server("220 mx ESMTP\r\n");
    near.client("EHLO a.test\r\n");
    expect(await hits("pregreet-early-talker", near)).toEqual([]);
  });
});

describe("conversation: trust after a capture gap", () => {
  it("a lost client segment (the server ACKed it): pairing is trusted before it, not after", async () => {
    const c = greeted(PIPE); // 4, 5, 6
    c.client("MAIL FROM:<a@b.test>\r\n"); // 7
    c.server("250 ok\r\n"); // 8
    c.client("RCPT TO:<x@b.test>\r\n", { lose: true });
    c.server("250 ok\r\n"); // 9: answers the lost RCPT
    c.client("DATA\r\n"); // 10
    c.server("354 go\r\n"); // 11
    const { s, conv: m, at } = await model(c);
    expect(s.gaps.map((g) => [g.side, g.bytes])).toEqual([["client", 20]]);
    expect(m.untrustedFrom?.side).toBe("client");
    expect(at("MAIL FROM:<a@b.test>").trusted).toBe(true);
    expect(at("DATA").trusted).toBe(false);
    // DATA paired with the RCPT's 250: a pairing rule must not accuse anyone of it
    expect((await report(c)).findings.filter((f) => f.severity !== "info")).toEqual([]);
  });

  it("a lost server reply: the command it answered and everything after are untrusted", async () => {
    const c = greeted(PIPE);
    c.client("MAIL FROM:<a@b.test>\r\n"); // 7
    c.server("250 ok\r\n", { lose: true });
    c.client("RCPT TO:<x@b.test>\r\n"); // 8
    c.server("250 ok\r\n"); // 9
    c.client("DATA\r\n"); // 10
    c.server("354 go\r\n"); // 11
    c.client("hi\r\n.\r\n"); // 12
    c.server("250 queued\r\n"); // 13
    const { s, conv: m } = await model(c);
    expect(s.gaps.map((g) => g.side)).toEqual(["server"]);
    expect(m.exchanges.map((e) => [e.command.verb || e.command.kind, e.trusted])).toEqual([["EHLO", true], ["MAIL", false], ["RCPT", false], ["DATA", false], ["message", false]]);
    expect((await report(c)).findings.filter((f) => f.severity !== "info")).toEqual([]);
  });

  it("a gap before any exchange: pairing rules are listed as not evaluable, with the reason", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n", { lose: true });
    c.client("EHLO a.test\r\n");
    c.server("250 mx\r\n");
    const v = (await session(c)).verdict;
    expect(v.notEvaluable).toContain("reply-code-unexpected-for-command");
    expect(v.notEvaluableWhy?.[v.notEvaluable.indexOf("reply-code-unexpected-for-command")]).toMatch(/^replies cannot be paired with commands: the capture lacks 14 server bytes/);
  });

  it("resynchronisation keeps the line that starts exactly at the gap's end", async () => {
    const c = greeted(PIPE);
    c.client("NOOP\r\n", { lose: true });
    c.client("RSET\r\n");
    c.server("250 ok\r\n250 ok\r\n");
    const s = await session(c);
    expect(s.commands.map((x) => x.line)).toEqual(["EHLO client.example.test", "RSET"]);
  });

  it("a ClientHello after a lost STARTTLS 220 still switches the session to TLS", async () => {
    const c = greeted(["250-mx.example.test", "250 STARTTLS"]);
    c.client("STARTTLS\r\n"); // 7
    c.server("220 ready\r\n", { lose: true });
    c.client(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 1, 0, 0, 0])); // 8
    c.server(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x04, 2, 0, 0, 0, 0x17, 0x03, 0x03, 0x00, 0x02, 0x0a, 0x0d])); // 9
    const s = await session(c);
    expect(s.tls).toMatchObject({ mode: "starttls", clientHelloFrame: 8, serverHelloFrame: 9 });
    expect((await report(c)).findings.filter((f) => f.side === "server" && f.severity !== "info")).toEqual([]);
  });
});

/** Greeting, EHLO (PIPELINING), MAIL, RCPT, DATA and its 354 (frame 12). */
function inData(): Capture {
  const c = greeted(PIPE);
  envelope(c);
  c.client("DATA\r\n");
  c.server("354 go\r\n");
  return c;
}

describe("conversation: the dialogue follows the server after a non-standard end of data", () => {
  it("the server answers 250 after a bare-LF `.`: the QUIT after it is a command and the 221 its reply", async () => {
    const c = inData(); // 12: the 354
    c.client("hi\n.\n"); // 13
    c.server("250 queued\r\n"); // 14
    c.client("QUIT\r\n"); // 15
    c.server("221 bye\r\n"); // 16
    const s = await session(c);
    const quit = s.commands.find((x) => x.verb === "QUIT")!;
    expect(quit.kind).toBe("command");
    expect(quit.replies.map((r) => s.replies[r].code)).toEqual([221]);
    const rep = await report(c);
    expect(rep.findings.filter((f) => f.rule === "unsolicited-reply" || f.rule === "smuggled-commands-in-data")).toEqual([]);
    expect(await hits("server-accepts-nonstandard-eod", c)).toEqual([
      { severity: "error", side: "server", frames: [13, 14], message: "the server replied `250 queued` after the fake end-of-data `\\n.\\n` and before the real one: it ended the message early" },
    ]);
  });

  it("more end-of-data replies than DATA commands: server-accepts-nonstandard-eod, not unsolicited-reply", async () => {
    const c = inData(); // 12: the 354
    c.client("hi\r\n\n.\r\nMAIL FROM:<evil@b.test>\r\nRCPT TO:<v@b.test>\r\nDATA\r\nforged\r\n.\r\n"); // 13
    c.server("250 queued 1\r\n"); // 14
    c.server("250 ok\r\n250 ok\r\n354 go\r\n250 queued 2\r\n"); // 15
    const rep = await report(c);
    expect(rep.findings.filter((f) => f.rule === "unsolicited-reply")).toEqual([]);
    expect(await hits("server-accepts-nonstandard-eod", c)).toEqual([
      { severity: "error", side: "server", frames: [13, 15], message: "after the message the server sent 4 more replies (250, 250, 354, 250) that no command asked for: it ended the message at the fake end-of-data `\\n.\\r\\n` and answered the commands hidden after it (`MAIL FROM:<evil@b.test>`, `RCPT TO:<v@b.test>`, `DATA`)" },
    ]);
  });
});

describe("conversation: a command line the server took as a SASL response (Command.takenAsAuthResponse)", () => {
  it("is answered as an AUTH response, is no credential, and closing rules see the QUIT", async () => {
    const c = greeted(["250-mx.example.test", "250 AUTH LOGIN"]);
    c.client("AUTH LOGIN\r\n"); // 7
    c.server("334 VXNlcm5hbWU6\r\n"); // 8
    c.client("QUIT\r\n"); // 9
    c.server("334 UGFzc3dvcmQ6\r\n"); // 10
    c.fin("client");
    // the dissector keeps QUIT as a command that the server took as the user name
    const s = structuredClone(await session(c)) as Session & { verdict?: unknown };
    delete s.verdict;
    const quit = s.commands.find((x) => x.verb === "QUIT")!;
    expect([quit.kind, quit.line, quit.secret, quit.takenAsAuthResponse, quit.replies.length]).toEqual(["command", "QUIT", false, true, 1]);
    const { findings } = new Judge(DEFAULT_RULE_OPTIONS).judge(s);
    expect(conversationOf(s).exchanges.map((e) => e.outcome)).toEqual(["positive", "intermediate", "intermediate"]);
    expect(findings.filter((f) => ["auth-cleartext-credentials", "mandatory-reply-wrong", "reply-code-unexpected-for-command"].includes(f.rule))).toEqual([]);
    expect(findings.filter((f) => f.rule === "connection-close-violation" && f.message.includes("without sending QUIT"))).toEqual([]);
  });
});

describe("conversation: TCP facts and smuggled replies are read, not recomputed", () => {
  it("a pipelined MAIL, RCPT and DATA: one group in the TCP facts, the same object on every read", async () => {
    const c = greeted(PIPE); // frame 6: the EHLO reply
    c.client("MAIL FROM:<a@b.test>\r\nRCPT TO:<x@b.test>\r\nDATA\r\n"); // 7
    c.server("250 ok\r\n250 ok\r\n354 go\r\n"); // 8
    c.client("hi\r\n.\r\n"); // 9
    c.server("250 queued\r\n"); // 10
    const { conv: m } = await model(c);
    // the client's ACK in frame 7 had not covered the replies that came in frame 8
    expect(m.early.map((e) => [e.cmd.line, e.prev?.line, e.by, e.pipelining])).toEqual([
      ["RCPT TO:<x@b.test>", "MAIL FROM:<a@b.test>", "ack", true],
      ["DATA", "RCPT TO:<x@b.test>", "ack", true],
    ]);
    const tcp = m.tcp;
    expect(m.tcp).toBe(tcp);
    expect(tcp.traced).toBe(true);
    expect(tcp.groups.map((g) => [g.commands.map((x) => x.verb), g.firstFrame, g.lastFrame])).toEqual([[["MAIL", "RCPT", "DATA"], 7, 7]]);
    expect(m.smuggledReplies).toBe(m.smuggledReplies);
    expect(m.smuggledReplies.size).toBe(0);
    expect(m.trustedFrames([1, 7, 10])).toBe(true);
    expect(m.capsAt(1)?.keywords.has("PIPELINING")).toBe(true);
    expect(m.advertisedAt(99)).toBeNull();
  });
});
