import { describe, expect, it } from "vitest";
import { conv } from "../support/fixtures.js";
import { greeted, hits, report } from "../support/rules.js";
import { ruleTester } from "../support/rule-tester.js";

const RULE = "server-withholds-pending-replies";
const PIPE = ["250-mx.example.test", "250-PIPELINING", "250 8BITMIME"];

/** Greeting, EHLO (PIPELINING), then MAIL+RCPT+DATA in one segment (frame 7), the server's pure ACK (8), the replies `after` seconds later (9). */
function group(after: number, ehlo = PIPE) {
  const c = greeted(ehlo);
  c.client("MAIL FROM:<a@b.test>\r\nRCPT TO:<b@b.test>\r\nDATA\r\n"); // 7
  c.ack("server"); // 8
  c.server("250 ok\r\n250 ok\r\n354 go\r\n", { t: c.now + after }); // 9
  c.client("Subject: x\r\n\r\nhi\r\n.\r\n");
  c.server("250 queued\r\n");
  c.client("QUIT\r\n");
  c.server("221 bye\r\n");
  c.fin("server").fin("client");
  return c;
}

describe(RULE, () => {
  it("trigger: the server acknowledged the whole pipelined group and owed three replies, then sent nothing for 1.5 s", async () => {
    expect(await hits(RULE, group(1.5))).toEqual([{
      severity: "warning", side: "server", frames: [8, 9],
      message: "in frame 8 the server acknowledged every client octet sent so far while it owed replies to 3 commands (`MAIL FROM:<a@b.test>`, `RCPT TO:<b@b.test>`, `DATA`), then sent no reply octet for 1500 ms (the next reply octet came in frame 9)",
    }]);
    const rep = await report(group(1.5));
    const f = rep.findings.find((x) => x.rule === RULE)!;
    // listed, but it never decides: the wire cannot tell replies held back from a server still working
    expect(rep.sessions[0].verdict.fault).toBe("none");
    expect(f.evidence).toBe("server frame 8 carried ack 75: it had received all 74 client octets sent by then, and the client had nothing in flight; PIPELINING was offered in the EHLO reply in frame 6; a server still working out the first owed reply looks the same in a capture");
  });

  it("near miss: the replies come 0.9 s after the drain", async () => {
    expect(await hits(RULE, group(0.9))).toEqual([]);
  });

  it("the threshold is an option", async () => {
    expect(await hits(RULE, group(0.9), { withholdMs: 500 })).toHaveLength(1);
  });

  it("near miss: without PIPELINING offered the rule does not apply", async () => {
    expect(await hits(RULE, group(1.5, ["250-mx.example.test", "250 8BITMIME"]))).toEqual([]);
  });

  it("near miss: one slow reply to one command is latency, not replies held back", async () => {
    const c = greeted(PIPE);
    c.client("MAIL FROM:<a@b.test>\r\n"); // 7
    c.ack("server"); // 8
    c.server("250 ok\r\n", { t: c.now + 2 });
    expect(await hits(RULE, c)).toEqual([]);
  });

  it("near miss: the client had not finished sending (the server's ACK does not cover the group)", async () => {
    const c = greeted(PIPE);
    c.client("MAIL FROM:<a@b.test>\r\nRCPT TO:<b@b.test>\r\n"); // 7
    c.ack("server", { ack: c.nxt.client - 20 }); // 8: only MAIL acknowledged
    c.server("250 ok\r\n250 ok\r\n", { t: c.now + 1.5 });
    expect(await hits(RULE, c)).toEqual([]);
  });

  it("not evaluable when the capture holds only the client's side", async () => {
    const c = group(1.5);
    c.packets.splice(0, c.packets.length, ...c.packets.filter((p) => p.ip[15] === 10 && p.ip[19] === 25)); // client → server only
    const rep = await report(c);
    expect(rep.findings.filter((f) => f.rule === RULE)).toEqual([]);
    const v = rep.sessions[0].verdict;
    expect(v.notEvaluable).toContain(RULE);
    // the client's ACKs show server bytes the capture lacks, so pairing already stops the rule
    expect(v.notEvaluableWhy![v.notEvaluable.indexOf(RULE)]).toMatch(/^replies cannot be paired with commands: the capture lacks \d+ server bytes/);
  });

  it("near miss: without the server's pure ACK nothing shows the drain before the replies, and nothing is claimed", async () => {
    const c = group(1.5);
    // keep the server's data segments, drop its pure ACKs and FIN: no ACK record between
    c.packets.splice(0, c.packets.length, ...c.packets.filter((p) => !(p.ip[15] === 25 && p.ip.length === 40) || p.ip[33] & 2));
    const v = (await report(c)).sessions[0].verdict;
    expect(await hits(RULE, c)).toEqual([]);
    expect(v.notEvaluable).not.toContain(RULE); // the ACKs on the server's data segments remain: judged, nothing found
  });

  it("not evaluable when client bytes are missing: the drain cannot be proven", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a.test\r\n");
    c.server(PIPE.map((l) => l + "\r\n").join(""));
    c.client("MAIL FROM:<a@b.test>\r\n", { lose: true });
    c.client("RCPT TO:<b@b.test>\r\n");
    c.ack("server");
    c.server("250 ok\r\n250 ok\r\n", { t: c.now + 1.5 });
    const v = (await report(c)).sessions[0].verdict;
    expect(v.notEvaluableWhy![v.notEvaluable.indexOf(RULE)]).toMatch(/^the capture lacks 22 client bytes \(before frame \d+\): whether the server had read every client octet cannot be proven$/);
  });
});

ruleTester(RULE, {
  invalid: [
    {
      name: "the group (7) acknowledged (8), three replies owed, nothing for 1.5 s (9)",
      capture: () => group(1.5),
      findings: [{
        severity: "warning", side: "server", frames: [8, 9],
        message: "in frame 8 the server acknowledged every client octet sent so far while it owed replies to 3 commands (`MAIL FROM:<a@b.test>`, `RCPT TO:<b@b.test>`, `DATA`), then sent no reply octet for 1500 ms (the next reply octet came in frame 9)",
      }],
    },
    {
      name: "0.9 s with --withhold-ms 500",
      capture: () => group(0.9),
      options: { withholdMs: 500 },
      findings: [{
        severity: "warning", side: "server", frames: [8, 9],
        message: "in frame 8 the server acknowledged every client octet sent so far while it owed replies to 3 commands (`MAIL FROM:<a@b.test>`, `RCPT TO:<b@b.test>`, `DATA`), then sent no reply octet for 900 ms (the next reply octet came in frame 9)",
      }],
    },
  ],
  valid: [
    { name: "near miss: the replies come 0.9 s after the drain", capture: () => group(0.9) },
    { name: "near miss: without PIPELINING offered", capture: () => group(1.5, ["250-mx.example.test", "250 8BITMIME"]) },
  ],
});
