// Bundles the CLI (src/cli/main.ts and the batch worker) into dist/bundle with esbuild.
// `node bin/build-cli.mjs` is the second half of `npm run build`; bin/smtpcap.js calls buildCli()
// on first use in a fresh clone, where dist/ does not exist yet.
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const final = join(root, "dist", "bundle");

export async function buildCli({ firstUse = false } = {}) {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    process.stderr.write("smtpcap: dist/ is missing and esbuild is not installed: run `npm ci` (or `npm run build`) in the repository\n");
    process.exit(2);
  }
  if (firstUse) process.stderr.write("smtpcap: first run in this clone: building dist/bundle (once)\n");
  // first use builds beside the final folder and renames it into place, so two first runs at
  // once never see half a bundle
  const out = firstUse ? join(root, "dist", `bundle.tmp-${process.pid}`) : final;
  // chunk names carry content hashes: start empty, so no chunk of an earlier build is shipped
  if (!firstUse) rmSync(final, { recursive: true, force: true });
  mkdirSync(dirname(out), { recursive: true });
  await esbuild.build({
    entryPoints: [join(root, "src/cli/main.ts"), join(root, "src/cli/batch-worker.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    splitting: true,
    outdir: out,
    packages: "external",
    target: "node20",
    logLevel: "warning",
  });
  if (firstUse) {
    try {
      renameSync(out, final);
    } catch {
      rmSync(out, { recursive: true, force: true }); // another run got there first
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildCli();
