import { describe, expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { join } from "node:path";
import { conv, ehloReply, LAB, supportCase, tmpFile } from "../support/fixtures.js";
import { describeShared } from "../support/shared.js";
import { hits, report } from "../support/rules.js";
import { writeCapture, type Conversation } from "../support/writer.js";
import { run } from "../cli/run.js";
import { ruleTester } from "../support/rule-tester.js";

// client-acted-on-partial-multiline-reply: the invalid cases (a finding) and the valid ones (none)
// side by side. Frames of supportCase(): 4 greeting, 5 EHLO, 6 the reply's head (3 `250-` lines),
// 7 STARTTLS (ACK covers the head), 8 the server's pure ACK, 9 the tail, 10 the 220.

const RULE = "client-acted-on-partial-multiline-reply";
const LINES = ehloReply().split("\r\n");

/** The first `n` packets of a conversation, as a capture that ends there. */
function cut(c: Conversation, n: number): Conversation {
  c.packets.length = n;
  return c;
}

describe(`${RULE}: invalid`, () => {
  it("the capture ends after STARTTLS and its ACK (editcap -r … 1-8): only `250-` lines were acknowledged, so the client acted on part of the reply", async () => {
    const c = cut(supportCase(), 8);
    expect(await hits(RULE, c)).toEqual([{
      severity: "error", side: "client", frames: [6, 7],
      message: "`STARTTLS` was sent after 3 `250-` continuation lines of the reply to `EHLO naive.example.test`, before its final line (not in the capture: whatever came later, the client acted on part of the reply). It relied on a capability list it had not finished reading.",
    }]);
    const rep = await report(c);
    const f = rep.findings.find((x) => x.rule === RULE)!;
    expect(f.evidence).toBe("client frame 7 carried ack 84: it had received server bytes up to seq 84; the capture holds the reply up to seq 84 (frame 6) and no final line of it: the final line is not in the capture, and the client had not received it; lines the client had: `250-mx.example.test`, `250-PIPELINING`, `250-SIZE 10240000`");
    expect(f.reference).toBe("RFC 5321 §4.3.1; RFC 2920 §3.1");
    const v = rep.sessions[0].verdict;
    expect(v.fault).toBe("client");
    expect(v.decisive?.rule).toBe(RULE);
    // what the capture lacks still qualifies the verdict
    expect(v.limits).toEqual(["the capture ends while the connection is open, with STARTTLS (frame 7) unanswered"]);
  });

  it("the same cut through the CLI exits 1", async () => {
    const file = tmpFile(writeCapture(cut(supportCase(), 8).packets));
    const r = run(["analyze", "--format", "compact", file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(RULE);
  });

  it("the complete support case: the whole reply arrived later; the finding cites RFC 5321 §4.3.1 and RFC 2920 §3.1 (PIPELINING was on a line the client had)", async () => {
    const rep = await report(supportCase());
    expect(rep.findings.filter((x) => x.rule === RULE).map((x) => [x.frames, x.reference])).toEqual([[[6, 7, 9], "RFC 5321 §4.3.1; RFC 2920 §3.1"]]);
  });

  it("after a partial reply to a command that may be pipelined (MAIL), without PIPELINING: the finding cites RFC 5321 §4.3.1 only", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO c.test\r\n");
    c.server("250 mx\r\n");
    c.client("MAIL FROM:<a@b.test>\r\n"); // 7
    c.server("250-one\r\n"); // 8
    c.client("RCPT TO:<b@b.test>\r\n"); // 9
    c.server("250 two\r\n", { t: c.now + 0.5 }); // 10
    const f = (await report(c)).findings.filter((x) => x.rule === RULE);
    expect(f.map((x) => [x.frames, x.reference])).toEqual([[[8, 9, 10], "RFC 5321 §4.3.1"]]);
  });

  it("EHLO reply without PIPELINING: the verdict quotes RFC 5321 §4.3.1, not RFC 2920's pipelining sentence (twoside/utm-naive-auth)", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO c.test\r\n");
    c.server("250-mx\r\n250-SIZE 1000\r\n"); // 6
    c.client("AUTH PLAIN AGFAYg==\r\n"); // 7
    c.server("250-AUTH PLAIN\r\n250 HELP\r\n", { t: c.now + 0.6 }); // 8
    const rep = await report(c);
    // before: "RFC 2920 §3.1", whose sentence begins "Once the client SMTP has confirmed that support exists for the pipelining extension"
    expect(rep.findings.filter((x) => x.rule === RULE).map((x) => [x.frames, x.reference])).toEqual([[[6, 7, 8], "RFC 5321 §4.3.1"]]);
    const v = rep.sessions[0].verdict;
    expect(v.summary).toContain("RFC 5321 §4.3.1: “Unless other arrangements are negotiated through service extensions, the sender MUST wait for this response before sending further commands.” Fix the client");
    expect(v.summary).not.toContain("RFC 2920");
  });
});

describe(`${RULE}: valid (no finding)`, () => {
  it("the client acknowledged server bytes the capture does not hold: the final line may be among them", async () => {
    const c = conv({ server: "192.0.2.25:2525" }).handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("EHLO naive.example.test\r\n");
    c.server(LINES.slice(0, 3).join("\r\n") + "\r\n"); // 6
    c.server(LINES.slice(3).join("\r\n"), { lose: true }); // lost before the capture point
    c.client("STARTTLS\r\n"); // 7: acknowledges the lost tail too
    c.ack("server");
    expect(await hits(RULE, c)).toEqual([]);
    expect(await hits("client-command-before-reply-complete", c)).toEqual([]);
  });

  it("the server closed its side after the `250-` lines: the reply is over without a final line, and the client's QUIT is no fault", async () => {
    const c = conv({ server: "192.0.2.25:2525" }).handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("EHLO naive.example.test\r\n");
    c.server(LINES.slice(0, 3).join("\r\n") + "\r\n"); // 6
    c.fin("server"); // 7
    c.client("QUIT\r\n"); // 8
    expect(await hits(RULE, c)).toEqual([]);
    expect(await hits("client-command-before-reply-complete", c)).toEqual([]);
  });

  it("the capture ends inside the reply and the client sent nothing more: no command acted on it", async () => {
    const c = cut(supportCase(), 6);
    expect(await hits(RULE, c)).toEqual([]);
  });

  it("the client waited for the whole reply before STARTTLS", async () => {
    const c = conv({ server: "192.0.2.25:2525" }).handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("EHLO naive.example.test\r\n");
    c.server(LINES.slice(0, 3).join("\r\n") + "\r\n");
    c.server(LINES.slice(3).join("\r\n"), { t: c.now + 0.6 });
    c.client("STARTTLS\r\n");
    expect(await hits(RULE, c)).toEqual([]);
  });
});

// the real recordings, cut after the client's STARTTLS and the ACK that follows it (editcap -r)
describe(`${RULE}: the recordings cut after STARTTLS`, () => {
  async function cutWithEditcap(file: string, frames: string, ext: string): Promise<string | null> {
    const { execFileSync } = await import("node:child_process");
    const out = tmpFile(Buffer.alloc(0), ext);
    try {
      execFileSync("editcap", ["-r", file, out, frames], { stdio: "ignore" });
    } catch {
      return null; // no editcap here (the crafted cut above covers the case)
    }
    return out;
  }

  it("samples/support-case.pcapng, frames 1-9", async () => {
    const out = await cutWithEditcap(join(import.meta.dirname, "..", "..", "samples", "support-case.pcapng"), "1-9", ".pcapng");
    if (out === null) return;
    const rep = await analyzeFile(out);
    expect(rep.findings.map((f) => [f.rule, f.frames])).toEqual([[RULE, [7, 8]]]);
    expect(rep.sessions[0].verdict.fault).toBe("client");
  });

  describeShared("the lab recording", () => {
    it("lab/utm-naive-starttls.pcap, frames 1-10", async () => {
      const out = await cutWithEditcap(join(LAB, "utm-naive-starttls.pcap"), "1-10", ".pcap");
      if (out === null) return;
      const rep = await analyzeFile(out);
      expect(rep.findings.map((f) => [f.rule, f.frames, f.severity])).toEqual([[RULE, [8, 9], "error"]]);
      expect(rep.findings[0].evidence).toContain("the final line is not in the capture");
    });
  });
});

ruleTester(RULE, {
  invalid: [
    {
      name: "the support case: STARTTLS (7) after the reply's head (6), the tail (9) later",
      capture: () => supportCase(),
      findings: [{ severity: "error", side: "client", frames: [6, 7, 9], message: "`STARTTLS` was sent after 3 of the 7 lines of the 250 reply to `EHLO naive.example.test`, before its final line `250 CHUNKING`. It relied on a capability list it had not finished reading. The next bytes it received, starting `250-STARTTLS` in frame 9, are what a client that treats each read as one reply takes as the answer to `STARTTLS`." }],
    },
  ],
  valid: [
    {
      name: "near miss: the client waited for the whole reply before STARTTLS",
      capture: () => {
        const c = conv({ server: "192.0.2.25:2525" }).handshake();
        c.server("220 mx.example.test ESMTP\r\n").client("EHLO naive.example.test\r\n");
        c.server(LINES.slice(0, 3).join("\r\n") + "\r\n");
        c.server(LINES.slice(3).join("\r\n"), { t: c.now + 0.6 });
        return c.client("STARTTLS\r\n");
      },
    },
    { name: "the capture ends inside the reply, nothing more from the client", capture: () => cut(supportCase(), 6) },
  ],
});
