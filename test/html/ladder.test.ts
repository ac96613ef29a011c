import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { FileReport } from "../../src/analyze.js";
import { htmlReport } from "../../src/report/html/index.js";
import { analyzeConv, conv } from "../support/fixtures.js";
import { describeBrowser, launch, open, type Loaded } from "./browser.js";

describeBrowser("HTML ladder: middlebox, cut lines, lost bytes, RST", () => {
  let browser: Browser;
  let l: Loaded;
  let rep: FileReport;
  const s0 = "details.session#f0-s0";

  beforeAll(async () => {
    browser = await launch();
    const c = conv();
    c.handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("EHLO client.example.test\r\n");
    // a masked STARTTLS (a middlebox rewrote the reply), and a line cut between two segments
    c.server("250-mx.example.test\r\n250-XXXXXXXX\r\n250-PIPEL");
    c.server("INING\r\n250 8BITMIME\r\n", { t: c.now + 0.002 });
    c.client("MAIL FROM:<a@example.test>\r\n");
    c.server("250 2.1.0 Ok\r\n", { lose: true });
    c.client("RCPT TO:<b@example.test>\r\n");
    c.server("250 2.1.5 Ok\r\n");
    c.rst("server", { t: c.now + 2.5 });
    // a long clean session: 1100 NOOPs, each answered
    const d = conv({ client: "192.0.2.11:40001", t0: c.now + 10 });
    d.handshake();
    d.server("220 mx.example.test ESMTP\r\n");
    for (let i = 0; i < 1100; i++) d.client("NOOP\r\n").server("250 2.0.0 Ok\r\n");
    d.client("QUIT\r\n").server("221 2.0.0 Bye\r\n");
    d.fin("client").fin("server");
    rep = await analyzeConv([c, d]);
    l = await open(browser, htmlReport([rep], { showSecrets: false }));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("draws a middlebox lifeline when a finding puts one in the path", async () => {
    expect(rep.findings.some((f) => f.rule === "starttls-unavailable-or-stripped" && f.side === "middlebox")).toBe(true);
    expect(await l.page.locator(`${s0} svg.lad line.life`).count()).toBe(3);
    expect(await l.page.locator(`${s0} svg.lad`).textContent()).toContain("middleboxin the path per starttls-unavailable-or-stripped");
  });

  it("marks a segment that ends inside a line, and the line's continuation", async () => {
    const cut = l.page.locator(`${s0} svg.lad g.seg.cut`);
    expect(await cut.count()).toBe(1);
    const frame = Number(await cut.getAttribute("data-frame"));
    expect(await cut.textContent()).toContain("✂ ends mid-line");
    const next = await l.page.locator(`${s0} svg.lad g.seg[data-frame="${frame + 1}"]`).textContent();
    expect(next).toContain("↳ 250-PIPELINING");
  });

  it("shows the bytes the capture lacks and the RST", async () => {
    const gaps = rep.sessions[0].gaps;
    expect(gaps.length).toBeGreaterThan(0);
    const gap = l.page.locator(`${s0} svg.lad g.gap`).first();
    expect(await gap.getAttribute("data-frame")).toBe(String(gaps[0].frame));
    expect(await gap.textContent()).toContain(`gap: ${gaps[0].bytes} bytes of the server's data are not in the capture`);
    const rst = rep.sessions[0].close.server!;
    expect(await l.page.locator(`${s0} svg.lad g.close.rst[data-frame="${rst.frame}"]`).textContent()).toContain("RST from the server");
    // 2.5 s without a packet is an axis cut
    expect(await l.page.locator(`${s0} svg.lad g.brk`).textContent()).toMatch(/axis cut: 2\.\d{3} s later/);
    expect(l.errors).toEqual([]);
  });

  it("draws at most 2000 rows of a long session and says what it left out", async () => {
    const s1 = "details.session#f0-s1";
    await l.page.locator('tr.row[data-session="1"]').click();
    expect(await l.page.locator(`${s1} svg.lad g.seg, ${s1} svg.lad g.ack`).count()).toBe(2000);
    const note = await l.page.locator(`${s1} svg.lad text.note`).last().textContent();
    expect(note).toMatch(/^The diagram stops after 2000 rows: \d+ more rows, from frame \d+ \(\+[\d.]+ (ms|s)\), are not drawn\.$/);
    expect(l.errors).toEqual([]);
  });
});
