/**
 * The two ways the bench task runs jobs: one after another in this process,
 * or on a pool of Web Workers. Either way the caller's `onRecord` is the only
 * writer of records, called strictly one record at a time.
 *
 * @module
 */
import {
  getMethod,
  getToy,
  type JobSpec,
  parseRunRecord,
  type Provenance,
  runJob,
  type RunRecord,
} from "../../mod.ts";
import type { FromWorker, ToWorker } from "../bench_worker.ts";
import { type CheckpointOptions, openJobCheckpoint } from "./checkpoint_file.ts";
import { formatDuration, Progress } from "./progress.ts";
import { loadOrTrainTarget } from "./target_cache.ts";

/** Context shared by the two ways of running jobs. */
export interface RunContext {
  readonly jobs: readonly JobSpec[];
  readonly backend: string;
  readonly cacheDir: string;
  readonly provenance: Provenance;
  readonly quiet: boolean;
  /** Where resumable methods' training states are saved and resumed from. */
  readonly checkpoints: CheckpointOptions;
  /** Steps already done by jobs that resume from a checkpoint, by job id (for progress only). */
  readonly resumedSteps: ReadonlyMap<string, number>;
  /** Plugin module URLs each worker imports before its first job (`plugins.ts`). */
  readonly plugins: readonly string[];
  readonly onRecord: (record: RunRecord) => Promise<void>;
}

/** Runs jobs one after another in this process, with a progress bar per job. */
export async function runInProcess(ctx: RunContext): Promise<void> {
  const steps = ctx.jobs.map((j) => getMethod(j.method).steps(j.config));
  const totalSteps = steps.reduce((a, b) => a + b, 0);
  const start = performance.now();
  let stepsDone = 0;
  for (const [i, job] of ctx.jobs.entries()) {
    if (i > 0 && !ctx.quiet) {
      const rate = stepsDone / ((performance.now() - start) / 1000);
      console.error(
        `overall: ${i}/${ctx.jobs.length} jobs done, ETA ${
          formatDuration((totalSteps - stepsDone) / rate)
        }`,
      );
    }
    const toy = getToy(job.toy);
    const method = getMethod(job.method);
    const target = await loadOrTrainTarget(toy, job.targetSeed, ctx.backend, ctx.cacheDir);
    const label = `[${i + 1}/${ctx.jobs.length}] ${job.toy} ${job.method} seed ${job.seed}${
      job.cell ? ` ${job.cell}` : ""
    }`;
    const checkpoint = await openJobCheckpoint(
      ctx.checkpoints,
      job,
      target,
      ctx.backend,
    );
    const total = method.steps(job.config);
    const initial = checkpoint.resume?.state.stepsDone;
    const progress = ctx.quiet ? null : new Progress({ total, label, initial });
    let last = "";
    const record = await runJob(
      {
        toy,
        target,
        method,
        config: job.config,
        seed: job.seed,
        backend: ctx.backend,
        provenance: ctx.provenance,
        checkpoint,
      },
      (done, _total, point) => {
        if (point) last = `loss ${point.losses.total.toExponential(3)}`;
        progress?.update(done, last);
      },
    );
    progress?.finish(record.status);
    await ctx.onRecord(record);
    stepsDone += steps[i];
  }
}

/** Runs jobs on `n` Web Workers, one job per worker at a time; one progress bar for all steps. */
export async function runInWorkers(ctx: RunContext, n: number): Promise<void> {
  const steps = new Map(ctx.jobs.map((j) => [j.jobId, getMethod(j.method).steps(j.config)]));
  const total = [...steps.values()].reduce((a, b) => a + b, 0);
  const done = new Map(ctx.resumedSteps);
  const initial = [...done.values()].reduce((a, b) => a + b, 0);
  const progress = ctx.quiet
    ? null
    : new Progress({ total, label: `${ctx.jobs.length} jobs on ${n} workers`, initial });
  let finished = 0;
  const queue = [...ctx.jobs];
  // Messages from different workers interleave; records are written strictly one after another.
  let writes = Promise.resolve();
  const workerUrl = new URL("../bench_worker.ts", import.meta.url).href;
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(workerUrl, { type: "module" });
      const send = (m: ToWorker) => worker.postMessage(m);
      const next = () => {
        const job = queue.shift();
        if (!job) {
          worker.terminate();
          resolve();
          return;
        }
        send({ type: "job", job, provenance: ctx.provenance });
      };
      worker.onmessage = async (event: MessageEvent<FromWorker>) => {
        const msg = event.data;
        if (msg.type === "ready") next();
        else if (msg.type === "progress") {
          done.set(msg.jobId, msg.done);
          progress?.update(
            [...done.values()].reduce((a, b) => a + b, 0),
            `${finished}/${ctx.jobs.length} jobs`,
          );
        } else if (msg.type === "record") {
          finished++;
          done.set(msg.jobId, steps.get(msg.jobId) ?? 0);
          const record = parseRunRecord(msg.record);
          writes = writes.then(() => ctx.onRecord(record));
          await writes;
          next();
        } else {
          worker.terminate();
          reject(new Error(`worker: ${msg.message}`));
        }
      };
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`worker: ${e.message}`));
      };
      send({
        type: "init",
        plugins: ctx.plugins,
        backend: ctx.backend,
        cacheDir: ctx.cacheDir,
        checkpoints: ctx.checkpoints,
      });
    });
  await Promise.all(Array.from({ length: Math.min(n, ctx.jobs.length) }, runWorker));
  progress?.finish(`${finished} jobs`);
}
