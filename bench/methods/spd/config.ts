/**
 * SPD run configuration: the typed schema, the paper's values per toy, and
 * validation at the boundary (spd.md §4–§6).
 *
 * @module
 */
import { SCHEDULE_KINDS, type ScheduleKind } from "../../optim/schedule.ts";

/** Every knob of an SPD run. A resolved config has every field set and is written into results. */
export interface SpdConfig {
  /** Subcomponents per decomposed matrix (C). */
  readonly C: number;
  /** Hidden width of each causal-importance MLP (d_gate). */
  readonly dGate: number;
  /** Faithfulness coefficient (1 in the paper). */
  readonly faithfulnessCoeff: number;
  /** β1: stochastic reconstruction through all masked matrices. */
  readonly stochasticReconCoeff: number;
  /** β2: layerwise stochastic reconstruction. */
  readonly layerwiseReconCoeff: number;
  /** β3: importance minimality. */
  readonly importanceCoeff: number;
  /** p of the importance-minimality term Σ g_up^p. */
  readonly pNorm: number;
  /** Leak slope α of the two leaky hard sigmoids. */
  readonly leakAlpha: number;
  /** Stochastic mask samples per step (S). */
  readonly maskSamples: number;
  /** Peak learning rate (Adam, β = (0.9, 0.999), eps 1e-8). */
  readonly lr: number;
  /** Learning-rate schedule. */
  readonly schedule: ScheduleKind;
  /** Linear warmup steps. */
  readonly warmupSteps: number;
  /** Optimiser steps. */
  readonly steps: number;
  /** Datapoints per step (fresh every step). */
  readonly batchSize: number;
  /**
   * Gradient-accumulation chunk size: the batch is processed in chunks of at
   * most this many datapoints whose gradients are summed with weights
   * n_chunk / batchSize, which reproduces the full-batch objective exactly
   * (up to float summation order). 0 = the whole batch at once.
   */
  readonly microBatch: number;
  /** Read the losses back every this many steps (also the divergence check cadence). */
  readonly logEvery: number;
}

/** The paper's SPD TMS 5-2 config (spd.md §6.4; also TMS 5-2 with identity). */
export const SPD_TMS_5_2: Readonly<SpdConfig> = {
  C: 20,
  dGate: 16,
  faithfulnessCoeff: 1,
  stochasticReconCoeff: 1,
  layerwiseReconCoeff: 1,
  importanceCoeff: 3e-3,
  pNorm: 1,
  leakAlpha: 0.01,
  maskSamples: 1,
  lr: 1e-3,
  schedule: "cosine_quarter",
  warmupSteps: 0,
  steps: 40_000,
  batchSize: 4096,
  microBatch: 0,
  logEvery: 200,
};

type NumericKey = {
  [K in keyof SpdConfig]: SpdConfig[K] extends number ? K : never;
}[keyof SpdConfig];

const INTEGER_FIELDS: Partial<Record<NumericKey, [number, number]>> = {
  C: [1, 100_000],
  dGate: [1, 4096],
  maskSamples: [1, 1],
  warmupSteps: [0, 10_000_000],
  steps: [1, 10_000_000],
  batchSize: [1, 1_000_000],
  microBatch: [0, 1_000_000],
  logEvery: [1, 10_000_000],
};

const NONNEGATIVE_FIELDS: readonly NumericKey[] = [
  "faithfulnessCoeff",
  "stochasticReconCoeff",
  "layerwiseReconCoeff",
  "importanceCoeff",
];

/**
 * Merges `overrides` into `base` and validates the result. Throws a
 * RangeError naming the field and its allowed values on bad input, and on
 * unknown fields.
 */
export function resolveSpdConfig(
  base: Readonly<SpdConfig>,
  overrides: Readonly<Record<string, unknown>> = {},
): SpdConfig {
  for (const key of Object.keys(overrides)) {
    if (!(key in base)) {
      throw new RangeError(
        `spd config: unknown field '${key}'; allowed: ${Object.keys(base).join(", ")}`,
      );
    }
  }
  const cfg = { ...base, ...overrides } as SpdConfig;
  for (
    const [key, [lo, hi]] of Object.entries(INTEGER_FIELDS) as [NumericKey, [number, number]][]
  ) {
    const v = cfg[key];
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new RangeError(`spd config: '${key}' must be an integer in [${lo}, ${hi}], got ${v}`);
    }
  }
  for (const key of NONNEGATIVE_FIELDS) {
    const v = cfg[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`spd config: '${key}' must be a finite number >= 0, got ${v}`);
    }
  }
  if (typeof cfg.lr !== "number" || !(cfg.lr > 0) || !Number.isFinite(cfg.lr)) {
    throw new RangeError(`spd config: 'lr' must be a finite number > 0, got ${cfg.lr}`);
  }
  if (typeof cfg.pNorm !== "number" || !(cfg.pNorm > 0) || !Number.isFinite(cfg.pNorm)) {
    throw new RangeError(`spd config: 'pNorm' must be a finite number > 0, got ${cfg.pNorm}`);
  }
  if (typeof cfg.leakAlpha !== "number" || !(cfg.leakAlpha >= 0 && cfg.leakAlpha < 1)) {
    throw new RangeError(
      `spd config: 'leakAlpha' must be a number in [0, 1), got ${cfg.leakAlpha}`,
    );
  }
  if (!(SCHEDULE_KINDS as readonly string[]).includes(cfg.schedule)) {
    throw new RangeError(
      `spd config: 'schedule' must be one of ${SCHEDULE_KINDS.join(", ")}, got '${cfg.schedule}'`,
    );
  }
  if (cfg.warmupSteps >= cfg.steps) {
    throw new RangeError(
      `spd config: 'warmupSteps' must be < steps (${cfg.steps}), got ${cfg.warmupSteps}`,
    );
  }
  return cfg;
}
