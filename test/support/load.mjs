// Loads a TypeScript module of test/support from plain Node scripts (the benchmark, the samples
// builder): esbuild bundles it into a temporary ES module, which is imported and deleted.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

export async function loadSupport(file) {
  const out = await build({ entryPoints: [resolve(file)], bundle: true, platform: "node", format: "esm", write: false, logLevel: "error", packages: "external" });
  const dir = mkdtempSync(join(tmpdir(), "smtpcap-support-"));
  const path = join(dir, "module.mjs");
  writeFileSync(path, out.outputFiles[0].text);
  try {
    return await import(pathToFileURL(path).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
