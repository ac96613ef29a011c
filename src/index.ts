/** smtpcap as a library: the same model the CLI prints. */
export { analyzeFile, analyzeStream, DEFAULT_ANALYZE, type AnalyzeOptions, type FileReport, type FileStats, type FileSummary, type SessionSink } from "./analyze.js";
export { toJson, JsonFileWriter, jsonReportStart, jsonReportEnd } from "./report/json.js";
export { toText } from "./report/text.js";
export { htmlReport, batchHtmlReport, type HtmlOptions, type BatchHtmlFile } from "./report/html/index.js";
export { compactLine } from "./report/compact.js";
export { isoTime, UTC } from "./report/time.js";
export { clockOf, type Clock } from "./capture/clock.js";
export { SCHEMA_VERSION, TOOL } from "./report/tool.js";
export { escapeText } from "./text/escape.js";
export { ALL_RULES } from "./rules/index.js";
export type { Finding, Rule, RuleMeta, Severity, Side, SessionVerdict } from "./rules/types.js";
export type * from "./smtp/model.js";
export { readCapture, type ReadResult } from "./capture/source.js";
export type { ReadProblem } from "./capture/types.js";
export { CATALOG, productById, type Product, type ProductRole, type Setting, type Signature, type Source } from "./products/catalog.js";
export { productsOf, knobFor, type SessionProducts, type ProductClaim, type Evidence, type ClientBehaviour, type Confidence } from "./products/match.js";
