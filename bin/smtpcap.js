#!/usr/bin/env -S node --max-semi-space-size=4
// --max-semi-space-size=4: a young generation of 4 MB semi-spaces instead of 16 keeps the peak
// RSS of a 200 MB capture near 140 MB instead of 165 (CPU -3%; bench/ab.mjs). It only takes effect
// on the command line: bench/ reads it from this line, and `node bin/smtpcap.js` runs without it.
// One bundled file loads faster than the sixty modules behind it (startup matters for small
// captures). The package ships the bundle; a clone of the repository builds it on first use,
// so that installing runs no build script.
// In a clone (src/ beside bin/), a bundle older than any source file is rebuilt: after a pull,
// `npx smtpcap` would otherwise run yesterday's code until `npm run build`. The check stats the
// ~200 files of src/ (about 1 ms); an installed package has no src/ and skips it.
import { existsSync, readdirSync, statSync } from "node:fs";

const bundle = new URL("../dist/bundle/main.js", import.meta.url);
const src = new URL("../src/", import.meta.url);
if (!existsSync(bundle)) {
  const { buildCli } = await import("./build-cli.mjs");
  await buildCli({ firstUse: true });
} else if (existsSync(src) && newestMtime(src) > statSync(bundle).mtimeMs) {
  const { buildCli } = await import("./build-cli.mjs");
  await buildCli({ stale: true });
}

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const t = statSync(`${e.parentPath ?? e.path}/${e.name}`).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}
const { main } = await import(bundle.href);
main(process.argv).then((code) => {
  process.exitCode = code;
});
