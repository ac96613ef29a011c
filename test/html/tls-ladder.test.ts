import type { Browser } from "playwright-core";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { htmlReport } from "../../src/report/html/index.js";
import { SHARED } from "../support/fixtures.js";
import { describeShared } from "../support/shared.js";
import { CHROMIUM_PRESENT, launch, open, type Loaded } from "./browser.js";

const TLS = join(SHARED, "captures", "tls");
const s0 = "details.session#f0-s0";

/** The ladder's TLS arrows of session 0: [data-frame, class, label lines joined by " | "]. */
async function arrows(l: Loaded): Promise<[string, string, string][]> {
  const d = l.page.locator(s0);
  if (!(await d.evaluate((e) => (e as HTMLDetailsElement).open))) await d.locator("summary").click();
  return l.page.locator(`${s0} svg.lad g.tlsrec`).evaluateAll((gs) => gs.map((g) => [g.getAttribute("data-frame") ?? "", g.getAttribute("class") ?? "", [...g.querySelectorAll("text")].map((t) => t.textContent).join(" | ")] as [string, string, string]));
}

// tshark -r F [-o tls.keylog_file:K] -Y tls -T fields -e frame.number -e _ws.col.Info is the oracle for these texts
describeShared("HTML ladder: the TLS handshake as arrows with their frames", () => {
  let browser: Browser;
  beforeAll(async () => {
    if (CHROMIUM_PRESENT) browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.runIf(CHROMIUM_PRESENT)("tls-version-refused: the ClientHello (frame 11) and the server's protocol_version alert (frame 12)", async () => {
    const rep = await analyzeFile(join(TLS, "tls-version-refused.pcap"));
    const l = await open(browser, htmlReport([rep], { showSecrets: false }));
    expect(await arrows(l)).toEqual([
      ["11", "tlsrec c", "frame 11 · TLS | Client Hello"],
      ["12", "tlsrec s", "frame 12 · TLS | Alert (Level: Fatal, Description: Protocol Version)"],
    ]);
    // in time order among the SMTP arrows: after the 220 to STARTTLS (frame 10), before the FIN
    const order = await l.page.locator(`${s0} svg.lad g[data-frame]`).evaluateAll((gs) => gs.map((g) => g.getAttribute("data-frame")));
    expect(order.indexOf("11")).toBeGreaterThan(order.indexOf("10"));
    expect(order.indexOf("12")).toBe(order.indexOf("11") + 1);
    expect(l.errors).toEqual([]);
  });

  it.runIf(CHROMIUM_PRESENT)("tls13-postfix-mail with its key log: decrypted handshake messages, close_notify, and the SMTP inside as today", async () => {
    const rep = await analyzeFile(join(TLS, "tls13-postfix-mail.pcap"), { tlsKeylogs: [join(TLS, "tls13-postfix-mail.keys")] });
    const l = await open(browser, htmlReport([rep], { showSecrets: false }));
    expect(await arrows(l)).toEqual([
      ["11", "tlsrec c", "frame 11 · TLS | Client Hello"],
      ["12", "tlsrec s", "frame 12 · TLS | Server Hello, Change Cipher Spec, Encrypted Extensions (decrypted), | Certificate (decrypted), Certificate Verify (decrypted), | Finished (decrypted)"],
      ["13", "tlsrec c", "frame 13 · TLS | Change Cipher Spec, Finished (decrypted)"],
      ["15", "tlsrec s", "frame 15 · TLS | New Session Ticket (decrypted)"],
      ["31", "tlsrec s", "frame 31 · TLS | Alert (Level: Warning, Description: Close Notify) (decrypted)"],
    ]);
    // the decrypted dialogue is drawn as segments, as without TLS
    expect(await l.page.locator(`${s0} svg.lad g.seg.c[data-frame="14"]`).textContent()).toContain("EHLO relay75.lab.test");
    expect(l.errors).toEqual([]);
  });
});
