import type { FileReport } from "../../analyze.js";

export interface HtmlOptions {
  /** credentials are already redacted in the model unless --show-secrets; this only labels the page */
  showSecrets: boolean;
}

/**
 * One self-contained HTML page (inline CSS, JS and SVG; nothing loaded from anywhere) for the
 * reports of one or more capture files: verdicts, findings and a ladder diagram per session.
 * (Stub: the renderer is being written for issue #13.)
 */
export function htmlReport(files: FileReport[], _opts: HtmlOptions): string {
  return `<!doctype html><meta charset="utf-8"><title>smtpcap</title><p>${files.length} files</p>\n`;
}
