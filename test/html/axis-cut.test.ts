import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { htmlReport } from "../../src/report/html/index.js";
import { analyzeConv, conv } from "../support/fixtures.js";
import { describeBrowser, launch, open, type Loaded } from "./browser.js";

/** Issue #20 item 13: a reply whose two segments are 3 s apart has its bracket across the axis cut; no label may lie in the band. */
describeBrowser("HTML ladder: the axis-cut band strikes through no label", () => {
  let browser: Browser;
  let l: Loaded;

  beforeAll(async () => {
    browser = await launch();
    const c = conv();
    c.handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("EHLO client.example.test\r\n");
    // two segments, then 3 s later the third: the bracket's middle is where the axis is cut
    c.server("250-mx.example.test\r\n");
    c.server("250-PIPELINING\r\n", { t: c.now + 0.001 });
    c.server("250-SIZE 1000\r\n250 8BITMIME\r\n", { t: c.now + 3 });
    c.client("QUIT\r\n").server("221 Bye\r\n");
    c.fin("client").fin("server");
    l = await open(browser, htmlReport([await analyzeConv([c])], { showSecrets: false }));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("every text outside the band is clear of it", async () => {
    if ((await l.page.locator("details.session#f0-s0 svg.lad").count()) === 0) await l.page.locator('tr.row[data-session="0"]').click();
    await l.page.locator("details.session#f0-s0 svg.lad").waitFor();
    const hits = await l.page.evaluate(() => {
      const svg = document.querySelector("details.session#f0-s0 svg.lad")!;
      const bands = [...svg.querySelectorAll("g.brk rect")].map((r) => (r as SVGGraphicsElement).getBBox());
      const out: string[] = [];
      for (const t of svg.querySelectorAll("text")) {
        if (t.closest("g.brk")) continue;
        const b = (t as SVGGraphicsElement).getBBox();
        if (b.width === 0) continue;
        for (const r of bands) if (b.x < r.x + r.width && b.x + b.width > r.x && b.y < r.y + r.height && b.y + b.height > r.y) out.push(t.textContent ?? "");
      }
      return { bands: bands.length, out };
    });
    expect(hits.bands).toBe(1);
    expect(hits.out).toEqual([]);
    expect(l.errors).toEqual([]);
  });
});
