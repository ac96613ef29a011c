import { expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ALL_RULES } from "../../src/rules/index.js";
import { citedReference } from "../../src/rules/types.js";
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

/**
 * Quotes of RFCs that are not in ../shared/rfc, each checked by hand against the RFC's text at the
 * URL beside it (or a verbatim copy of it): the reference's first RFC and section, and the quote.
 * A quote whose RFC is not in ../shared/rfc and that is not listed here fails: none is skipped.
 */
const OUTSIDE: { reference: string; quote: string; url: string }[] = [
  // https://www.rfc-editor.org/rfc/rfc8996.html §4 "Do Not Use TLS 1.0" (wording confirmed by two independent quotations)
  { reference: "RFC 8996 §4", quote: "TLS 1.0 MUST NOT be used. Negotiation of TLS 1.0 from any version of TLS MUST NOT be permitted.", url: "https://www.rfc-editor.org/rfc/rfc8996.html#section-4" },
  // https://www.rfc-editor.org/rfc/rfc8996.html §5 "Do Not Use TLS 1.1"
  { reference: "RFC 8996 §5", quote: "TLS 1.1 MUST NOT be used. Negotiation of TLS 1.1 from any version of TLS MUST NOT be permitted.", url: "https://www.rfc-editor.org/rfc/rfc8996.html#section-5" },
  // https://www.rfc-editor.org/rfc/rfc7568.html §3 "Do Not Use SSL Version 3.0" (checked against the section's text as ldapwiki.com reproduces it)
  { reference: "RFC 7568 §3", quote: "SSLv3 MUST NOT be used. Negotiation of SSLv3 from any version of TLS MUST NOT be permitted.", url: "https://www.rfc-editor.org/rfc/rfc7568.html#section-3" },
  // https://www.rfc-editor.org/rfc/rfc8314.html §3.3 "Implicit TLS for SMTP Submission"
  { reference: "RFC 8314 §3.3", quote: "When a TCP connection is established for the \"submissions\" service (default port 465), a TLS handshake begins immediately.", url: "https://www.rfc-editor.org/rfc/rfc8314.html#section-3.3" },
];

/** Quotes that are not RFC text and are not checked here, with the reason (listed, so that none is skipped silently). */
const NOT_RFC: Record<string, string> = {
  "smuggled-commands-in-data": "quotes SEC Consult's advisory (CVE-2023-51766), not an RFC",
};

/** The first "RFC N §S" of a reference ("RFC 8996 §4; RFC 8446 §6.2" → "RFC 8996 §4"). */
const firstRef = (ref: string) => /^RFC \d+(?: §[\d.A-Z–-]+)?/.exec(ref)?.[0] ?? ref;

describeShared("every RFC quote outside ../shared/rfc is on the checked list", () => {
  const all = ALL_RULES.flatMap((r) => [
    { id: r.meta.id, reference: r.meta.reference, quote: r.meta.quote },
    ...Object.values(r.meta.quoteFor ?? {}).map((q) => ({ id: r.meta.id, ...q })),
    ...Object.values(r.meta.citations ?? {}).map((q) => ({ id: r.meta.id, ...q })),
  ]);
  const outside = all.filter((e) => { const n = /^RFC (\d+)/.exec(e.reference)?.[1]; return n === undefined || rfcText(n) === null; });
  it("there are such quotes (RFC 8996, RFC 7568, RFC 8314)", () => expect(outside.length).toBeGreaterThanOrEqual(6));
  for (const e of outside) {
    it(`${e.id}: ${e.reference}`, () => {
      if (!/^RFC \d+/.test(e.reference)) {
        expect(NOT_RFC[e.id], `${e.id} quotes no RFC: list it in NOT_RFC with the reason`).toBeDefined();
        return;
      }
      const hit = OUTSIDE.find((o) => o.reference === firstRef(e.reference) && o.quote === e.quote);
      expect(hit, `${e.reference}: “${e.quote}” is not in ../shared/rfc: check it against the RFC and list it in OUTSIDE with the URL`).toBeDefined();
    });
  }
  it("every listed quote is still used (the list does not go stale)", () => {
    for (const o of OUTSIDE) expect(outside.some((e) => firstRef(e.reference) === o.reference && e.quote === o.quote), o.reference).toBe(true);
  });
});

describeShared("quoteFor: per-side RFC sentences are verbatim", () => {
  const entries = ALL_RULES.flatMap((r) => Object.entries(r.meta.quoteFor ?? {}).map(([side, q]) => ({ id: r.meta.id, side, ...q })));
  it("there are per-side quotes to check", () => expect(entries.length).toBeGreaterThan(5));
  // the main quote too, where the RFC it cites is in ../shared/rfc (an ellipsis marks a cut)
  const main = ALL_RULES.filter((r) => { const n = /^RFC (\d+)/.exec(r.meta.reference)?.[1]; return n !== undefined && rfcText(n) !== null; })
    .map((r) => ({ id: r.meta.id, side: "quote", reference: r.meta.reference, quote: r.meta.quote.replace(/^… /, "").replace(/ ?…$/, "") }));
  it("most rules' main quotes are checked", () => expect(main.length).toBeGreaterThan(60));
  // the sub-case citations (RuleMeta.citations): each a verbatim cut, its pieces joined by " … "
  const allCited = ALL_RULES.flatMap((r) => Object.entries(r.meta.citations ?? {}).flatMap(([k, q]) => [
    { id: r.meta.id, side: `citation ${k}`, reference: q.reference, quote: q.quote },
    ...(q.also ? [{ id: r.meta.id, side: `citation ${k}, also`, reference: q.also.reference, quote: q.also.quote }] : []),
  ]));
  // (those of an RFC not in ../shared/rfc are checked against the OUTSIDE list above)
  const cited = allCited.filter((e) => { const n = /^RFC (\d+)/.exec(e.reference)?.[1]; return n !== undefined && rfcText(n) !== null; });
  it("there are sub-case citations, each with its own reference", () => {
    expect(cited.length).toBeGreaterThan(0);
    expect(allCited.length).toBeGreaterThan(cited.length);
    for (const r of ALL_RULES) {
      const refs = Object.values(r.meta.citations ?? {}).map(citedReference);
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
