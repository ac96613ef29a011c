import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { analyzeFile, type FileReport } from "../../src/analyze.js";
import { htmlReport } from "../../src/report/html/index.js";
import { SHARED } from "../support/fixtures.js";
import { describeShared } from "../support/shared.js";
import { CHROMIUM_PRESENT, launch, open, type Loaded } from "./browser.js";

function captures(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...captures(p));
    else if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(e)) out.push(p);
  }
  return out;
}

const describeBoth = CHROMIUM_PRESENT ? describeShared : (name: string, fn: () => void) => describeShared(`${name} [not run: no chromium]`, () => it.skip("needs chromium", fn));

describeBoth("HTML report of every shared capture in chromium", () => {
  let browser: Browser;
  let l: Loaded;
  let reports: FileReport[];

  beforeAll(async () => {
    browser = await launch();
    reports = [];
    for (const f of captures(join(SHARED, "captures"))) reports.push(await analyzeFile(f));
    l = await open(browser, htmlReport(reports, { showSecrets: false }));
    await l.page.waitForSelector("body[data-ready]", { state: "attached" });
    // open every session and draw every ladder (the page draws open sessions before printing)
    await l.page.evaluate(() => {
      for (const d of document.querySelectorAll("details.session")) (d as HTMLDetailsElement).open = true;
    });
    await l.page.waitForTimeout(100);
    await l.page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
  }, 240000);
  afterAll(async () => {
    await browser?.close();
  });

  it("draws every session, with an element for every data segment, and no error", async () => {
    const sessions = reports.reduce((n, r) => n + r.sessions.length, 0);
    expect(await l.page.locator("svg.lad").count()).toBe(sessions);
    // the frames each ladder marks, per session id
    const drawn: Record<string, number[]> = await l.page.evaluate(() => {
      const out: Record<string, number[]> = {};
      for (const d of document.querySelectorAll("details.session")) {
        out[d.id] = [...d.querySelectorAll("svg.lad [data-frame]")].map((e) => Number(e.getAttribute("data-frame")));
      }
      return out;
    });
    reports.forEach((r, fi) => {
      for (const s of r.sessions) {
        const want = new Set<number>();
        for (const c of s.commands) if (c.kind !== "message") for (const g of c.segments) want.add(g.frame);
        for (const rp of s.replies) for (const g of rp.segments) want.add(g.frame);
        const have = new Set(drawn[`f${fi}-s${s.index}`]);
        const missing = [...want].filter((f) => !have.has(f));
        expect(missing, `${r.file} session ${s.index}`).toEqual([]);
      }
    });
    expect(l.errors).toEqual([]);
    expect(l.requests).toEqual([l.url]);
  });
});
