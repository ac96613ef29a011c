/** An analysis worker thread of `smtpcap analyze -j N` on one large capture (src/parallel/). */
import "./v8-tuning.js";
import { parentPort, workerData } from "node:worker_threads";
import { runWorker } from "../parallel/worker.js";
import type { WorkerRing } from "../parallel/router.js";

void runWorker(parentPort!, workerData as WorkerRing);
