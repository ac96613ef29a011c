import { describe, expect, it } from "vitest";
import { compactLine, compactSession } from "../../src/report/compact.js";
import { textFooter, textSession, summaryLine } from "../../src/report/text.js";
import type { FileSummary } from "../../src/analyze.js";
import { analyzeConv, conv, supportCase } from "../support/fixtures.js";

/** The support case, judged; its model is then given the fields other stages fill in. */
async function judged() {
  const rep = await analyzeConv(supportCase());
  const s = rep.sessions[0];
  const fs = rep.findings.filter((f) => f.session === s.index);
  return { rep, s, fs };
}

describe("the text report renders what the model says", () => {
  it("verdict limits, a collapsed finding's count, a consequence", async () => {
    const { s, fs } = await judged();
    s.verdict.limits = ["the capture holds only the client's side"];
    fs[0].count = 13;
    fs[0].consequenceOf = { rule: "client-acted-on-partial-multiline-reply", frame: 8, why: "the client took the reply's tail as the STARTTLS answer" };
    const out = textSession(s, fs, { color: false, verbose: false });
    expect(out).toContain("\n  The capture lacks: the capture holds only the client's side\n");
    expect(out).toContain(`  ${fs[0].severity.toUpperCase().padEnd(7)} ${fs[0].rule} ×13 [${fs[0].side}]`);
    expect(out.replace(/\s+/g, " ")).toContain(" follows from client-acted-on-partial-multiline-reply (frame 8): the client took the reply's tail as the STARTTLS answer ");
    expect(compactLine("x.pcap", fs[0])).toMatch(/ \(×13\) \(follows from client-acted-on-partial-multiline-reply\) \[tcp\.stream eq 0 && frame\.number in \{[\d,]+\}\]\n$/);
  });

  it("a long finding message the verdict already quotes word for word is not printed twice", async () => {
    const { s, fs } = await judged();
    const f = fs.find((x) => x.severity === "error")!;
    s.verdict.summary = `The client is at fault (error): ${f.message}`;
    const out = textSession(s, fs, { color: false, verbose: false });
    expect(out.split(f.message.slice(0, 40)).length).toBe(2);
    expect(out).toContain("          (stated in the verdict above)\n");
    s.verdict.summary = "Something else.";
    expect(textSession(s, fs, { color: false, verbose: false })).not.toContain("(stated in the verdict above)");
  });

  it("no 'the rest is encrypted' claim when the dissector says no TLS session followed", async () => {
    const { s, fs } = await judged();
    expect(s.tls).not.toBeNull();
    s.tls!.encrypted = true;
    s.verdict.notEvaluable = ["greeting-invalid"];
    s.verdict.notEvaluableWhy = ["the session is encrypted from frame 10 and carries no plaintext SMTP"];
    expect(textSession(s, fs, { color: false, verbose: false })).toContain("Not evaluable: 1 rule, because the session is encrypted");
    expect(textSession(s, fs, { color: false, verbose: false }).replace(/\s+/g, " ")).toContain(`TLS (starttls) from frame ${s.tls!.frame}: the rest is encrypted`);
    s.tls!.encrypted = false;
    s.verdict.notEvaluable = [];
    s.verdict.notEvaluableWhy = [];
    const out = textSession(s, fs, { color: false, verbose: false });
    expect(out).not.toContain("the rest is encrypted");
    expect(out).not.toContain("Not evaluable");
    expect(out.replace(/\s+/g, " ")).toContain(`STARTTLS answered 220 in frame ${s.tls!.frame}, but no TLS handshake followed: the rest is read as plaintext`);
  });

  it("Not evaluable gives the verdict's reasons; a decrypted TLS phase is named", async () => {
    const { s, fs } = await judged();
    s.verdict.notEvaluable = ["a", "b", "c"];
    s.verdict.notEvaluableWhy = ["the server's side is missing", "the server's side is missing", "TLS follows"];
    const out = textSession(s, fs, { color: false, verbose: false });
    expect(out).toContain("\n  Not evaluable: 2 rules, because the server's side is missing\n  Not evaluable: 1 rule, because TLS follows\n");
    s.tls!.decrypted = true;
    expect(textSession(s, fs, { color: false, verbose: false }).replace(/\s+/g, " ")).toContain(`TLS (starttls) from frame ${s.tls!.frame}: the capture holds it decrypted (read as plaintext)`);
  });

  it("wraps at the width given; the summary line names the verdict", async () => {
    const { s, fs } = await judged();
    const lines = textSession(s, fs, { color: false, verbose: false, width: 60 }).split("\n");
    const prose = lines.filter((l) => !/^ {2}[ \d]{7} /.test(l) && !/^ {20,}frame /.test(l) && !l.startsWith("Session "));
    expect(Math.max(...prose.map((l) => l.length))).toBeLessThanOrEqual(60);
    expect(summaryLine(s, fs)).toBe(`  tcp.stream 0     ${s.client} → ${s.server}  client at fault (1 error, 1 warning, 1 info)\n`);
    s.verdict.fault = "undetermined";
    expect(summaryLine(s, []).trimEnd().endsWith("undetermined")).toBe(true);
  });

  it("the footer: a diagnosis when no SMTP was found; no byte offset for a file never read as a capture", () => {
    const stats = { frames: 3, tcpPackets: 0, tcpConnections: 0, nonTcp: 3, ipFragments: 0, malformed: 0 } as FileSummary["stats"];
    const base: FileSummary = { file: "x.pcap", format: "pcap", gzip: false, packets: 3, bytes: 200, stats, sessionCount: 0, problems: [], firstTime: 1700000000, lastTime: 1700000000.5 };
    const out = textFooter({ ...base, diagnosis: "no TCP in the capture" }, { error: 0, warning: 0, info: 0 });
    expect(out).toBe("\n  pcap, 3 packets from 2023-11-14T22:13:20.000000Z to 2023-11-14T22:13:20.500000Z (500.0 ms); 0 TCP\n    connections, 0 SMTP sessions; findings: 0 errors, 0 warnings, 0 infos\n  No SMTP: no TCP in the capture\n");
    const missing = textFooter({ ...base, format: "unknown", packets: 0, firstTime: undefined, lastTime: undefined, problems: [{ level: "error", offset: 0, message: "no such file" }] }, { error: 0, warning: 0, info: 0 });
    expect(missing).not.toContain(" from ");
    expect(missing).toContain("  ERROR: x.pcap: no such file\n");
  });
});

describe("compact output of a session that cannot be judged", () => {
  it("prints a note line, so it cannot pass for a clean capture", async () => {
    const c = conv().handshake();
    c.server("220 mx.example.test ESMTP\r\n"); // 4
    c.client("EHLO a.example.test\r\n"); // 5
    const rep = await analyzeConv(c);
    const s = rep.sessions[0];
    expect(rep.findings).toEqual([]);
    expect(compactSession("x.pcap", s, [])).toBe("x.pcap:1: note undetermined (session 0, tcp.stream 0) Cannot judge: the capture ends while the connection is open, with EHLO (frame 5) unanswered. [tcp.stream eq 0]\n");
  });
});
