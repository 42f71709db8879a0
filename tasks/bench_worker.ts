/// <reference lib="deno.worker" />
/**
 * A bench worker: runs jobs it is sent on its own TF.js engine and posts back
 * progress and records. The main thread is the only writer of records.
 *
 * @module
 */
import {
  encodeNonFinite,
  getMethod,
  getToy,
  initBackend,
  type JobSpec,
  type Provenance,
  runJob,
} from "../mod.ts";
import { type CheckpointOptions, openJobCheckpoint } from "./lib/checkpoint_file.ts";
import { loadOrTrainTarget } from "./lib/target_cache.ts";

/** Messages the main thread sends. */
export type ToWorker =
  | {
    type: "init";
    backend: string;
    cacheDir: string;
    checkpoints: CheckpointOptions;
    /** Plugin module URLs to import before the first job, so their toys and methods exist here. */
    plugins: readonly string[];
  }
  | { type: "job"; job: JobSpec; provenance: Provenance };

/** Messages a worker sends back. */
export type FromWorker =
  | { type: "ready" }
  | { type: "progress"; jobId: string; done: number; loss?: number }
  | { type: "record"; jobId: string; record: unknown }
  | { type: "error"; message: string };

let backend = "wasm";
let cacheDir = ".cache/targets";
let checkpoints: CheckpointOptions | undefined;
const post = (m: FromWorker) => self.postMessage(m);

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  try {
    if (msg.type === "init") {
      for (const url of msg.plugins) await import(url);
      backend = (await initBackend(msg.backend)).name;
      cacheDir = msg.cacheDir;
      checkpoints = msg.checkpoints;
      post({ type: "ready" });
      return;
    }
    const { job, provenance } = msg;
    const toy = getToy(job.toy);
    const target = await loadOrTrainTarget(toy, job.targetSeed, backend, cacheDir);
    let last = 0;
    if (!checkpoints) throw new Error("job before init");
    const checkpoint = await openJobCheckpoint(
      checkpoints,
      job,
      target,
      backend,
    );
    const record = await runJob(
      {
        toy,
        target,
        method: getMethod(job.method),
        config: job.config,
        seed: job.seed,
        backend,
        provenance,
        checkpoint,
      },
      (done, total, point) => {
        if (point || done === total || done - last >= 100) {
          last = done;
          post({ type: "progress", jobId: job.jobId, done, loss: point?.losses.total });
        }
      },
    );
    post({ type: "record", jobId: job.jobId, record: encodeNonFinite(record) });
  } catch (err) {
    post({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
