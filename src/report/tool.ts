/** What every JSON report names as its producer (kept equal to package.json by a test). */
export const TOOL = { name: "smtpcap", version: "0.1.0" } as const;

/**
 * Version of the JSON report's shape (schema/report.schema.json). Raised when a field is removed
 * or changes meaning; new optional fields may appear within one version.
 */
export const SCHEMA_VERSION = 1;
