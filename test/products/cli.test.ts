import { describe, expect, it } from "vitest";
import { CATALOG } from "../../src/products/catalog.js";
import { run } from "../cli/run.js";

describe("smtpcap products", () => {
  it("lists every catalogue entry by role, and says which are never named from a capture", () => {
    const r = run(["products"]);
    expect(r.code).toBe(0);
    for (const p of CATALOG) expect(r.out).toContain(`  ${p.id.padEnd(22)} ${p.name}`);
    expect(r.out).toMatch(/^Servers:\n/);
    expect(r.out).toContain("  swaks                  swaks · 1 signature · 3 settings");
    expect(r.out).toContain("  fortigate              FortiGate (SMTP proxy / AV splice) · never named from a capture (no fingerprint)");
  });

  it("one product: signatures, settings with the exact command, sources", () => {
    const r = run(["products", "cisco-asa-esmtp"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("  - turn ESMTP inspection off: policy-map global_policy / class inspection_default / no inspect esmtp (explains: middlebox-esmtp-rewriting");
    expect(r.out).toContain("  - [strong, effect] an EHLO keyword replaced by X's ending in a letter (`250-XXXXXXXA` for STARTTLS)");
    expect(r.out).toContain("  - Cisco 118550: 250 XXXXXXXA and 500 #5.5.1 to STARTTLS: https://cisco.com/");
  });

  it("--format json: the catalogue as data, patterns as their source text", () => {
    const all = JSON.parse(run(["products", "--format", "json"]).out) as { id: string; signatures: { pattern?: string }[] }[];
    expect(all.map((p) => p.id)).toEqual(CATALOG.map((p) => p.id));
    const one = JSON.parse(run(["products", "postfix", "--format", "json"]).out) as { signatures: { pattern?: string }[] };
    expect(one.signatures[0].pattern).toBe("\\bESMTP Postfix\\b");
  });

  it("explain takes a product id too; an unknown product is a one-line usage error", () => {
    expect(run(["explain", "aiosmtpd"]).out).toMatch(/^aiosmtpd — aiosmtpd \(server\)\n/);
    const r = run(["products", "nosuch"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("smtpcap: unknown product: nosuch (see 'smtpcap products')\n");
  });
});
