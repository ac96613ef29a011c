import { existsSync } from "node:fs";
import { describe } from "vitest";
import { SHARED } from "./fixtures.js";

/**
 * Tests over the real captures in ../shared/captures run when that folder is beside the clone and
 * say so when it is not. In CI (CI=true) a missing ../shared is an error: corpus tests must never
 * skip silently there.
 */
export const SHARED_PRESENT = existsSync(SHARED);

if (!SHARED_PRESENT && process.env.CI) {
  throw new Error(`../shared is missing (${SHARED}): CI must run the corpus tests`);
}

/**
 * `describe` for a suite that reads ../shared; skipped with a visible name when it is absent, and
 * named on stderr too (the default reporter lists files, not skipped suites). Its body still runs
 * to collect the test names: anything it computes from ../shared must be guarded with
 * `SHARED_PRESENT ? … : []`.
 */
export function describeShared(name: string, fn: () => void): void {
  if (SHARED_PRESENT) {
    describe(name, fn);
    return;
  }
  const label = `${name} [not run: ../shared is not beside this clone]`;
  console.warn(`corpus suite not run: ${name} (../shared is not beside this clone)`);
  describe.skip(label, fn);
}
