import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { gzipSync } from "node:zlib";
import type { FileReport } from "../../analyze.js";
import { escapeText } from "../../text/escape.js";
import { CLIENT_JS, PAGE_CSS } from "./client.js";
import { fileData, type FileD } from "./data.js";

export type { FileD } from "./data.js";

export interface HtmlOptions {
  /** credentials are already redacted in the model unless --show-secrets; this only labels the page */
  showSecrets: boolean;
  /** SHA-256 (hex) per FileReport.file, when the caller has it (e.g. computed while reading); otherwise the file is hashed here */
  sha256?: Record<string, string>;
  /** embed the data gzip-compressed (base64) when its JSON is larger than this many bytes (default 256 KiB) */
  compressAbove?: number;
}

export const COMPRESS_ABOVE = 256 * 1024;

/**
 * One file of a batch page: its report, whose `sessions` may be only those with findings or a
 * verdict other than "none" (the page counts every session not listed as "nobody at fault";
 * `findings` are still all of the file's), plus what the batch knows of the whole file.
 */
export type BatchHtmlFile = FileReport & {
  /** sessions in the file, including those not listed in `sessions` */
  sessionCount: number;
  /** why the file could not be read at all (then `sessions` is empty) */
  error?: string | null;
};

/**
 * SHA-256 of a capture file, read in 1 MiB chunks; "" for standard input or a file that cannot be
 * read (the page then says so).
 */
export function fileSha256(path: string): string {
  if (path === "<stdin>" || path === "-") return "";
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return "";
  }
  try {
    const hash = createHash("sha256");
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      hash.update(buf.subarray(0, n));
    }
    return hash.digest("hex");
  } catch {
    return "";
  } finally {
    closeSync(fd);
  }
}

/** Text for an HTML text node or a double-quoted attribute value. */
export function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;"));
}

/**
 * JSON for the inside of a `<script type="application/json">`: no `<`, `>` or `&` can appear
 * literally, so `</script>` and `<!--` in capture text cannot end or change the element (JSON.parse
 * reads the \u escapes back); U+2028/2029 are escaped too.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

const sha = (s: string) => "'sha256-" + createHash("sha256").update(s).digest("base64") + "'";

/** The page: the data once, the script that draws it; a CSP allows only these two inline pieces and no loads at all. */
function page(title: string, data: { kind: "analyze" | "batch"; secrets: boolean; files: FileD[] }, compressAbove = COMPRESS_ABOVE): string {
  const json = jsonForScript(data);
  // base64 holds no character that could end the element; gzip makes a report of thousands of
  // similar sessions some ten times smaller
  const embed = json.length > compressAbove
    ? `<script type="application/json" id="smtpcap-data" data-encoding="gzip-base64">${gzipSync(json, { level: 9 }).toString("base64")}</script>\n`
    : `<script type="application/json" id="smtpcap-data">${json}</script>\n`;
  const csp = `default-src 'none'; script-src ${sha(CLIENT_JS)}; style-src ${sha(PAGE_CSS)}; img-src data:; base-uri 'none'; form-action 'none'`;
  return (
    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
    `<meta http-equiv="Content-Security-Policy" content="${htmlEscape(csp)}">\n` +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
    "<meta name=\"referrer\" content=\"no-referrer\">\n" +
    `<title>${htmlEscape(title)}</title>\n<style>${PAGE_CSS}</style>\n</head>\n<body>\n` +
    "<main id=\"app\"><noscript><p>This report draws its content with the JavaScript embedded in this file; " +
    "open it in a browser with JavaScript enabled. The data is in the element with id smtpcap-data.</p></noscript></main>\n" +
    embed +
    `<script>${CLIENT_JS}</script>\n</body>\n</html>\n`
  );
}

function shaFor(file: string, opts: HtmlOptions): string {
  return opts.sha256?.[file] ?? fileSha256(file);
}

/**
 * One self-contained HTML page (inline CSS, JS and SVG; nothing loaded from anywhere) for the
 * reports of one or more capture files: verdicts, findings and a ladder diagram per session.
 */
export function htmlReport(files: FileReport[], opts: HtmlOptions): string {
  const data = files.map((f) => fileData(f, { sha256: shaFor(f.file, opts) }));
  const title = files.length === 1 ? `smtpcap report: ${escapeText(files[0].file)}` : `smtpcap report: ${files.length} files`;
  return page(title, { kind: "analyze", secrets: opts.showSecrets, files: data }, opts.compressAbove);
}

/**
 * The page data of one file of a batch. Plain JSON-serialisable arrays: a batch worker thread can
 * compute it next to the analysis and post it, instead of posting the whole report.
 */
export function batchHtmlFileData(f: BatchHtmlFile, opts: HtmlOptions): FileD {
  return fileData(f, { sha256: f.error ? "" : shaFor(f.file, opts), sessionCount: f.sessionCount, error: f.error ?? null });
}

/** The batch page from the files' data (batchHtmlFileData), in the order given. */
export function batchHtmlFromData(files: FileD[], opts: HtmlOptions): string {
  return page(`smtpcap batch report: ${files.length} files`, { kind: "batch", secrets: opts.showSecrets, files }, opts.compressAbove);
}

/**
 * `batch --format html`: one page for many files — a sortable table of files (verdict, sessions,
 * findings by severity, problems), each expandable to its sessions, with diagrams for the sessions
 * listed (normally those with findings).
 */
export function batchHtmlReport(files: BatchHtmlFile[], opts: HtmlOptions): string {
  return batchHtmlFromData(files.map((f) => batchHtmlFileData(f, opts)), opts);
}
