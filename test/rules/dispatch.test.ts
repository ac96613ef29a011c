import { describe, expect, it } from "vitest";
import { conversationOf } from "../../src/smtp/conversation.js";
import { Dispatch } from "../../src/rules/dispatch.js";
import { defineRule } from "../../src/rules/define.js";
import { ALL_RULES } from "../../src/rules/index.js";
import { DEFAULT_RULE_OPTIONS, type Rule, type RuleContext, type RuleMeta, type Visitor } from "../../src/rules/types.js";
import type { Session } from "../../src/smtp/model.js";
import { analyzeConv } from "../support/fixtures.js";
import { clean, findings, greeted } from "../support/rules.js";

/**
 * The engine walks each session's conversation once and calls the rules that subscribed to each
 * part (src/rules/dispatch.ts). A filter (verbs, kinds, codes) replaced the hand-kept `needs`
 * facts: these tests pin what a subscriber is called with, and that each rule that used to be
 * skipped by a fact still finds its trigger through its subscription.
 */
const META: RuleMeta = { id: "test-visitor", title: "t", severity: "info", side: "client", reference: "RFC 5321", quote: "q", meaning: "m", why: "w", fix: "f", plaintext: true };

async function sessionOf(c: ReturnType<typeof greeted>): Promise<Session> {
  return (await analyzeConv(c)).sessions[0];
}

/** What each visitor of `v` is called with on the session, in call order. */
function calls(s: Session, v: (log: string[]) => Visitor | ((ctx: RuleContext) => void)): string[] {
  const log: string[] = [];
  const rule = defineRule(META, v(log));
  const ctx: RuleContext = { session: s, conversation: conversationOf(s), earlier: { offeredStartTls: () => null }, opts: DEFAULT_RULE_OPTIONS, report: () => {} };
  new Dispatch([rule]).walk(ctx.conversation, s.replies, ctx, () => {});
  return log;
}

describe("the walk (Dispatch)", () => {
  it("a verb subscription is called with exactly the exchanges of those verbs, in order", async () => {
    const s = await sessionOf(clean());
    expect(calls(s, (log) => ({ exchange: { verbs: ["RCPT", "QUIT", "AUTH"], visit: (x) => void log.push(x.command.line) } }))).toEqual(["RCPT TO:<b@example.test>", "QUIT"]);
  });

  it("a kind subscription, a code subscription, and the order of the parts", async () => {
    const s = await sessionOf(clean());
    expect(calls(s, (log) => ({
      sessionEnd: () => void log.push("end"),
      early: (e) => void log.push(`early ${e.cmd.line}`),
      transaction: (t) => void log.push(`transaction ${t.mail.line}`),
      reply: { codes: [354, 221], visit: (r) => void log.push(`reply ${r.code}`) },
      exchange: { kinds: ["message"], visit: (x) => void log.push(x.command.line) },
    }))).toEqual(["<message: 25 bytes, 3 lines>", "reply 354", "reply 221", "transaction MAIL FROM:<a@example.test>", "end"]);
  });

  it("verbs and kinds together: either", async () => {
    const s = await sessionOf(clean());
    expect(calls(s, (log) => ({ exchange: { verbs: ["DATA"], kinds: ["message"], visit: (x) => void log.push(x.command.kind) } }))).toEqual(["command", "message"]);
  });

  it("a visitor that returns \"stop\" is called no more in that session; the next session starts afresh", async () => {
    const s = await sessionOf(clean());
    const log: string[] = [];
    const rule = defineRule(META, { reply: (r) => { log.push(String(r.code)); return r.code === 250 ? "stop" : undefined; }, sessionEnd: () => void log.push("end") });
    const ctx: RuleContext = { session: s, conversation: conversationOf(s), earlier: { offeredStartTls: () => null }, opts: DEFAULT_RULE_OPTIONS, report: () => {} };
    rule.check(ctx);
    rule.check(ctx);
    expect(log).toEqual(["220", "250", "220", "250"]);
  });

  it("a rule of the older shape (check only) is called once, at the end", async () => {
    const s = await sessionOf(clean());
    expect(calls(s, (log) => () => void log.push("check"))).toEqual(["check"]);
  });

  it("a rule marked off (not evaluable) is not called", async () => {
    const s = await sessionOf(clean());
    const log: string[] = [];
    const d = new Dispatch([defineRule(META, { reply: () => void log.push("r") })]);
    const ctx: RuleContext = { session: s, conversation: conversationOf(s), earlier: { offeredStartTls: () => null }, opts: DEFAULT_RULE_OPTIONS, report: () => {} };
    d.off[0] = 1;
    d.walk(ctx.conversation, s.replies, ctx, () => {});
    expect(log).toEqual([]);
  });
});

describe("the prefilter: filtered rules cost nothing where their part is absent", () => {
  /** the rules whose visitors a session calls (a spy around each subscription) */
  async function called(c: ReturnType<typeof greeted>): Promise<string[]> {
    const s = await sessionOf(c);
    const hit = new Set<string>();
    const spied: Rule[] = ALL_RULES.filter((r) => r.visit !== undefined).map((r) => {
      const v = r.visit!;
      // a visitor that only notes it was called
      const wrap = () => () => void hit.add(r.meta.id);
      const sub = <S,>(x: S) => (typeof x === "function" ? wrap() : x && typeof x === "object" ? { ...x, visit: wrap() } : x);
      return { meta: r.meta, check: () => {}, visit: { exchange: sub(v.exchange), reply: sub(v.reply), transaction: v.transaction && wrap(), early: v.early && wrap() } as Visitor };
    });
    const ctx: RuleContext = { session: s, conversation: conversationOf(s), earlier: { offeredStartTls: () => null }, opts: DEFAULT_RULE_OPTIONS, report: () => {} };
    new Dispatch(spied).walk(ctx.conversation, s.replies, ctx, () => {});
    return [...hit].sort();
  }

  it("a clean session calls no AUTH, BDAT, HELO, STARTTLS or early-command rule", async () => {
    const ids = await called(clean());
    for (const id of ["auth-cleartext-credentials", "auth-state-violation", "auth-mechanism-not-advertised", "auth-initial-response-invalid", "auth-lockout-too-early",
      "bdat-framing-error", "bdat-without-chunking", "helo-extended-reply", "plaintext-after-starttls-failure", "starttls-command-injection",
      "plaintext-after-starttls-accepted", "service-shutdown-421", "client-command-before-reply-complete", "pipelining-not-negotiated", "pregreet-early-talker"]) {
      expect(ids, id).not.toContain(id);
    }
    // the subscribers of every reply and of message content are called
    expect(ids).toContain("reply-code-invalid");
    expect(ids).toContain("bare-cr-lf-in-data");
  });

  it("an AUTH exchange calls the AUTH rules", async () => {
    const ids = await called(greeted(["AUTH PLAIN"]).client("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n").server("235 ok\r\n"));
    expect(ids).toEqual(expect.arrayContaining(["auth-cleartext-credentials", "auth-state-violation", "auth-mechanism-not-advertised", "auth-initial-response-invalid", "auth-lockout-too-early"]));
  });
});

describe("each rule once skipped by a hand-kept fact finds its trigger through its subscription", () => {
  const cases: [string, () => ReturnType<typeof greeted>][] = [
    ["bare-cr-lf-in-reply", () => greeted().client("NOOP\r\n").server("250 ok\n")],
    ["reply-text-invalid-chars", () => greeted().client("NOOP\r\n").server("250 o\x01k\r\n")],
    ["multiline-code-mismatch", () => greeted().client("NOOP\r\n").server("250-a\r\n251 b\r\n")],
    ["reply-last-line-no-sp", () => greeted().client("NOOP\r\n").server("250\r\n")],
    ["reply-code-invalid", () => greeted().client("NOOP\r\n").server("650 ok\r\n")],
    ["esc-class-mismatch", () => greeted().client("NOOP\r\n").server("250 5.0.0 ok\r\n")],
    ["command-line-too-long", () => greeted().client(`NOOP ${"x".repeat(600)}\r\n`).server("250 ok\r\n")],
    ["non-ascii-in-command", () => greeted().client("NOOP caf\xe9\r\n").server("250 ok\r\n")],
    ["bare-cr-lf-in-command", () => greeted().client("NOOP\n").server("250 ok\r\n")],
    ["reply-count-mismatch", () => greeted().client("NOOP\r\n").client("NOOP\r\n").server("250 ok\r\n").fin("server")],
    ["bare-cr-lf-in-data", () => clean({ body: "Subject: hi\r\n\r\nhel\nlo\r\n.\r\n" })],
    ["mandatory-reply-wrong", () => greeted().client("QUIT\r\n").server("250 ok\r\n")],
    ["service-shutdown-421", () => greeted().client("NOOP\r\n").server("421 bye\r\n")],
  ];
  for (const [rule, make] of cases) {
    it(rule, async () => {
      expect((await findings(make())).filter((f) => f.rule === rule).length).toBeGreaterThan(0);
    });
  }
});
