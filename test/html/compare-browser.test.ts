import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { compareFiles } from "../../src/compare/index.js";
import type { CompareReport } from "../../src/compare/model.js";
import { compareHtmlReport } from "../../src/report/html/compare.js";
import { type TwoPoint, captures, splitByProxy } from "../compare/twopoint.js";
import { SHARED } from "../support/fixtures.js";
import { describeShared } from "../support/shared.js";
import { describeBrowser, launch, open, type Loaded } from "./browser.js";

/** The support case through a splitting proxy (as in test/compare/compare.test.ts), then a command
 * and a reply, with markup in them, that only the client side holds: after the STARTTLS 220 the
 * server side may be encrypted, so the comparison cannot judge them. */
function supportCase(): TwoPoint {
  const { p, t } = splitByProxy();
  p.t = t + 0.7;
  p.clientSwallowed("VRFY <img src=x onerror=window.__pwned=1>\r\n").boxAnswers("502 </script><script>window.__pwned=2</script>\r\n");
  return p;
}

/** Horizontal extent of every arrow of capture `cap`, in page pixels. */
async function arrowBoxes(l: Loaded, cap: "a" | "b"): Promise<{ left: number; right: number; top: number }[]> {
  return l.page.locator(`svg.cmp g.arrow[data-cap="${cap}"] line`).evaluateAll((els) => els.map((e) => {
    const r = e.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top };
  }));
}

async function lifelineX(l: Loaded, name: string): Promise<number> {
  return l.page.locator(`svg.cmp g[data-lifeline="${name}"] line`).evaluate((e) => e.getBoundingClientRect().left);
}

describeBrowser("compare --format html in chromium: the support case through a splitting proxy", () => {
  let browser: Browser;
  let l: Loaded;
  let r: CompareReport;

  beforeAll(async () => {
    browser = await launch();
    const f = captures([supportCase()]);
    r = await compareFiles(f.client, f.server);
    l = await open(browser, compareHtmlReport(r, { showSecrets: false }));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("loads nothing but itself, runs no script, logs no error", async () => {
    expect(l.errors).toEqual([]);
    expect(l.requests).toEqual([l.url]);
    expect(await l.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const text = await l.page.locator("main").innerText();
    expect(text).toContain("VRFY <img src=x onerror=window.__pwned=1>");
    expect(text).toContain("A was captured nearer the client, B nearer the server.");
    expect(text).toContain("it is not in B");
  });

  it("draws the ladder: three lifelines, one arrow per unit seen at each point, each on its own half", async () => {
    const p = r.pairs[0];
    expect(await l.page.locator("svg.cmp").count()).toBe(1);
    expect(await l.page.locator("svg.cmp g.lifeline").count()).toBe(3);
    const [xc, xm, xs] = [await lifelineX(l, "client"), await lifelineX(l, "middlebox"), await lifelineX(l, "server")];
    expect(xc).toBeLessThan(xm);
    expect(xm).toBeLessThan(xs);
    const a = await arrowBoxes(l, "a"), b = await arrowBoxes(l, "b");
    expect(a).toHaveLength(p.units.filter((u) => u.a).length);
    expect(b).toHaveLength(p.units.filter((u) => u.b).length);
    expect(a).toHaveLength(7);
    expect(b).toHaveLength(5);
    // A (the client side) between client and middlebox, B between middlebox and server
    for (const x of a) expect(x.left >= xc - 1 && x.right <= xm + 1).toBe(true);
    for (const x of b) expect(x.left >= xm - 1 && x.right <= xs + 1).toBe(true);
    // every arrow is labelled with frames of both captures
    for (const cap of ["a", "b"] as const) {
      const labels = await l.page.locator(`svg.cmp g.arrow[data-cap="${cap}"] text.fr`).allTextContents();
      expect(labels).toHaveLength(cap === "a" ? 7 : 5);
      for (const t of labels) expect(t).toMatch(cap === "a" ? /^A frames? [\d, ]+ · B (frames? [\d, ]+|not seen)$/ : /^B frames? [\d, ]+ · A frames? [\d, ]+$/);
    }
  });

  it("shows the hold as a bar on the middlebox lifeline from the reply at the server side to its last segment at the client side", async () => {
    const hold = l.page.locator('svg.cmp g.hold[data-frames="b 6 a 8"] line');
    expect(await hold.count()).toBe(1);
    const box = await hold.evaluate((e) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom }; });
    const tail = await l.page.locator('svg.cmp g.tail[data-frame="8"] line').evaluate((e) => e.getBoundingClientRect().top);
    const starttls = await l.page.locator('svg.cmp g.arrow[data-cap="a"]').filter({ hasText: "STARTTLS" }).first().locator("line").evaluate((e) => e.getBoundingClientRect().top);
    expect(box.top).toBeLessThan(starttls);
    expect(Math.abs(box.bottom - tail)).toBeLessThan(3);
    expect(await l.page.locator("svg.cmp g.mark").evaluateAll((gs) => gs.map((g) => [...g.querySelectorAll(":scope > text")].map((t) => t.textContent)))).toEqual([
      ["‖ held 600 ms beyond the usual transit (B frame 6 → A frame 8)", "✂ resegmented: 2 segments at A, 1 at B"],
      ["‖ held 597 ms beyond the usual transit (B frame 8 → A frame 9)"],
      // after the STARTTLS 220 the server side may be encrypted: the comparison cannot judge the
      // swallowed VRFY and the box's answer, and the ladder does not call them removed or injected
      ["? not in B, not reported as a change (see what the captures lack)"],
      ["? not in B, not reported as a change (see what the captures lack)"],
    ]);
    expect(await l.page.locator("svg.cmp g.mark.neutral").count()).toBe(2);
  });
});

const TWOSIDE = join(SHARED, "captures", "twoside");

describeShared("compare --format html in chromium: ../shared/captures/twoside", () => {
  describeBrowser("the pass-through proxy's recording (proxy-passthrough-auth)", () => {
    let browser: Browser;
    let l: Loaded;

    beforeAll(async () => {
      browser = await launch();
      const r = await compareFiles(join(TWOSIDE, "proxy-passthrough-auth.client-side.pcap"), join(TWOSIDE, "proxy-passthrough-auth.server-side.pcap"));
      l = await open(browser, compareHtmlReport(r, { showSecrets: false }));
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("renders one ladder with seven units at each point, and no error", async () => {
      expect(l.errors).toEqual([]);
      expect(await l.page.locator("svg.cmp").count()).toBe(1);
      expect(await l.page.locator("svg.cmp g.arrow[data-cap=a]").count()).toBe(7);
      expect(await l.page.locator("svg.cmp g.arrow[data-cap=b]").count()).toBe(7);
      expect(await l.page.locator('svg.cmp g[data-lifeline="client"]').textContent()).toContain("198.51.100.10:46136 in A");
      expect(await l.page.locator('svg.cmp g[data-lifeline="server"]').textContent()).toContain("127.0.0.1:587 in B");
      // the EHLO reply came in seven segments at both points: no mark, the frames on its arrows
      expect(await l.page.locator("svg.cmp g.mark").count()).toBe(0);
      expect(await l.page.locator('svg.cmp g.arrow[data-cap="b"] text.fr').allTextContents()).toContain("B 7 frames: 8, 9, …, 17 · A 7 frames: 8, 9, …, 14");
      expect(await l.page.locator("table.changes tr[data-kind]").count()).toBe(1);
    });
  });

  describeBrowser("the splitting proxy's recording (utm-naive-auth)", () => {
    let browser: Browser;
    let l: Loaded;

    beforeAll(async () => {
      browser = await launch();
      const r = await compareFiles(join(TWOSIDE, "utm-naive-auth.client-side.pcap"), join(TWOSIDE, "utm-naive-auth.server-side.pcap"));
      l = await open(browser, compareHtmlReport(r, { showSecrets: false }));
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("marks the re-cut EHLO reply and the two held replies on the middlebox lifeline", async () => {
      expect(l.errors).toEqual([]);
      expect(await l.page.locator("svg.cmp g.arrow[data-cap=a]").count()).toBe(7);
      expect(await l.page.locator("svg.cmp g.arrow[data-cap=b]").count()).toBe(7);
      // the EHLO reply: 7 segments at the server side (B), 2 at the client side (A), lines 4–7 held
      expect(await l.page.locator('svg.cmp g.arrow[data-cap="b"] text.fr').allTextContents()).toContain("B 7 frames: 8, 9, …, 15 · A frames 8, 11");
      const marks = await l.page.locator("svg.cmp g.mark").evaluateAll((els) => els.map((e) => e.getAttribute("data-marks")));
      expect(marks).toEqual(["resegmented delayed", "delayed"]);
      expect(await l.page.locator("table.changes tr[data-kind]").evaluateAll((els) => els.map((e) => e.getAttribute("data-kind")))).toEqual(["tcp-terminated", "resegmented", "delayed", "delayed"]);
    });
  });
});
