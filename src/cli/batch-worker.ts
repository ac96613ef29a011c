/** A batch worker thread: analyses whole files, one at a time, for the main thread. */
import { parentPort } from "node:worker_threads";
import { analyzeFileSummary, type BatchJob } from "./batch-file.js";

// The main thread keeps a second job queued here, so a worker never waits for its next file;
// jobs still run one at a time.
const queue: BatchJob[] = [];
let busy = false;
parentPort!.on("message", (job: BatchJob) => {
  queue.push(job);
  if (!busy) void work();
});

async function work(): Promise<void> {
  busy = true;
  for (let job = queue.shift(); job; job = queue.shift()) parentPort!.postMessage(await analyzeFileSummary(job, (c) => parentPort!.postMessage(c)));
  busy = false;
}
