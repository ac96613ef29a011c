#!/usr/bin/env node
// Writes the sample captures from src/capture/samples.ts (run `npm run build` first).
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SAMPLES } from "../dist/capture/samples.js";

const here = dirname(fileURLToPath(import.meta.url));
for (const [name, make] of Object.entries(SAMPLES)) {
  writeFileSync(join(here, name), make());
  console.log(`wrote samples/${name}`);
}
