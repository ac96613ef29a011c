import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { runLint, tree as crafted } from "./crafted-tree.js";

// The check that `npm run lint` runs: a rule file that reads Session.commands, Session.replies or
// Command.replies by hand fails; the conversation is the rules' only way in.
const SCRIPT = join(import.meta.dirname, "conversation-only.mjs");
const tree = (files: Record<string, string>) => crafted("smtpcap-conv-", files);
const run = (dir: string) => runLint(SCRIPT, dir);

const MODEL = "export interface Reply { index: number; command: number | null }\n"
  + "export interface Command { index: number; replies: number[] }\n"
  + "export interface Session { commands: Command[]; replies: Reply[] }\n";
const CONV = 'import type { Command, Reply } from "./model.js";\n'
  + "export interface Exchange { command: Command; first: Reply | undefined }\n"
  + "export interface Conversation { exchanges: Exchange[]; replies: readonly Reply[] }\n";
const CTX = 'import type { Session } from "../smtp/model.js";\nimport type { Conversation } from "../smtp/conversation.js";\n'
  + "export interface Ctx { session: Session; conversation: Conversation }\n";
const BASE = { "smtp/model.ts": MODEL, "smtp/conversation.ts": CONV, "rules/types.ts": CTX };

describe("conversation-only check (npm run lint)", () => {
  it("passes the real tree", () => {
    const r = runLint(SCRIPT);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
  it("passes a rule that reads the conversation, and lists of the same name that are not the session's", () => {
    const rule = 'import type { Ctx } from "./types.js";\n'
      + "export function f(ctx: Ctx, g: { commands: number[] }): number {\n"
      + "  return ctx.conversation.exchanges.length + ctx.conversation.replies.length + g.commands.length + (ctx.conversation.exchanges[0]?.first?.index ?? 0);\n}\n";
    const r = run(tree({ ...BASE, "rules/some-rule.ts": rule, "rules/engine.ts": 'import type { Session } from "../smtp/model.js";\nexport const n = (s: Session) => s.commands.length;\n' }));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
  it("fails on the session's lists read by hand, naming file, line and list", () => {
    const rule = 'import type { Ctx } from "./types.js";\n'
      + "export function f(ctx: Ctx): number {\n"
      + "  const s = ctx.session;\n"
      + "  const { replies } = s;\n"
      + '  return s.commands.length + replies.length + s["replies"].length + s.commands[0].replies.length;\n}\n';
    const r = run(tree({ ...BASE, "rules/some-rule.ts": rule }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("rules/some-rule.ts:4:11: reads Session.replies");
    expect(r.stderr).toContain("rules/some-rule.ts:5:12: reads Session.commands");
    expect(r.stderr).toContain("rules/some-rule.ts:5:49: reads Session.replies");
    expect(r.stderr).toContain("rules/some-rule.ts:5:83: reads Command.replies");
  });
  it("checks only rules/: the dissector builds the lists", () => {
    const smtp = 'import type { Session } from "./model.js";\nexport const n = (s: Session) => s.replies.length;\n';
    expect(run(tree({ ...BASE, "smtp/session.ts": smtp })).status).toBe(0);
  });
});
