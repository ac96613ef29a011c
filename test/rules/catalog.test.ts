import { expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ALL_RULES } from "../../src/rules/index.js";
import { explainRule, listRules } from "../../src/report/rules.js";
import { analyzeFile } from "../../src/analyze.js";
import { LAB, SHARED } from "../support/fixtures.js";
import { describeShared, SHARED_PRESENT } from "../support/shared.js";

const catalog = SHARED_PRESENT ? readFileSync(join(SHARED, "rules-catalog.md"), "utf8") : "";
const index = new Map<string, { severity: string; side: string }>();
for (const m of catalog.matchAll(/^\| [\d.]+ \| `([a-z0-9-]+)` \| (\w+)[^|]* \| ([^|(]+)/gm)) index.set(m[1], { severity: m[2], side: m[3].trim() });
/** Rules added since the catalogue, each split off a catalogued rule (the reason beside it). */
const ADDED: Record<string, { severity: string; side: string; from: string }> = {
  // issue #20 item 3: plaintext after the 220 is a client giving up on TLS, not an injection (case (b) of the catalogue's trigger)
  "plaintext-after-starttls-accepted": { severity: "error", side: "client", from: "starttls-command-injection" },
};
if (SHARED_PRESENT) for (const [id, a] of Object.entries(ADDED)) if (index.has(a.from) && !index.has(id)) index.set(id, a);
/**
 * Issue #21: the TLS rules (src/rules/tls-*.ts), which the shared catalogue has no section for
 * yet. Each is listed with its severity and side: a new TLS rule must be added here (or to the
 * catalogue), never pass unlisted.
 */
const TLS_ADDED: Record<string, { severity: string; side: string }> = {
  "tls-version-refused": { severity: "error", side: "client or server" },
  "tls-no-shared-cipher": { severity: "error", side: "client or server" },
  "tls-certificate-rejected": { severity: "error", side: "server" },
  "tls-handshake-failed": { severity: "error", side: "server or client" },
  "tls-handshake-abandoned": { severity: "warning", side: "client" },
  "tls-deprecated-version": { severity: "warning", side: "server or client" },
  "tls-weak-cipher-suite": { severity: "warning", side: "server" },
  "tls-certificate-expired": { severity: "warning", side: "server" },
  "tls-certificate-name-mismatch": { severity: "warning", side: "server" },
};
if (SHARED_PRESENT) for (const [id, a] of Object.entries(TLS_ADDED)) if (!index.has(id)) index.set(id, a);

describeShared("rule metadata (../shared/rules-catalog.md)", () => {
  it("every rule id, severity and side comes from the catalog", () => {
    for (const r of ALL_RULES) {
      const c = index.get(r.meta.id);
      expect(c, r.meta.id).toBeDefined();
      expect(r.meta.severity, r.meta.id).toBe(c!.severity === "server" ? r.meta.severity : c!.severity.replace(/;.*/, ""));
      // "server: error (…) or warning (other) | client: warning" rows name both sides in one cell
      const sides = c!.severity === "server" ? ["server", "client"] : c!.side.split(/\/| or | and /);
      expect(sides, r.meta.id).toContain(r.meta.side);
    }
  });

  it("the TLS table lists exactly the tls-* rules there are", () => {
    expect(Object.keys(TLS_ADDED).sort()).toEqual(ALL_RULES.map((r) => r.meta.id).filter((id) => id.startsWith("tls-")).sort());
  });

  it("`explain tls-…` gives for every TLS rule its citation with the quote, the meaning, the reason and the fix", () => {
    for (const r of ALL_RULES.filter((x) => x.meta.id.startsWith("tls-"))) {
      const m = r.meta;
      const text = explainRule(m.id)!;
      expect(text, m.id).toContain(`severity: ${m.severity} · at fault: ${m.side} · ${m.reference}\n`);
      expect(text, m.id).toContain(`The RFC: “${m.quote}”`);
      for (const q of [...Object.values(m.quoteFor ?? {}), ...Object.values(m.citations ?? {})]) expect(text, m.id).toContain(`${q.reference}: “${q.quote}”`);
      expect(text, m.id).toContain(`What it means: ${m.meaning}`);
      expect(text, m.id).toContain(`Why it matters: ${m.why}`);
      expect(text, m.id).toMatch(/How to fix it: (Client|Server): /);
    }
    expect(explainRule("tls-deprecated-version")).toContain("In a sub-case, RFC 8996 §5: “TLS 1.1 MUST NOT be used. Negotiation of TLS 1.1 from any version of TLS MUST NOT be permitted.”");
  });

  it("ids are unique and every field is filled", () => {
    expect(new Set(ALL_RULES.map((r) => r.meta.id)).size).toBe(ALL_RULES.length);
    for (const r of ALL_RULES) for (const k of ["title", "reference", "quote", "meaning", "why", "fix"] as const) expect(r.meta[k].length, `${r.meta.id}.${k}`).toBeGreaterThan(10);
  });

  it("`smtpcap rules` lists every rule; `explain` prints meaning, reason and fix", () => {
    const list = listRules(false);
    for (const r of ALL_RULES) expect(list).toContain(r.meta.id);
    const text = explainRule("client-acted-on-partial-multiline-reply")!;
    expect(text).toContain("severity: error · at fault: client · RFC 2920 §3.1; RFC 5321 §4.3.1");
    expect(text).toContain("The RFC: “Clients MUST NOT confuse responses to multiple commands with multiline responses.”");
    expect(text).toMatch(/How to fix it: Fix the client/);
    expect(explainRule("no-such-rule")).toBeNull();
  });

  it("`explain reply-split-delay` cites no delayed-ACK MUST and says plainly that no RFC forbids the pause, and why it is still a hazard", () => {
    const text = explainRule("reply-split-delay")!;
    expect(text).not.toContain("RFC 1122");
    expect(text).not.toContain("MUST");
    expect(text).toContain("severity: info · at fault: server · RFC 5321 §4.2.1; RFC 793 §2.8");
    expect(text).toContain("Why it matters: No RFC forbids the pause:");
    expect(text).toContain("It is still a hazard: a client that takes one read as one whole reply acts on the head of the reply");
  });
});

describeShared("the verdict on the support case", () => {
  it("says the client acted on a partial reply, that splitting is legal, and cites RFC 5321 §4.3.1 and RFC 2920 §3.1 (PIPELINING was on a line it had; EHLO ends a group)", async () => {
    const rep = await analyzeFile(join(LAB, "utm-naive-starttls.pcap"));
    const v = rep.sessions[0].verdict;
    expect(v.fault).toBe("client");
    expect(v.decisive).toEqual({ rule: "client-acted-on-partial-multiline-reply", reference: "RFC 5321 §4.3.1; RFC 2920 §3.1", quote: "Unless other arrangements are negotiated through service extensions, the sender MUST wait for this response before sending further commands." });
    expect(v.summary).toMatch(/^The client is at fault: `STARTTLS` was sent after 3 of the 11 lines of the 250 reply to `EHLO naive\.lab\.test`, before its final line `250 CHUNKING` \(frames 8, 9, 11\)\./);
    expect(v.summary).toContain("Splitting the reply across TCP segments is legal");
    const f = rep.findings.find((x) => x.rule === "client-acted-on-partial-multiline-reply")!;
    expect(f.frames).toEqual([8, 9, 11]);
    expect(f.evidence).toMatch(/^client frame 9 carried ack 97: it had received server bytes up to seq 97; the reply's final line ends at seq 207 \(frame 11/);
    expect(f.filter).toBe("tcp.stream eq 0 && frame.number in {8,9,11}");
  });

  it("the swaks client that waited gets no client error", async () => {
    const rep = await analyzeFile(join(LAB, "utm-swaks-waits.pcap"));
    expect(rep.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(rep.sessions[0].verdict.fault).toBe("none");
  });
});
