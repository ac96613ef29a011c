/**
 * The registry of output formats: the one place a format is looked up by name (analyze, batch and
 * its workers, watch). A new format is one file exporting a `Format` factory, and a line here.
 */
import { compactFormat } from "./compact.js";
import { jsonFormat, ndjsonFormat } from "./json.js";
import { junitFormat } from "./junit.js";
import type { Format } from "./reporter.js";
import { summaryFormat, textFormat } from "./text.js";

const FORMATS: Record<string, () => Format | Promise<Format>> = {
  text: textFormat,
  /** `analyze --summary`: a line per session */
  summary: summaryFormat,
  json: jsonFormat,
  ndjson: ndjsonFormat,
  compact: compactFormat,
  junit: junitFormat,
  // loaded only for this format: the page's script, node:crypto and node:zlib (~5 ms at startup)
  html: async () => (await import("./html/reporter.js")).htmlFormat(),
};

export const FORMAT_NAMES = Object.keys(FORMATS);

/** A fresh instance of the format `name` (its envelope and file reporters share state, e.g. html's page). */
export async function loadFormat(name: string): Promise<Format> {
  const make = FORMATS[name];
  if (make === undefined) throw new Error(`unknown output format: ${name}`);
  return make();
}
