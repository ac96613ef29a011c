/** A batch worker thread: analyses whole files, one at a time, for the main thread. */
import { parentPort } from "node:worker_threads";
import { analyzeFileSummary, type BatchJob } from "./batch-file.js";

parentPort!.on("message", async (job: BatchJob) => {
  const result = await analyzeFileSummary(job);
  parentPort!.postMessage(result);
});
