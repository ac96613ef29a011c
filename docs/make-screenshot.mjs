#!/usr/bin/env node
// Regenerates docs/html-report.png: the HTML report of samples/support-case.pcapng, rendered by
// Debian's chromium through playwright-core (no browser download). Run `npm run build` first.
//   node docs/make-screenshot.mjs [--html out.html]
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { analyzeFile } from "../dist/analyze.js";
import { htmlReport } from "../dist/report/html/index.js";
import { toPalette } from "./png-palette.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sample = "samples/support-case.pcapng";
process.chdir(root);
const html = htmlReport([await analyzeFile(sample)], { showSecrets: false });
const htmlOut = process.argv.includes("--html") ? process.argv[process.argv.indexOf("--html") + 1] : join(tmpdir(), "smtpcap-support-case.html");
writeFileSync(htmlOut, html);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1180, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(htmlOut).href);
  // the top of the report and the first session: its verdict, findings and the ladder with the
  // split EHLO reply, the finding selected
  await page.locator("details.session#f0-s0 ol.findings li").first().locator("button", { hasText: "show in diagram" }).click();
  await page.locator("details.session#f0-s1").evaluate((d) => { d.open = false; });
  const bottom = await page.locator("details.session#f0-s0").evaluate((d) => d.getBoundingClientRect().bottom + window.scrollY);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(root, "docs", "html-report.png"), clip: { x: 0, y: 0, width: 1180, height: Math.ceil(bottom) + 12 }, fullPage: true, type: "png" });
} finally {
  await browser.close();
}
toPalette(join(root, "docs", "html-report.png"));
console.log("wrote docs/html-report.png and " + htmlOut);
