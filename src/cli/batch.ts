import type { CommonFlags } from "./main.js";

/** Placeholder until the batch command lands. */
export async function runBatch(_paths: string[], _flags: CommonFlags): Promise<number> {
  process.stderr.write("smtpcap: batch is not available yet\n");
  return 2;
}
