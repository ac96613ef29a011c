import { expect, it } from "vitest";
import { join } from "node:path";
import { LAB } from "./support/fixtures.js";
import { describeShared } from "./support/shared.js";

describeShared("the library entry point", () => {
  it('import { analyzeFile } from "smtpcap" returns the same model as the CLI', async () => {
    const lib = await import("smtpcap");
    const rep = await lib.analyzeFile(join(LAB, "utm-naive-starttls.pcapng"));
    expect(rep.format).toBe("pcapng");
    expect(rep.sessions[0].replies[1].frames).toEqual([8, 11]);
    expect(lib.ALL_RULES.length).toBeGreaterThan(40);
    expect(lib.toJson(rep)).toMatchObject({ file: expect.stringContaining("utm-naive-starttls.pcapng"), packets: 20 });
    // the product catalogue and the matcher (src/products)
    expect(lib.productsOf(rep.sessions[0], rep.findings).server?.id).toBe("postfix");
    expect(lib.CATALOG.some((p) => p.id === "cisco-asa-esmtp")).toBe(true);
  });
});
