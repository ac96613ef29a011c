#!/usr/bin/env node
// one bundled file loads faster than the sixty modules behind it (startup matters for small captures)
import { main } from "../dist/bundle/main.js";

main(process.argv).then((code) => {
  process.exitCode = code;
});
