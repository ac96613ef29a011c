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
