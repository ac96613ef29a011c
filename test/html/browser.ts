/**
 * A real browser for the HTML report tests: Debian's chromium driven by playwright-core (no browser
 * download). In CI (CI=true) a missing chromium is an error; elsewhere the suites are skipped with
 * a visible name.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { describe } from "vitest";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_PRESENT = existsSync(CHROMIUM);

if (!CHROMIUM_PRESENT && process.env.CI) {
  throw new Error(`${CHROMIUM} is missing: CI must run the browser tests (.ci/run installs chromium)`);
}

/** `describe` for a suite that needs chromium; skipped with a visible name when it is absent. */
export function describeBrowser(name: string, fn: () => void): void {
  if (CHROMIUM_PRESENT) describe(name, fn);
  else describe.skip(`${name} [not run: no chromium at ${CHROMIUM}]`, fn);
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

const dir = mkdtempSync(join(tmpdir(), "smtpcap-html-"));
let n = 0;

export interface Loaded {
  page: Page;
  /** every URL the page requested (the page itself included) */
  requests: string[];
  /** console errors and uncaught exceptions */
  errors: string[];
  url: string;
}

/** Write the report to a file and open it from a file:// URL, recording requests and errors. */
export async function open(browser: Browser, html: string): Promise<Loaded> {
  const path = join(dir, `report${n++}.html`);
  writeFileSync(path, html);
  const url = pathToFileURL(path).href;
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.setDefaultTimeout(5000);
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url, { waitUntil: "load" });
  return { page, requests, errors, url };
}
