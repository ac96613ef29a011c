/**
 * `smtpcap batch DIR --format html`: one self-contained page for a folder, built by the CLI from
 * the page data its worker threads send (checked against the same folder's NDJSON).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { Browser } from "playwright-core";
import type { FileD } from "../../src/report/html/index.js";
import { greeted } from "../support/rules.js";
import { writeCapture } from "../support/writer.js";
import { describeBrowser, launch, open } from "../html/browser.js";
import { ROOT, run } from "./run.js";

const NAMES = ["clean-pipelining.pcap", "garbage.pcap", "support-case.pcapng"];

/** A temporary folder: the two samples and a file that is not a capture. */
function folder(): string {
  const d = mkdtempSync(join(tmpdir(), "smtpcap-batch-html-"));
  copyFileSync(join(ROOT, "samples", "support-case.pcapng"), join(d, "support-case.pcapng"));
  copyFileSync(join(ROOT, "samples", "clean-pipelining.pcap"), join(d, "clean-pipelining.pcap"));
  writeFileSync(join(d, "garbage.pcap"), "this is not a capture file\n");
  return d;
}

/** The data the page embeds (plain JSON, or gzip-compressed in base64 for a large page). */
function pageData(html: string): { kind: string; secrets: boolean; files: FileD[] } {
  const m = /<script type="application\/json" id="smtpcap-data"( data-encoding="gzip-base64")?>([^<]*)<\/script>/.exec(html);
  expect(m, "the embedded data").not.toBeNull();
  const text = m![1] ? gunzipSync(Buffer.from(m![2], "base64")).toString("utf8") : m![2];
  return JSON.parse(text);
}

type Rec = { type: string; file: string; index: number; sessionCount: number; counts: { error: number; warning: number; info: number }; error?: { message: string }; verdict: { fault: string }; findings: { rule: string }[] };

describe("smtpcap batch --format html", () => {
  const d = folder();
  const r = run(["batch", "--format", "html", d]);
  const recs: Rec[] = run(["batch", "--format", "ndjson", d]).out.trim().split("\n").map((l) => JSON.parse(l));
  const fileRec = (name: string) => recs.find((x) => x.type === "file" && x.file === join(d, name))!;

  it("exits 3 (an unreadable input wins over findings) and names the unreadable file on stderr", () => {
    expect(r.code).toBe(3);
    expect(r.err).toContain(`smtpcap: ${join(d, "garbage.pcap")}: not a capture file`);
  });

  it("is one self-contained HTML file: nothing loaded, no link but plain RFC <a href>", () => {
    expect(r.out).toMatch(/^<!doctype html>\n/);
    expect(r.out).toMatch(/<\/html>\n$/);
    expect(r.out.match(/<html\b/g)).toHaveLength(1);
    expect(r.out).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`);
    // no element that loads something
    expect(r.out).not.toMatch(/<(script|link|img|iframe|frame|object|embed|source|video|audio|track|input)\b[^>]*\s(src|href|srcset|data)\s*=/i);
    expect(r.out).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//i);
    // the only address in the page is the RFC editor's, and the only thing given one is a link
    // (the script's `a.href = "https://www.rfc-editor.org/rfc/rfc…"`)
    // (besides the SVG namespace name, which is never fetched)
    const page = r.out.replaceAll('"http://www.w3.org/2000/svg"', '""');
    expect(new Set([...page.matchAll(/https?:\/\/([^/"'\s)]+)/gi)].map((m) => m[1]))).toEqual(new Set(["www.rfc-editor.org"]));
    for (const m of page.matchAll(/([\w.<]*)\s*\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//gi)) expect(m[1]).toBe("a.");
    expect(r.out.match(/<script\b[^>]*>/g)).toEqual(['<script type="application/json" id="smtpcap-data">', "<script>"]);
  });

  it("lists the three files in path order, named relative to the folder, with what decides their verdicts", () => {
    const data = pageData(r.out);
    expect(data.kind).toBe("batch");
    expect(data.secrets).toBe(false);
    expect(data.files.map((f) => f.name)).toEqual(NAMES);
    const [clean, garbage, support] = data.files;
    for (const f of data.files) {
      const rec = fileRec(f.name);
      expect(f.sessionCount, f.name).toBe(rec.sessionCount);
      expect(f.k, f.name).toEqual([rec.counts.error, rec.counts.warning, rec.counts.info]);
    }
    // clean: one session, nobody at fault, so none listed
    expect([clean.error, clean.sessionCount, clean.S.length, clean.onlyWithFindings]).toEqual(["", 1, 0, true]);
    expect(clean.sha).toMatch(/^[0-9a-f]{64}$/);
    // garbage: a row with its error
    expect(garbage.error).toBe(fileRec("garbage.pcap").error!.message);
    expect(garbage.error).toMatch(/^not a capture file/);
    expect([garbage.sessionCount, garbage.S.length, garbage.sha]).toEqual([0, 0, ""]);
    // the support case: both sessions, client at fault, with their findings
    expect(support.error).toBe("");
    expect(support.k[0]).toBeGreaterThan(0);
  });

  it("embeds the support case's two sessions with the verdicts and findings of the same run's NDJSON", () => {
    const support = pageData(r.out).files[2];
    const sessions = recs.filter((x) => x.type === "session" && x.file === join(d, "support-case.pcapng"));
    expect(sessions).toHaveLength(2);
    expect(support.S.map((s) => s.n)).toEqual([0, 1]);
    expect(support.S.map((s) => s.st)).toEqual([0, 1]);
    expect(support.S.map((s) => s.v[0])).toEqual(sessions.map((s) => s.verdict.fault));
    expect(support.S.map((s) => s.v[0])).toEqual(["client", "client"]);
    expect(support.S.map((s) => s.F.map((f) => f[0]))).toEqual(sessions.map((s) => s.findings.map((f) => f.rule)));
    // the diagram's material is there: the segments of the split EHLO reply (frames 7 and 10)
    const frames = support.S[0].R.flatMap((rep) => rep[3].map((g) => g[0]));
    expect(frames).toEqual(expect.arrayContaining([7, 10]));
    expect(support.sha).toBe(pageData(run(["analyze", "--format", "html", join(d, "support-case.pcapng")]).out).files[0].sha);
  });

  it("-o FILE writes the same bytes as standard output; -j 1 and -j 2 give the same page", () => {
    const out = join(mkdtempSync(join(tmpdir(), "smtpcap-o-")), "batch.html");
    const o = run(["batch", "--format", "html", "-o", out, d]);
    expect(o.code).toBe(3);
    expect(o.out).toBe("");
    expect(readFileSync(out, "utf8")).toBe(r.out);
    expect(run(["batch", "--format", "html", "-j", "1", d]).out).toBe(r.out);
    expect(run(["batch", "--format", "html", "-j", "2", d]).out).toBe(r.out);
  });

  it("exit 1 without the unreadable file; 0 with --fail-on never", () => {
    const only = mkdtempSync(join(tmpdir(), "smtpcap-batch-html-"));
    copyFileSync(join(ROOT, "samples", "support-case.pcapng"), join(only, "support-case.pcapng"));
    expect(run(["batch", "--format", "html", only]).code).toBe(1);
    expect(run(["batch", "--format", "html", "--fail-on", "never", only]).code).toBe(0);
  });

  it("credentials stay redacted unless --show-secrets, which the page then states", () => {
    const dir = mkdtempSync(join(tmpdir(), "smtpcap-batch-html-"));
    const c = greeted(["250-mx.example.test", "250 AUTH PLAIN"]);
    c.client("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
    c.server("235 ok\r\n");
    c.client("AUTH PLAIN AGJvYgBzZWNyZXQ=\r\n"); // AUTH again: a finding, so the session is on the page
    c.server("503 already authenticated\r\n");
    writeFileSync(join(dir, "auth.pcap"), writeCapture(c.packets));
    const hidden = run(["batch", "--format", "html", dir]);
    const shown = run(["batch", "--format", "html", "--show-secrets", dir]);
    expect(pageData(hidden.out).files[0].S).toHaveLength(1);
    expect(hidden.out).toContain("[redacted 16 bytes]");
    expect(hidden.out).not.toContain("AGJvYgBzZWNyZXQ=");
    expect(pageData(hidden.out).secrets).toBe(false);
    expect(shown.out).toContain("AGJvYgBzZWNyZXQ=");
    expect(pageData(shown.out).secrets).toBe(true);
  });

  it("an unknown --format is still a usage error (2)", () => {
    expect(run(["batch", "--format", "htm", d]).code).toBe(2);
  });

  describeBrowser("in chromium", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launch();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("shows the three rows with their verdicts, and a click opens the support case to its two sessions' diagrams", async () => {
      const l = await open(browser, r.out);
      await l.page.waitForSelector("body[data-ready]", { state: "attached" });
      const rows = await l.page.locator("table.files tbody tr").allInnerTexts();
      expect(rows.map((x) => x.split("\t").slice(0, 2))).toEqual([
        ["clean-pipelining.pcap", "1 session: nobody is at fault."],
        ["garbage.pcap", `The file could not be read: ${fileRec("garbage.pcap").error!.message}`],
        ["support-case.pcapng", "2 sessions: the client is at fault in both."],
      ]);
      expect(await l.page.locator("details.session").count()).toBe(0);
      await l.page.locator("table.files tbody tr", { hasText: "support-case" }).click();
      expect(await l.page.locator("details.file#f2[open]").count()).toBe(1);
      expect(await l.page.locator("details.file#f2 details.session").count()).toBe(2);
      expect(await l.page.locator("details.file#f2 details.session[open] svg.lad").count()).toBe(2);
      expect(l.requests).toEqual([l.url]);
      expect(l.errors).toEqual([]);
    });
  });
});
