/**
 * One benchmark job: decompose a trained target with a method under a seed,
 * score it against the toy's ground truth, and build the run record (with the
 * report artifacts of a completed run). A
 * failure inside the method becomes a "failed" record rather than an
 * exception, so a batch of jobs never loses the runs around it. With
 * checkpointing, a resumable method saves its training state as it goes and
 * a later job picks it up; the record's timing then spans every segment.
 *
 * @module
 */
import { runArtifacts } from "./metrics/artifacts.ts";
import { type Metric, scoreRun } from "./metrics/score.ts";
import type { Checkpointing, TrainState } from "./methods/checkpoint.ts";
import type { Method, OnProgress } from "./methods/method.ts";
import { configHash, makeRecord, type Provenance, type RunRecord } from "./records/record.ts";
import { targetHash, type TrainedTarget } from "./toys/trained_target.ts";
import type { Toy } from "./toys/toy.ts";

/** Everything one job needs. */
export interface Job {
  /** The toy. */
  readonly toy: Toy;
  /** Its trained target. */
  readonly target: TrainedTarget;
  /** The method. */
  readonly method: Method;
  /** Resolved method config. */
  readonly config: Readonly<object>;
  /** Decomposition seed. */
  readonly seed: number;
  /** Backend name, for the record. */
  readonly backend: string;
  /** Provenance, for the record. */
  readonly provenance: Provenance;
  /** Save and resume training (used only when the method is resumable). */
  readonly checkpoint?: JobCheckpointing;
}

/** A saved training state and the seconds of training it took so far. */
export interface SavedRun {
  /** The training loop's state. */
  readonly state: TrainState;
  /** Wall seconds spent up to the save, over every earlier segment. */
  readonly elapsedS: number;
}

/** Checkpointing of one job: where its states go and the one it starts from. */
export interface JobCheckpointing {
  /** Asked after each update but the last: save now? */
  shouldSave(stepsDone: number): boolean;
  /** Start from this saved run instead of step 0. */
  readonly resume?: SavedRun;
  /** Stop training after this many updates (a "partial" record; see `Checkpointing.stopAt`). */
  readonly stopAt?: number;
  /** Stores a saved run; training waits for it. */
  save(saved: SavedRun): Promise<void>;
}

/** Runs a job and returns its record (status "failed" with the message on error). */
export async function runJob(job: Job, onProgress?: OnProgress): Promise<RunRecord> {
  const { toy, target, method, config, seed, backend, provenance } = job;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  let trainEnd = t0;
  const cp = method.resumable ? job.checkpoint : undefined;
  const prior = cp?.resume?.elapsedS ?? 0;
  const checkpoint: Checkpointing | undefined = cp && {
    shouldSave: (stepsDone) => cp.shouldSave(stepsDone),
    resume: cp.resume?.state,
    stopAt: cp.stopAt,
    save: (state) => cp.save({ state, elapsedS: prior + (performance.now() - t0) / 1000 }),
  };
  const resumed = cp?.resume ? { resumedFromStep: cp.resume.state.stepsDone } : {};
  const targetInfo = {
    seedRequested: target.seedRequested,
    seedUsed: target.seedUsed,
    hash: targetHash(target.tensors),
    attempts: target.attempts.map((a) => ({
      seed: a.seed,
      healthy: a.health.healthy,
      failures: a.health.failures,
      measures: a.health.measures,
    })),
  };
  const common = {
    toy: toy.id,
    method: method.id,
    seed,
    config: config as Record<string, unknown>,
    configHash: configHash(
      toy.id,
      method.id,
      config as Record<string, unknown>,
      target.seedRequested,
    ),
    target: targetInfo,
    backend,
    provenance,
  };
  const model = toy.buildModel(target.tensors);
  try {
    const progress: OnProgress = (done, total, point) => {
      trainEnd = performance.now(); // the last call ends training, however far it went
      onProgress?.(done, total, point);
    };
    const result = await method.run(model, toy.data, config, seed, progress, checkpoint);
    if (trainEnd === t0) trainEnd = performance.now();
    const truth = toy.groundTruth(target.tensors);
    const scored = result.status === "completed" || result.status === "partial";
    const metrics: Record<string, Metric> = scored ? scoreRun(truth, result) : {};
    const wall = prior + (performance.now() - t0) / 1000;
    return makeRecord({
      ...common,
      status: result.status,
      error: null,
      metrics,
      curve: result.curve,
      timing: {
        startedAt,
        wallTimeS: wall,
        stepsPerSecond: result.stepsDone / (prior + (trainEnd - t0) / 1000),
        stepsDone: result.stepsDone,
        ...resumed,
      },
      ...(scored ? { artifacts: runArtifacts(truth, result) } : {}),
    });
  } catch (err) {
    return makeRecord({
      ...common,
      status: "failed",
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      metrics: {},
      curve: [],
      timing: {
        startedAt,
        wallTimeS: prior + (performance.now() - t0) / 1000,
        stepsPerSecond: 0,
        stepsDone: 0,
        ...resumed,
      },
    });
  } finally {
    model.dispose();
  }
}
