// Bundles the CLI (src/cli/main.ts and the batch worker) into dist/bundle with esbuild.
// `node bin/build-cli.mjs` is the second half of `npm run build`; bin/smtpcap.js calls buildCli()
// on first use in a fresh clone, where dist/ does not exist yet.
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const final = join(root, "dist", "bundle");

/**
 * The esbuild options of the CLI bundle (bench/ab.mjs --build uses them too). commander, the one
 * dependency, is bundled as well: loaded from node_modules it went through the CommonJS loader
 * (~15 ms of every run's startup). It stays a dependency in package.json: it is what the CLI
 * uses, and the library (dist/index.js) does not need it. Its CommonJS code require()s Node.js
 * built-ins, which an ES module has no `require` for: the banner gives each chunk one.
 */
export function cliBuildOptions(outdir) {
  return {
    entryPoints: [join(root, "src/cli/main.ts"), join(root, "src/cli/batch-worker.ts"), join(root, "src/cli/analyze-worker.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    splitting: true,
    outdir,
    target: "node20",
    banner: { js: 'import { createRequire as __smtpcapCreateRequire } from "node:module"; const require = __smtpcapCreateRequire(import.meta.url);' },
    plugins: [lazyChildProcess],
    logLevel: "warning",
  };
}

/** commander loads node:child_process (and with it net, dgram, tty …) only to run executable
 * subcommands, which smtpcap has none of: give it a stand-in that loads the module if it is ever used. */
const lazyChildProcess = {
  name: "commander-lazy-child-process",
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (a) => (/[\\/]commander[\\/]/.test(a.importer) ? { path: "child_process", namespace: "smtpcap-lazy" } : undefined));
    build.onLoad({ filter: /.*/, namespace: "smtpcap-lazy" }, () => ({ contents: 'exports.spawn = (...args) => require("node:child_process").spawn(...args);', loader: "js" }));
  },
};

/**
 * Builds dist/bundle. `firstUse`: it does not exist yet (a fresh clone); `stale`: it is older than
 * src/ (a pull without `npm run build`). Both build beside the final folder and rename it into
 * place, so a concurrent run never sees half a bundle.
 */
export async function buildCli({ firstUse = false, stale = false } = {}) {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    process.stderr.write("smtpcap: dist/ is missing and esbuild is not installed: run `npm ci` (or `npm run build`) in the repository\n");
    process.exit(2);
  }
  if (firstUse) process.stderr.write("smtpcap: first run in this clone: building dist/bundle (once)\n");
  if (stale) process.stderr.write("smtpcap: src/ is newer than dist/bundle: rebuilding it (npm run build does this too)\n");
  const aside = firstUse || stale;
  const out = aside ? join(root, "dist", `bundle.tmp-${process.pid}`) : final;
  // chunk names carry content hashes: start empty, so no chunk of an earlier build is shipped
  if (!aside) rmSync(final, { recursive: true, force: true });
  mkdirSync(dirname(out), { recursive: true });
  await esbuild.build(cliBuildOptions(out));
  if (stale) {
    // chunks already loaded by a run of the old bundle stay readable (open files); a run that
    // loads a chunk later finds the new one under its own hashed name or fails
    const old = join(root, "dist", `bundle.old-${process.pid}`);
    try {
      renameSync(final, old);
    } catch {
      /* another run moved it already */
    }
    try {
      renameSync(out, final);
    } catch {
      rmSync(out, { recursive: true, force: true }); // another run got there first
    }
    rmSync(old, { recursive: true, force: true });
  } else if (firstUse) {
    try {
      renameSync(out, final);
    } catch {
      rmSync(out, { recursive: true, force: true }); // another run got there first
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildCli();
