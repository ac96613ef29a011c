// The node flags of bin/smtpcap.js's first line (`#!/usr/bin/env -S node FLAGS`): the benchmark
// runs the CLI as an installed `smtpcap` runs, not as `node bin/smtpcap.js` (which drops them).
import { readFileSync } from "node:fs";
import { join } from "node:path";

export function cliNodeFlags(root) {
  const first = readFileSync(join(root, "bin/smtpcap.js"), "utf8").split("\n", 1)[0];
  const m = /^#!\/usr\/bin\/env -S node\b(.*)$/.exec(first);
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}
