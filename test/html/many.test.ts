import { statSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { analyzeFile, type FileReport } from "../../src/analyze.js";
import { htmlReport } from "../../src/report/html/index.js";
import { ehloReply, tmpFile } from "../support/fixtures.js";
import { Conversation, writeCapture } from "../support/writer.js";
import { describeBrowser, launch, open, type Loaded } from "./browser.js";

const SESSIONS = 300;
const EARLY = 60;

/** 300 sessions, each sending a 10 kB message; in the first 60 the client sends MAIL after the first segment of a split EHLO reply. */
function manySessions(): string {
  const packets = [];
  const body = "Subject: x\r\n\r\n" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n".repeat(175) + ".\r\n";
  for (let i = 0; i < SESSIONS; i++) {
    const c = new Conversation(`192.0.2.${10 + (i % 200)}:${40000 + i}`, "192.0.2.25:25", { t0: 1764300000 + i * 3 });
    c.handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("EHLO client.example.test\r\n");
    const ehlo = ehloReply();
    if (i < EARLY) {
      const cut = ehlo.indexOf("\r\n", 30) + 2;
      c.server(ehlo.slice(0, cut));
      c.client("MAIL FROM:<a@example.test>\r\n");
      c.server(ehlo.slice(cut), { t: c.now + 0.4 });
      c.server("250 2.1.0 Ok\r\n");
    } else {
      c.server(ehlo);
      c.client("MAIL FROM:<a@example.test>\r\n");
      c.server("250 2.1.0 Ok\r\n");
    }
    c.client("RCPT TO:<b@example.test>\r\n");
    c.server("250 2.1.5 Ok\r\n");
    c.client("DATA\r\n");
    c.server("354 go ahead\r\n");
    for (let off = 0; off < body.length; off += 1448) c.client(body.slice(off, off + 1448));
    c.server("250 2.0.0 Ok: queued\r\n");
    c.client("QUIT\r\n");
    c.server("221 2.0.0 Bye\r\n");
    c.fin("client").fin("server");
    packets.push(...c.packets);
  }
  return tmpFile(writeCapture(packets));
}

describeBrowser("HTML report of 300 sessions in chromium", () => {
  let browser: Browser;
  let l: Loaded;
  let rep: FileReport;
  let path: string;
  let html: string;

  beforeAll(async () => {
    browser = await launch();
    path = manySessions();
    rep = await analyzeFile(path);
    html = htmlReport([rep], { showSecrets: false });
    l = await open(browser, html);
    await l.page.waitForSelector("body[data-ready]", { state: "attached" });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("embeds the data compressed and stays well under 15% of the capture", () => {
    expect(rep.sessions.length).toBe(SESSIONS);
    expect(html).toContain('data-encoding="gzip-base64"');
    expect(html.length).toBeLessThan(0.15 * statSync(path).size);
  });

  it("opens the sessions with errors, draws the first 20 at once and the others when they are scrolled to", async () => {
    const { page } = l;
    const serious = rep.sessions.filter((s) => s.verdict.counts.error + s.verdict.counts.warning > 0).length;
    expect(serious).toBe(EARLY);
    expect(await page.locator("details.session[open]").count()).toBe(EARLY);
    expect(await page.locator("details.session svg.lad").count()).toBe(20);
    const last = page.locator(`details.session#f0-s${EARLY - 1}`);
    expect(await last.locator("svg.lad").count()).toBe(0);
    await last.locator(".ladder").scrollIntoViewIfNeeded();
    await expect.poll(() => last.locator("svg.lad").count()).toBe(1);
  });

  it("draws a clean session when it is opened, with its message as one block", async () => {
    const { page } = l;
    const s = page.locator(`details.session#f0-s${SESSIONS - 1}`);
    await page.locator(`tr.row[data-session="${SESSIONS - 1}"]`).click();
    expect(await s.locator("svg.lad").count()).toBe(1);
    const msg = s.locator("svg.lad g.msgblk");
    expect(await msg.count()).toBe(1);
    expect(await msg.textContent()).toContain("message content (frames 7548–7555)"); expect(await msg.textContent()).toContain("10,167 bytes in 8 segments, 177 lines, end of data in frame 7555");
    expect(l.errors).toEqual([]);
    expect(l.requests).toEqual([l.url]);
  });
});
