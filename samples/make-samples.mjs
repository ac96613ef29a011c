#!/usr/bin/env node
// Writes the sample captures from test/support/samples.ts.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSupport } from "../test/support/load.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { SAMPLES } = await loadSupport(join(here, "../test/support/samples.ts"));
for (const [name, make] of Object.entries(SAMPLES)) {
  writeFileSync(join(here, name), make());
  console.log(`wrote samples/${name}`);
}
