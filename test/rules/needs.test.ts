import { describe, expect, it } from "vitest";
import { join, relative } from "node:path";
import { analyzeStream } from "../../src/analyze.js";
import { conversationOf } from "../../src/smtp/conversation.js";
import { needsMet, sessionHolds } from "../../src/rules/engine.js";
import { ALL_RULES } from "../../src/rules/index.js";
import { DEFAULT_RULE_OPTIONS, type ReportArgs, type RuleContext, type RuleNeeds } from "../../src/rules/types.js";
import type { Session } from "../../src/smtp/model.js";
import { captures } from "../support/golden.js";
import { analyzeConv, SHARED } from "../support/fixtures.js";
import { clean, findings, greeted } from "../support/rules.js";
import { describeShared, SHARED_PRESENT } from "../support/shared.js";

/**
 * The engine skips a rule on a session that does not hold what the rule's metadata says it needs
 * (RuleMeta.needs). That is only a speed-up: run on such a session, the rule must report nothing.
 */
const WITH_NEEDS = ALL_RULES.filter((r) => r.meta.needs !== undefined);

function reportsOf(rule: (typeof ALL_RULES)[number], session: Session): ReportArgs[] {
  const out: ReportArgs[] = [];
  const ctx: RuleContext = { session, conversation: conversationOf(session), earlier: { offeredStartTls: () => 0 }, opts: DEFAULT_RULE_OPTIONS, report: (a) => out.push(a) };
  rule.check(ctx);
  return out;
}

it("only rules of the older shape declare needs (a visitor rule's subscriptions are its prefilter)", () => {
  expect(WITH_NEEDS.filter((r) => r.visit !== undefined).map((r) => r.meta.id)).toEqual([]);
  expect(WITH_NEEDS.length).toBeGreaterThan(0);
});

describeShared("a rule skipped for what it needs finds nothing on that session (every shared capture)", () => {
  const dir = join(SHARED, "captures");
  const files = SHARED_PRESENT ? captures(dir) : [];
  const skippedRuns = new Map<string, number>();
  for (const file of files) {
    it(relative(dir, file), async () => {
      await analyzeStream(file, { only: ["(none)"] }, (s) => {
        const holds = sessionHolds(s, conversationOf(s));
        for (const rule of WITH_NEEDS) {
          if (needsMet(rule.meta.needs!, holds)) continue;
          skippedRuns.set(rule.meta.id, (skippedRuns.get(rule.meta.id) ?? 0) + 1);
          expect(reportsOf(rule, s), `${rule.meta.id} on tcp.stream ${s.tcpStream}`).toEqual([]);
        }
      });
    });
  }
  it("and each of those rules was skipped on some session (the test compared something)", () => {
    for (const rule of WITH_NEEDS) expect(skippedRuns.get(rule.meta.id) ?? 0, rule.meta.id).toBeGreaterThan(0);
  });
});

describe("the facts rules need (sessionHolds)", () => {
  async function holdsOf(c: ReturnType<typeof greeted>) {
    const [s] = (await analyzeConv(c)).sessions;
    return sessionHolds(s, conversationOf(s));
  }

  it("a clean session holds none of them: every rule that declares needs is skipped", async () => {
    const holds = await holdsOf(clean());
    expect(WITH_NEEDS.filter((r) => needsMet(r.meta.needs!, holds)).map((r) => r.meta.id)).toEqual([]);
  });

  // one crafted trigger per fact: the fact is set, and the rule that needs it is not skipped
  const cases: [keyof RuleNeeds, string, () => ReturnType<typeof greeted>][] = [
    ["replyTerm", "bare-cr-lf-in-reply", () => greeted().client("NOOP\r\n").server("250 ok\n")],
    ["replyOctet", "reply-text-invalid-chars", () => greeted().client("NOOP\r\n").server("250 o\x01k\r\n")],
    ["codeMismatch", "multiline-code-mismatch", () => greeted().client("NOOP\r\n").server("250-a\r\n251 b\r\n")],
    ["lastLine", "reply-last-line-no-sp", () => greeted().client("NOOP\r\n").server("250\r\n")],
    ["replyCode", "reply-code-invalid", () => greeted().client("NOOP\r\n").server("650 ok\r\n")],
    ["escClass", "esc-class-mismatch", () => greeted().client("NOOP\r\n").server("250 5.0.0 ok\r\n")],
    ["longCommand", "command-line-too-long", () => greeted().client(`NOOP ${"x".repeat(600)}\r\n`).server("250 ok\r\n")],
    ["commandOctet", "non-ascii-in-command", () => greeted().client("NOOP caf\xe9\r\n").server("250 ok\r\n")],
    ["commandTerm", "bare-cr-lf-in-command", () => greeted().client("NOOP\n").server("250 ok\r\n")],
    ["unanswered", "reply-count-mismatch", () => greeted().client("NOOP\r\n")],
    ["dataBare", "bare-cr-lf-in-data", () => clean({ body: "Subject: hi\r\n\r\nhel\nlo\r\n.\r\n" })],
    ["quitNot221", "mandatory-reply-wrong", () => greeted().client("QUIT\r\n").server("250 ok\r\n")],
  ];
  for (const [fact, rule, make] of cases) {
    it(`${fact}: ${rule} runs`, async () => {
      const holds = await holdsOf(make());
      expect(needsMet({ [fact]: true }, holds)).toBe(true);
      const r = ALL_RULES.find((x) => x.meta.id === rule)!;
      // a visitor rule is not skipped for facts: it finds the trigger through its subscription
      if (r.meta.needs === undefined) expect((await findings(make())).filter((f) => f.rule === rule).length).toBeGreaterThan(0);
      else expect(needsMet(r.meta.needs, holds)).toBe(true);
    });
  }

  it("a reply code a rule names: 421 for service-shutdown-421", async () => {
    const holds = await holdsOf(greeted().client("NOOP\r\n").server("421 bye\r\n"));
    expect(needsMet({ codes: [421] }, holds)).toBe(true);
    expect(needsMet({ codes: [554] }, holds)).toBe(false);
  });
});
