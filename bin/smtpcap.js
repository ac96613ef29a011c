#!/usr/bin/env node
// One bundled file loads faster than the sixty modules behind it (startup matters for small
// captures). The package ships the bundle; a clone of the repository builds it on first use,
// so that installing runs no build script.
import { existsSync } from "node:fs";

const bundle = new URL("../dist/bundle/main.js", import.meta.url);
if (!existsSync(bundle)) {
  const { buildCli } = await import("./build-cli.mjs");
  await buildCli({ firstUse: true });
}
const { main } = await import(bundle.href);
main(process.argv).then((code) => {
  process.exitCode = code;
});
