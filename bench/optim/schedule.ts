/**
 * Learning-rate schedules, as pure functions of the step index.
 *
 * @module
 */

/** The schedule families the papers use. */
export const SCHEDULE_KINDS = ["constant", "cosine_quarter"] as const;

/** One of {@linkcode SCHEDULE_KINDS}. */
export type ScheduleKind = typeof SCHEDULE_KINDS[number];

/** A learning-rate schedule. */
export interface Schedule {
  /** Family: constant, or the paper-time quarter-period cosine. */
  kind: ScheduleKind;
  /** Peak learning rate. */
  lr: number;
  /** Linear warmup steps before the main schedule (0 = none). */
  warmupSteps: number;
}

/**
 * Learning rate at update `t` of `totalSteps` (t = 0 … totalSteps − 1).
 *
 * - warmup: `lr · t / warmupSteps` for t < warmupSteps; the main schedule then
 *   runs over the remaining steps.
 * - `constant`: `lr`.
 * - `cosine_quarter`: `lr · cos(½π · t / (T − 1))`, falling from lr to 0 at the
 *   last update (the paper-time SPD code's "cosine"; spd.md §5.1).
 */
export function learningRate(schedule: Schedule, t: number, totalSteps: number): number {
  const { kind, lr, warmupSteps } = schedule;
  if (t < warmupSteps) return (lr * t) / warmupSteps;
  const s = t - warmupSteps;
  const T = totalSteps - warmupSteps;
  if (kind === "constant") return lr;
  return T <= 1 ? lr : lr * Math.cos((0.5 * Math.PI * s) / (T - 1));
}
