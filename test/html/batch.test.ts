import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { batchHtmlReport, type BatchHtmlFile } from "../../src/report/html/index.js";
import { describeBrowser, launch, open, type Loaded } from "./browser.js";

/** What a batch keeps of a file: the sessions with findings or an undetermined verdict, all findings, and the session count. */
async function batchFile(path: string): Promise<BatchHtmlFile> {
  const rep = await analyzeFile(path);
  const fatal = rep.problems.find((p) => p.level === "error");
  const withFindings = new Set(rep.findings.map((f) => f.session));
  return {
    ...rep,
    sessions: rep.sessions.filter((s) => withFindings.has(s.index) || s.verdict.fault !== "none"),
    sessionCount: rep.sessions.length,
    error: fatal && rep.packets === 0 ? `byte ${fatal.offset}: ${fatal.message}` : null,
  };
}

describeBrowser("HTML batch report in chromium", () => {
  let browser: Browser;
  let l: Loaded;

  beforeAll(async () => {
    browser = await launch();
    const files = [await batchFile("samples/clean-pipelining.pcap"), await batchFile("samples/no-such-file.pcap"), await batchFile("samples/support-case.pcapng")];
    // compressed embedding, as a large batch gets it
    l = await open(browser, batchHtmlReport(files, { showSecrets: false, compressAbove: 0 }));
    await l.page.waitForSelector("body[data-ready]", { state: "attached" });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("lists the files in a table with verdicts and findings by severity", async () => {
    const rows = await l.page.locator("table.files tbody tr").allInnerTexts();
    expect(rows.length).toBe(3);
    expect(rows[0]).toMatch(/^samples\/clean-pipelining\.pcap\t1 session: nobody is at fault\.\t1\t0\t0\t0\t$/);
    expect(rows[1]).toMatch(/^samples\/no-such-file\.pcap\tThe file could not be read: .+\t0\t0\t0\t0\tunreadable$/);
    expect(rows[2]).toMatch(/^samples\/support-case\.pcapng\t2 sessions: the client is at fault in both\.\t2	■ 3	▲ 2	● 2	$/);
    expect(await l.page.locator("p.sentence").first().innerText()).toBe("3 files, 3 SMTP sessions: ■ 3 errors ▲ 2 warnings ● 2 infos · 1 file could not be read");
  });

  it("sorts by a column", async () => {
    await l.page.locator("table.files th", { hasText: "errors" }).click();
    await l.page.locator("table.files th", { hasText: "errors" }).click();
    const first = await l.page.locator("table.files tbody tr").first().innerText();
    expect(first).toContain("support-case");
    expect(await l.page.locator("table.files th", { hasText: "errors" }).getAttribute("aria-sort")).toBe("descending");
  });

  it("opens a file to its sessions, with the diagrams of those with errors drawn", async () => {
    expect(await l.page.locator("details.session").count()).toBe(0);
    await l.page.locator("table.files tbody tr", { hasText: "support-case" }).click();
    expect(await l.page.locator("details.file#f2[open]").count()).toBe(1);
    expect(await l.page.locator("details.file#f2 details.session[open] svg.lad").count()).toBe(2);
    expect(await l.page.locator('details.file#f2 svg.lad g.seg[data-frame="8"]').count()).toBe(1);
    // the clean file lists no session (only sessions with findings are kept) and says so
    await l.page.locator("table.files tbody tr", { hasText: "clean-pipelining" }).click();
    expect(await l.page.locator("details.file#f0").innerText()).toContain("1 session: nobody is at fault.");
    expect(await l.page.locator("details.file#f0 details.session").count()).toBe(0);
  });

  it("makes no network request and logs no error", () => {
    expect(l.requests).toEqual([l.url]);
    expect(l.errors).toEqual([]);
  });
});
