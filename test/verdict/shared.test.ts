import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeFile, type FileReport } from "../../src/analyze.js";
import { SHARED } from "../support/fixtures.js";
import { describeShared } from "../support/shared.js";

// The verdicts a customer reads for the support-case sample and for shared captures whose story is
// known (provenance in ../shared/captures/README.md).

const ROOT = join(SHARED, "captures");
const SAMPLES = join(import.meta.dirname, "..", "..", "samples");

function session(rep: FileReport, stream: number) {
  const s = rep.sessions.find((x) => x.tcpStream === stream)!;
  return { v: s.verdict, findings: rep.findings.filter((f) => f.session === s.index) };
}

const PARTIAL = "RFC 5321 §4.3.1: “Unless other arrangements are negotiated through service extensions, the sender MUST wait for this response before sending further commands.” RFC 2920 §3.1: “Once the client SMTP has confirmed that support exists for the pipelining extension, the client SMTP may then elect to transmit groups of SMTP commands in batches … The EHLO, DATA, VRFY, EXPN, TURN, QUIT, and NOOP commands can only appear as the last command in a group …” Fix the client: keep reading until the final line of the reply. Splitting the reply across TCP segments is legal (RFC 5321 §1.1, RFC 793 §2.8).";

describe("the support-case sample", () => {
  it("session 0: the client acted on the split EHLO reply; its plaintext QUIT after STARTTLS follows from that", async () => {
    const { v, findings } = session(await analyzeFile(join(SAMPLES, "support-case.pcapng")), 0);
    expect(v.fault).toBe("client");
    expect(v.summary).toBe(`The client is at fault: \`STARTTLS\` was sent after 3 of the 11 lines of the 250 reply to \`EHLO client.example.test\`, before its final line \`250 CHUNKING\` (frames 7, 8, 10). ${PARTIAL} 1 other finding follows from it (plaintext-after-starttls-accepted).`);
    expect(findings.find((f) => f.rule === "plaintext-after-starttls-accepted")?.consequenceOf?.rule).toBe("client-acted-on-partial-multiline-reply");
    expect(v.notEvaluable).toEqual([]); // no TLS record ever flowed
  });

  it("session 1: the client acted on the split EHLO reply with AUTH LOGIN", async () => {
    const { v } = session(await analyzeFile(join(SAMPLES, "support-case.pcapng")), 1);
    expect(v.summary).toBe(`The client is at fault: \`AUTH LOGIN\` was sent after 3 of the 11 lines of the 250 reply to \`EHLO client.example.test\`, before its final line \`250 CHUNKING\` (frames 22, 23, 25). ${PARTIAL}`);
  });
});

describeShared("verdicts on shared captures", () => {
  it("lab/utm-naive-starttls: the client acted on the split reply; its plaintext after the 220 follows from it", async () => {
    const { v, findings } = session(await analyzeFile(join(ROOT, "lab", "utm-naive-starttls.pcap")), 0);
    expect(v.summary).toBe(`The client is at fault: \`STARTTLS\` was sent after 3 of the 11 lines of the 250 reply to \`EHLO naive.lab.test\`, before its final line \`250 CHUNKING\` (frames 8, 9, 11). ${PARTIAL} 1 other finding follows from it (plaintext-after-starttls-accepted).`);
    expect(findings.filter((f) => !f.consequenceOf && f.severity === "error").map((f) => f.rule)).toEqual(["client-acted-on-partial-multiline-reply"]);
  });

  it("suricata-verify smtp-errors stream 0: binary octets before the greeting are one fault, not 13 errors", async () => {
    const { v, findings } = session(await analyzeFile(join(ROOT, "suricata-verify", "smtp-errors", "smtperr.pcap")), 0);
    expect(v.decisive?.rule).toBe("pregreet-early-talker");
    expect(v.independent).toEqual({ error: 0, warning: 2, info: 0 });
    expect(findings.filter((f) => !f.consequenceOf).map((f) => f.rule)).toEqual(["pregreet-early-talker", "connection-close-violation"]);
    expect(findings.filter((f) => f.consequenceOf).reduce((n, f) => n + (f.count ?? 1), 0)).toBe(22);
    expect(v.summary).toMatch(/^The client is at fault: `g\\t\\xe4Y.*` was sent before the greeting's final line had arrived \(frames 4, 6\)\. .* 22 other findings follow from it \(bare-cr-lf-in-command, non-ascii-in-command, client-command-before-reply-complete and 5 other rules\)\.$/);
  });

  it("suricata-verify detect-email-received: the pairing shifted by the reply the client acted on is not pipelining", async () => {
    const { findings } = session(await analyzeFile(join(ROOT, "suricata-verify", "detect-email-received", "input.pcap")), 0);
    const pipelined = findings.filter((f) => f.rule === "pipelining-not-negotiated");
    expect(pipelined.map((f) => [f.count, f.consequenceOf?.rule])).toEqual([[7, "client-acted-on-partial-multiline-reply"]]);
    expect(findings.filter((f) => f.rule === "message-data-without-354" || f.rule === "reply-code-unexpected-for-command").every((f) => f.consequenceOf)).toBe(true);
  });

  it("zeek smtp-one-side-only: cannot judge, never 'no violation'", async () => {
    const { v } = session(await analyzeFile(join(ROOT, "zeek", "smtp-one-side-only.pcap")), 0);
    expect(v.fault).toBe("undetermined");
    expect(v.summary).toMatch(/^Cannot judge: /);
    expect(v.summary).not.toMatch(/No violation/);
  });

  it("zeek smtp-attachment-msg: the server's side is missing, so the client is not blamed", async () => {
    const { v } = session(await analyzeFile(join(ROOT, "zeek", "smtp-attachment-msg.pcap")), 0);
    expect(v.fault).toBe("undetermined");
    expect(v.summary).toBe("Cannot judge: the capture holds only the client's side: no packet from the server; the client acknowledged 169 server bytes that the capture does not hold (from frame 17).");
  });

  it("ndpi smtp-starttls stream 1: bytes lost inside the TLS part do not stop the plaintext part being judged", async () => {
    const { v } = session(await analyzeFile(join(ROOT, "ndpi", "smtp-starttls.pcap")), 1);
    // issue #21: the TLS handshake is read now; its certificate (frame 47, CN=jw-vm08-int-dns) does
    // not name the SNI dovecot.weberlab.de, which decides; the lost bytes stay a limit
    expect(v.fault).toBe("server");
    expect(v.decisive?.rule).toBe("tls-certificate-name-mismatch");
    expect(v.limits.length).toBeGreaterThan(0);
  });
});
