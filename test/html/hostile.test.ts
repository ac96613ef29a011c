import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { htmlReport, jsonForScript } from "../../src/report/html/index.js";
import { conv } from "../support/fixtures.js";
import { writeCapture } from "../support/writer.js";
import { describeBrowser, launch, open, type Loaded } from "./browser.js";

const SCRIPT = "<script>window.__pwned=1</script>";
const IMG = "<img src=x onerror=window.__pwned=2>";
const SVG_END = "</svg><script>window.__pwned=3</script>";
const QUOTES = `"double" 'single' \`back\``;
const CONTROL = "\x1b[31mred\x07\x00";
const COMMENT = "</script><!-- <script>window.__pwned=5</script>";

/** A session whose every reply line carries markup, quotes or control characters, and whose client sends MAIL before the EHLO reply is complete. */
function hostileCapture(): Buffer {
  const c = conv();
  c.handshake();
  c.server(`220 ${SCRIPT} mx\r\n`);
  c.client(`EHLO ${IMG}\r\n`);
  c.server(`250-${IMG}\r\n250-${SVG_END}\r\n`);
  c.client("MAIL FROM:<a@b>\r\n");
  c.server(`250-${QUOTES}\r\n250-${CONTROL}\r\n250 ${COMMENT}\r\n`, { t: c.now + 0.5 });
  c.server("250 ok\r\n");
  c.fin("client").fin("server");
  return writeCapture(c.packets);
}

describeBrowser("HTML report of hostile capture text in chromium", () => {
  let browser: Browser;
  let l: Loaded;
  let html: string;

  beforeAll(async () => {
    browser = await launch();
    // the file name is capture-controlled text too
    const dir = mkdtempSync(join(tmpdir(), "smtpcap-hostile-"));
    const path = join(dir, `x<img src=y onerror=window.__pwned=4>".pcap`);
    writeFileSync(path, hostileCapture());
    const rep = await analyzeFile(path);
    expect(rep.sessions.length).toBe(1);
    expect(rep.findings.length).toBeGreaterThan(0);
    html = htmlReport([rep], { showSecrets: false });
    l = await open(browser, html);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("keeps the embedded data inside its element", () => {
    const start = html.indexOf('<script type="application/json" id="smtpcap-data">');
    const end = html.indexOf("</script>", start);
    const blob = html.slice(start + '<script type="application/json" id="smtpcap-data">'.length, end);
    expect(blob).not.toMatch(/[<>]/);
    expect(JSON.parse(blob).files[0].S[0].R[1][1]).toContain("250-" + IMG);
    // exactly the two script elements of the page
    expect(html.match(/<script/g)?.length).toBe(2);
    expect(jsonForScript("</script><!--\u2028")).toBe('"\\u003c/script\\u003e\\u003c!--\\u2028"');
  });

  it("shows the capture text as text and runs nothing from it", async () => {
    const { page } = l;
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator("main img, main script, main foreignObject, main iframe").count()).toBe(0);
    const ladder = (await page.locator("svg.lad").textContent()) ?? "";
    expect(ladder).toContain(`220 ${SCRIPT} mx`);
    expect(ladder).toContain(`EHLO ${IMG}`);
    expect(ladder).toContain(`250-${SVG_END}`);
    expect(ladder).toContain(`250-${QUOTES}`);
    // control characters are shown as escapes, as in the text report
    expect(ladder).toContain("250-\\x1b[31mred\\x07\\x00");
    expect(ladder).toContain("250 </script><!-- <script>window.__pwned=5</script>");
    expect(await page.locator("main").innerText()).toContain(`x<img src=y onerror=window.__pwned=4>".pcap`);
    expect(await page.title()).toContain("<img src=y");
  });

  it("makes no request (an <img> that was parsed would fetch x) and logs no error", () => {
    expect(l.requests).toEqual([l.url]);
    expect(l.errors).toEqual([]);
  });
});
