import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { htmlReport } from "../../src/report/html/index.js";
import { describeBrowser, launch, open, type Loaded } from "./browser.js";

/** The y coordinate where an arrow leaves its sender, in page pixels. */
async function arrowY(l: Loaded, session: string, frame: number): Promise<number> {
  const line = l.page.locator(`${session} svg.lad g.seg[data-frame="${frame}"] line`);
  expect(await line.count()).toBe(1);
  return l.page.evaluate((el) => {
    const r = (el as SVGLineElement).getBoundingClientRect();
    return r.top;
  }, await line.elementHandle());
}

describeBrowser("HTML report of samples/support-case.pcapng in chromium", () => {
  let browser: Browser;
  let l: Loaded;
  const s0 = "details.session#f0-s0";

  beforeAll(async () => {
    browser = await launch();
    const rep = await analyzeFile("samples/support-case.pcapng");
    l = await open(browser, htmlReport([rep], { showSecrets: false }));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows the file facts and the verdicts in a sentence", async () => {
    const text = await l.page.locator("main").innerText();
    expect(text).toContain("samples/support-case.pcapng");
    expect(text).toMatch(/SHA-256\s+a16c86ffa49b34e8ea93b81fdb6bb7219f5af3f9daa8bef26f94caa835b31467/);
    expect(text).toContain("31 packets");
    expect(text).toMatch(/first packet\s+2025-11-28 03:20:00.001 UTC\n/);
    expect(text).toMatch(/last packet\s+2025-11-28 03:20:08.325 UTC\n/);
    expect(text).toContain("2 sessions: the client is at fault in both.");
    // the session's verdict with its RFC sentence
    const verdict = await l.page.locator(`${s0} .verdict`).innerText();
    expect(verdict).toContain("The client is at fault: `STARTTLS` was sent after 3 of the 11 lines of the 250 reply to `EHLO client.example.test`, before its final line `250 CHUNKING` (frames 7, 8, 10).");
    expect(verdict).toContain("The EHLO, DATA, VRFY, EXPN, TURN, QUIT, and NOOP commands can only appear as the last command in a group");
    expect(await l.page.locator(`${s0} .verdict a`).first().getAttribute("href")).toBe("https://www.rfc-editor.org/rfc/rfc5321#section-4.3.1");
  });

  it("opens and draws the sessions with errors on load", async () => {
    expect(await l.page.locator("details.session[open]").count()).toBe(2);
    expect(await l.page.locator("details.session svg.lad").count()).toBe(2);
  });

  it("draws no TLS where none flowed: the client went on in plaintext after the STARTTLS 220", async () => {
    expect(await l.page.locator(`${s0} svg.lad g.tls`).count()).toBe(0);
    expect(await l.page.locator(`${s0}`).innerText()).toContain("STARTTLS answered 220 in frame 11, but no TLS handshake followed: the dialogue went on in plaintext");
  });

  it("draws both segments of the split EHLO reply, and STARTTLS between them on the time axis", async () => {
    for (const f of [7, 8, 10]) expect(await l.page.locator(`${s0} svg.lad [data-frame="${f}"]`).count()).toBeGreaterThan(0);
    const head = await arrowY(l, s0, 7);
    const starttls = await arrowY(l, s0, 8);
    const tail = await arrowY(l, s0, 10);
    expect(head).toBeLessThan(starttls);
    expect(starttls).toBeLessThan(tail);
    // 600 ms between the reply's segments is drawn much taller than the 1 ms before STARTTLS
    expect(tail - starttls).toBeGreaterThan(3 * (starttls - head));
    const starttlsText = await l.page.locator(`${s0} svg.lad g.seg[data-frame="8"]`).textContent();
    expect(starttlsText).toContain("frame 8 · 10 bytes · seq 27 ack 92");
    expect(starttlsText).toContain("STARTTLS");
    expect(starttlsText).toContain("ack 92: it had 3 of 11 lines of the 250 reply");
    // the reply as one bracket over its two segments
    const braces = await l.page.locator(`${s0} svg.lad g.brace`).allTextContents();
    expect(braces).toContain("250 reply, 11 lines, 2 segmentsends at seq 210");
    // the band of server bytes the client had not received when it sent STARTTLS
    expect(await l.page.locator(`${s0} svg.lad g.early`).textContent()).toContain("seq 92–210:not yet received by the clientwhen it sent frame 8");
  });

  it("labels segments with their lines, FIN and the client's pure ACKs", async () => {
    const tail = await l.page.locator(`${s0} svg.lad g.seg[data-frame="10"]`).textContent();
    expect(tail).toContain("frame 10 · 118 bytes · seq 92 ack 37");
    expect(tail).toContain("250 CHUNKING");
    expect(await l.page.locator(`${s0} svg.lad g.close.fin[data-frame="14"]`).textContent()).toContain("FIN from the server");
    expect(await l.page.locator(`${s0} svg.lad g.ack[data-frame="3"]`).textContent()).toContain("frame 3 · ACK only · ack 1");
    // ACKs are switchable
    await l.page.locator(`${s0} .ladder-tools input[type=checkbox]`).uncheck();
    expect(await l.page.locator(`${s0} svg.lad g.ack[data-frame="3"]`).isVisible()).toBe(false);
    await l.page.locator(`${s0} .ladder-tools input[type=checkbox]`).check();
    expect(await l.page.locator(`${s0} svg.lad g.ack[data-frame="3"]`).isVisible()).toBe(true);
  });

  it("highlights a finding's frames when it is selected", async () => {
    const li = l.page.locator(`${s0} ol.findings li`).first();
    expect(await li.getAttribute("data-rule")).toBe("client-acted-on-partial-multiline-reply");
    await li.locator("button", { hasText: "show in diagram" }).click();
    const lit = await l.page.locator(`${s0} svg.lad g.seg.hl`).evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-frame"))));
    expect(lit.sort((a, b) => a - b)).toEqual([7, 8, 10]);
    expect(await li.getAttribute("class")).toContain("sel");
    // selecting it again clears the highlight
    await li.locator("button", { hasText: "show in diagram" }).click();
    expect(await l.page.locator(`${s0} svg.lad .hl`).count()).toBe(0);
    // the filter is on the page to copy
    expect(await li.locator("code.filter-text").textContent()).toBe("tcp.stream eq 0 && frame.number in {7,8,10}");
  });

  it("filters the session list by rule", async () => {
    await l.page.locator("select").nth(1).selectOption("plaintext-after-starttls-accepted");
    expect(await l.page.locator("tr.row:not(.hidden)").count()).toBe(1);
    expect(await l.page.locator("details.session:not(.hidden)").getAttribute("id")).toBe("f0-s0");
    await l.page.locator("select").nth(1).selectOption("");
    expect(await l.page.locator("tr.row:not(.hidden)").count()).toBe(2);
  });

  it("makes no network request and logs no error", async () => {
    expect(l.requests).toEqual([l.url]);
    expect(l.errors).toEqual([]);
  });
});
