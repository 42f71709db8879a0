/**
 * SPD run configuration: the typed schema, the paper's values per toy, and
 * validation at the boundary (spd.md §4–§6).
 *
 * @module
 */
import { SCHEDULE_KINDS, type ScheduleKind } from "../../optim/schedule.ts";
import {
  type FieldRules,
  integerIn,
  NON_NEGATIVE,
  oneOf,
  POSITIVE,
  rejectField,
  resolveConfig,
  UNIT_INTERVAL,
} from "../config_fields.ts";

/**
 * How the tied factors of a tied layer pair (TMS `linear2` = `linear1`ᵀ) are
 * optimised: `shared`, one variable whose gradient sums both uses, one Adam
 * state (this suite's default since its first runs); `separate`, the
 * paper-time torch code's two parameters on one storage, each with its own
 * gradient and Adam state, both updates applied (spd.md §1.6).
 */
export const TIED_ADAM_STATES = ["shared", "separate"] as const;
/** One of {@linkcode TIED_ADAM_STATES}. */
export type TiedAdamStates = typeof TIED_ADAM_STATES[number];

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
  /** Adam states of tied factors (see {@linkcode TIED_ADAM_STATES}). */
  readonly tiedAdamStates: TiedAdamStates;
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
  tiedAdamStates: "shared",
};

const RULES: FieldRules<SpdConfig> = {
  C: integerIn(1, 100_000),
  dGate: integerIn(1, 4096),
  faithfulnessCoeff: NON_NEGATIVE,
  stochasticReconCoeff: NON_NEGATIVE,
  layerwiseReconCoeff: NON_NEGATIVE,
  importanceCoeff: NON_NEGATIVE,
  pNorm: POSITIVE,
  leakAlpha: UNIT_INTERVAL,
  maskSamples: integerIn(1, 1),
  lr: POSITIVE,
  schedule: oneOf(SCHEDULE_KINDS),
  warmupSteps: integerIn(0, 10_000_000),
  steps: integerIn(1, 10_000_000),
  batchSize: integerIn(1, 1_000_000),
  microBatch: integerIn(0, 1_000_000),
  logEvery: integerIn(1, 10_000_000),
  tiedAdamStates: oneOf(TIED_ADAM_STATES),
};

/**
 * Merges `overrides` into `base` and validates the result. Throws a
 * RangeError naming the field and its allowed values on bad input, and on
 * unknown fields.
 */
export function resolveSpdConfig(
  base: Readonly<SpdConfig>,
  overrides: Readonly<Record<string, unknown>> = {},
): SpdConfig {
  const cfg = resolveConfig("spd", base, overrides, RULES);
  if (cfg.warmupSteps >= cfg.steps) {
    rejectField("spd", "warmupSteps", `< steps (${cfg.steps})`, cfg.warmupSteps);
  }
  return cfg;
}
