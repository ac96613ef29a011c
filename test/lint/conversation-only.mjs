#!/usr/bin/env node
// Fails (exit 1) when a file under src/rules/ reads the session's raw dialogue lists by hand:
// `Session.commands`, `Session.replies` or `Command.replies` (the indexes of a command's replies
// in `Session.replies`), as a property access, an element access with a literal name or a
// destructuring. The rules' only way in is the conversation (src/smtp/conversation.ts: exchanges
// with their first and final reply, `replies`, `repliesOf`, `unpairedReplies`, `exchangeOf`, …).
// The engine and the walk feed the conversation to the rules, so they may.
// The check is by type, not by name: `g.commands` of a pipelined group is not the session's.
// Run by `npm run lint`; `node test/lint/conversation-only.mjs DIR` checks another tree (the tests do).
import { relative } from "node:path";
import ts from "typescript";
import { lintRoot, tsFiles } from "./ts-files.mjs";

const ROOT = lintRoot();

/** Files under rules/ that may read the lists, with the reason. */
const ALLOWED = new Map([
  ["rules/engine.ts", "the engine hands the session and its conversation to the rules"],
  ["rules/dispatch.ts", "the walk hands each part of the conversation to the rules"],
]);

/** The model's declarations that are the raw lists: interface → properties. */
const RAW = new Map([
  ["Session", new Set(["commands", "replies"])],
  ["Command", new Set(["replies"])],
]);

const files = tsFiles(ROOT);

const rel = (f) => relative(ROOT, f).split("\\").join("/");
const checked = files.filter((f) => rel(f).startsWith("rules/") && !ALLOWED.has(rel(f)));
const program = ts.createProgram(checked, {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
});
const checker = program.getTypeChecker();

/** "Session.commands" when `sym` is one of the raw lists declared in smtp/model.ts, else null. */
function rawList(sym) {
  for (const d of sym?.declarations ?? []) {
    const owner = d.parent;
    if (!owner || !ts.isInterfaceDeclaration(owner)) continue;
    const props = RAW.get(owner.name.text);
    const file = rel(d.getSourceFile().fileName);
    if (props?.has(sym.name) && file === "smtp/model.ts") return `${owner.name.text}.${sym.name}`;
  }
  return null;
}

const problems = [];
for (const f of checked) {
  const src = program.getSourceFile(f);
  if (!src) continue;
  const r = rel(f);
  const found = [];
  const say = (node, what) => found.push({ pos: node.getStart(src), what });
  (function visit(node) {
    if (ts.isPropertyAccessExpression(node) && (node.name.text === "commands" || node.name.text === "replies")) {
      const what = rawList(checker.getSymbolAtLocation(node.name));
      if (what) say(node.name, what);
    } else if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
      const what = rawList(checker.getSymbolAtLocation(node.argumentExpression) ?? checker.getTypeAtLocation(node.expression).getProperty(node.argumentExpression.text));
      if (what) say(node.argumentExpression, what);
    } else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
      const key = node.propertyName ?? node.name;
      const name = ts.isIdentifier(key) || ts.isStringLiteralLike(key) ? key.text : null;
      if (name === "commands" || name === "replies") {
        const what = rawList(checker.getTypeAtLocation(node.parent).getProperty(name));
        if (what) say(key, what);
      }
    }
    ts.forEachChild(node, visit);
  })(src);
  // by position: the walk meets `a.b.replies` before the `a.b` inside it
  found.sort((a, b) => a.pos - b.pos);
  for (const { pos, what } of found) {
    const { line, character } = src.getLineAndCharacterOfPosition(pos);
    problems.push(`${r}:${line + 1}:${character + 1}: reads ${what}; rules read the conversation (ctx.conversation), not the session's lists`);
  }
}

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`no rule file reads the session's command/reply lists (${checked.length} files in rules/; the engine and the walk feed the conversation: ${[...ALLOWED.keys()].join(", ")})`);
