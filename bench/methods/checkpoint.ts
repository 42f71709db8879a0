/**
 * Checkpoints of a training loop: everything an exact resume needs (the
 * parameters, Adam's moments and count, every random stream, the curve so
 * far). A run resumed from a checkpoint applies the same updates to the same
 * numbers as the run that wrote it, so it ends with the same bits. Where the
 * state is stored is the caller's business: methods only hand it over.
 *
 * @module
 */
import type { Adam, AdamState } from "../optim/adam.ts";
import { tf } from "../runtime/backend.ts";
import { Rng, type RngState } from "../runtime/rng.ts";
import type { CurvePoint } from "./method.ts";

/** The state of a training loop after `stepsDone` updates. */
export interface TrainState {
  /** Updates applied. */
  readonly stepsDone: number;
  /** Trainable variables, in the method's variable order: shape and values. */
  readonly params: readonly { readonly shape: readonly number[]; readonly values: Float32Array }[];
  /** The optimiser. */
  readonly adam: AdamState;
  /** Every random stream the loop draws from, by purpose name. */
  readonly rngs: Readonly<Record<string, RngState>>;
  /** Curve points sampled so far. */
  readonly curve: readonly CurvePoint[];
}

/** How a training loop saves and resumes. */
export interface Checkpointing {
  /**
   * Asked after each update but the last: save now? (A policy in steps or in
   * wall time; when states are saved never changes the numbers.)
   */
  shouldSave(stepsDone: number): boolean;
  /** Start from this state instead of step 0. */
  readonly resume?: TrainState;
  /**
   * Stop after this many updates when the config has more: the loop saves its
   * state and returns status "partial", so a later run resumes from there.
   */
  readonly stopAt?: number;
  /** Stores a state; training waits for it. */
  save(state: TrainState): Promise<void>;
}

/** Reads the loop's state back from the backend. */
export async function captureTrainState(
  stepsDone: number,
  vars: readonly tf.Variable[],
  adam: Adam,
  rngs: Readonly<Record<string, Rng>>,
  curve: readonly CurvePoint[],
): Promise<TrainState> {
  const params = await Promise.all(
    vars.map(async (v) => ({ shape: [...v.shape], values: await v.data() as Float32Array })),
  );
  return {
    stepsDone,
    params,
    adam: await adam.state(),
    rngs: Object.fromEntries(Object.entries(rngs).map(([k, r]) => [k, r.state()])),
    curve: [...curve],
  };
}

/**
 * Puts a saved state into a freshly initialised loop: assigns the variables,
 * restores Adam, and returns the random streams continued from their saved
 * states. Throws naming the part that does not fit this loop (another config
 * or method wrote the checkpoint).
 */
export function restoreTrainState(
  state: TrainState,
  totalSteps: number,
  vars: readonly tf.Variable[],
  adam: Adam,
  streams: readonly string[],
): Record<string, Rng> {
  if (!Number.isInteger(state.stepsDone) || state.stepsDone < 1 || state.stepsDone > totalSteps) {
    throw new RangeError(
      `checkpoint: stepsDone must be an integer in 1..${totalSteps}, got ${state.stepsDone}`,
    );
  }
  if (state.params.length !== vars.length) {
    throw new RangeError(
      `checkpoint: ${state.params.length} parameter tensors for ${vars.length} variables`,
    );
  }
  state.params.forEach((p, i) => {
    if (p.shape.join("x") !== vars[i].shape.join("x") || p.values.length !== vars[i].size) {
      throw new RangeError(
        `checkpoint: params[${i}] has shape [${p.shape}], the variable has [${vars[i].shape}]`,
      );
    }
  });
  const names = Object.keys(state.rngs).sort();
  if (names.join(",") !== [...streams].sort().join(",")) {
    throw new RangeError(
      `checkpoint: random streams ${names.join(", ")}; this loop uses ${streams.join(", ")}`,
    );
  }
  adam.restore(state.adam); // checks its part before it assigns anything
  state.params.forEach((p, i) => tf.tidy(() => vars[i].assign(tf.tensor(p.values, vars[i].shape))));
  return Object.fromEntries(streams.map((k) => [k, Rng.fromState(state.rngs[k])]));
}

/**
 * The update a loop of `total` steps stops after: `checkpoint.stopAt` when it
 * is below `total`, else `total`. Throws when `stopAt` is not a positive integer.
 */
export function stopStep(c: Checkpointing | undefined, total: number): number {
  const stopAt = c?.stopAt;
  if (stopAt === undefined) return total;
  if (!Number.isInteger(stopAt) || stopAt < 1) {
    throw new RangeError(`checkpoint: stopAt must be an integer >= 1, got ${stopAt}`);
  }
  return Math.min(stopAt, total);
}

/** True when a loop should save after `stepsDone` updates of `total` (never after the last). */
export function isSaveStep(
  c: Checkpointing | undefined,
  stepsDone: number,
  total: number,
): boolean {
  return c !== undefined && stepsDone < total && c.shouldSave(stepsDone);
}
