import { expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ALL_RULES } from "../../src/rules/index.js";
import { SHARED } from "../support/fixtures.js";
import { describeShared } from "../support/shared.js";

// Every per-side quotation (RuleMeta.quoteFor), and every rule's main quote, is verbatim RFC text:
// the verdict puts it under the side it blames, so a customer can find it in the RFC named.
const RFC = join(SHARED, "rfc");

/** The RFC's text with page breaks (footer, form feed, header) removed, hyphenated line ends joined and white space collapsed. */
function rfcText(n: string): string | null {
  const file = join(RFC, `rfc${n}.txt`);
  if (!existsSync(file)) return null;
  return readFileSync(file, "utf8")
    .replace(/\n[^\n]*\[Page \d+\]\n\f?\n?RFC \d+[^\n]*\n/g, "\n")
    .replace(/-\n\s+/g, "-") // a word hyphenated across lines ("sender-\n   SMTP")
    .replace(/\s+/g, " ");
}

describeShared("quoteFor: per-side RFC sentences are verbatim", () => {
  const entries = ALL_RULES.flatMap((r) => Object.entries(r.meta.quoteFor ?? {}).map(([side, q]) => ({ id: r.meta.id, side, ...q })));
  it("there are per-side quotes to check", () => expect(entries.length).toBeGreaterThan(5));
  // the main quote too, where the RFC it cites is in ../shared/rfc (an ellipsis marks a cut)
  const main = ALL_RULES.filter((r) => { const n = /^RFC (\d+)/.exec(r.meta.reference)?.[1]; return n !== undefined && rfcText(n) !== null; })
    .map((r) => ({ id: r.meta.id, side: "quote", reference: r.meta.reference, quote: r.meta.quote.replace(/^… /, "").replace(/ ?…$/, "") }));
  it("most rules' main quotes are checked", () => expect(main.length).toBeGreaterThan(60));
  // the sub-case citations (RuleMeta.citations): each a verbatim cut, its pieces joined by " … "
  const cited = ALL_RULES.flatMap((r) => Object.entries(r.meta.citations ?? {}).map(([k, q]) => ({ id: r.meta.id, side: `citation ${k}`, ...q })));
  it("there are sub-case citations, each with its own reference", () => {
    expect(cited.length).toBeGreaterThan(0);
    for (const r of ALL_RULES) {
      const refs = Object.values(r.meta.citations ?? {}).map((c) => c.reference);
      expect(new Set([r.meta.reference, ...refs]).size, r.meta.id).toBe(refs.length + 1);
    }
  });
  for (const e of cited) {
    it(`${e.id} [${e.side}]: ${e.reference}`, () => {
      const text = rfcText(/^RFC (\d+)/.exec(e.reference)![1]);
      expect(text).not.toBeNull();
      const pieces = e.quote.split(" … ").map((x) => x.replace(/ ?…$/, "").replace(/\s+/g, " "));
      let at = 0;
      for (const p of pieces) {
        const i = text!.indexOf(p, at);
        expect(i, p).toBeGreaterThanOrEqual(0);
        at = i + p.length;
      }
    });
  }
  for (const e of [...entries, ...main]) {
    it(`${e.id} [${e.side}]: ${e.reference}`, () => {
      const n = /^RFC (\d+)/.exec(e.reference)?.[1];
      expect(n, "the reference names an RFC").toBeDefined();
      const text = rfcText(n!);
      expect(text, `rfc${n}.txt is in ../shared/rfc`).not.toBeNull();
      expect(text!.includes(e.quote.replace(/\s+/g, " ")), e.quote).toBe(true);
    });
  }
});
