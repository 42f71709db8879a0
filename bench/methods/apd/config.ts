/**
 * APD run configuration: the typed schema, the paper's TMS 5-2 values as
 * defaults, and validation at the boundary (apd.md §1.3, §3–§6). The points
 * where the paper and the reference code disagree are named options
 * (`attributionSource`, `schattenEps`, and the `apd_repo` profile for C, top-k,
 * batch size and steps).
 *
 * @module
 */
import { SCHEDULE_KINDS, type ScheduleKind } from "../../optim/schedule.ts";
import {
  BOOLEAN,
  type FieldRules,
  integerIn,
  NON_NEGATIVE,
  oneOf,
  POSITIVE,
  rejectField,
  resolveConfig,
  UNIT_INTERVAL,
} from "../config_fields.ts";

/** Whose gradients and activations the attributions use (apd.md §2.1, §9.1). */
export const ATTRIBUTION_SOURCES = ["target", "apd_model"] as const;

/**
 * `target`: the target model's (the reference code since #233, and every
 * paper run except TMS 5-2). `apd_model`: the APD model with all components
 * on (the TMS 5-2 paper run, pre-#233 code).
 */
export type AttributionSource = typeof ATTRIBUTION_SOURCES[number];

/** Every knob of an APD run. A resolved config has every field set and is written into results. */
export interface ApdConfig {
  /** Parameter components (C); each spans every decomposed matrix. */
  readonly C: number;
  /** Inner rank m of every component's factors A `[dIn, m]` · B `[m, dOut]`. */
  readonly rank: number;
  /** Batch top-k: `floor(topk · batchSize)` (sample, component) pairs are active per batch. */
  readonly topk: number;
  /** Whose gradients the attributions use. */
  readonly attributionSource: AttributionSource;
  /** Faithfulness coefficient (parameter MSE against the target). */
  readonly faithfulnessCoeff: number;
  /** Minimality coefficient (output MSE of the top-k sparse pass against the target). */
  readonly minimalityCoeff: number;
  /** Hidden-activation reconstruction coefficient (post-ReLU activations; 0 = off). */
  readonly actReconCoeff: number;
  /** Simplicity coefficient α (Schatten-p of the active components). */
  readonly simplicityCoeff: number;
  /** Schatten p. */
  readonly schattenP: number;
  /** ε inside `(λ² + ε)^{p/2}` (1e-16 in the reference code; apd.md §9.8). */
  readonly schattenEps: number;
  /** Xavier-normal gain of the factor init (1 for TMS, 2 for the residual MLPs). */
  readonly initGain: number;
  /**
   * Parallel instances the reference trained in one tensor; only enters the
   * init scale through torch's fan quirk, std = gain·sqrt(2 / ((n_inst + C)·d1·d2))
   * (apd.md §1.3): 12 for TMS 5-2, 3 for TMS 40-10, 1 for the residual MLPs.
   */
  readonly initInstances: number;
  /** Renormalise every A column to unit norm each step and project its gradient (apd.md §5.3). */
  readonly unitNormA: boolean;
  /** Peak learning rate (Adam, β = (0.9, 0.999), eps 1e-8, no weight decay). */
  readonly lr: number;
  /** Schedule after the warmup. */
  readonly schedule: ScheduleKind;
  /** Fraction of the steps spent in linear warmup from lr 0: floor(steps · warmupPct) steps. */
  readonly warmupPct: number;
  /** Optimiser steps. */
  readonly steps: number;
  /** Datapoints per step (fresh every step). */
  readonly batchSize: number;
  /** Read the losses back every this many steps (also the divergence check cadence). */
  readonly logEvery: number;
}

/** The paper's APD TMS 5-2 config (apd.md §6.4, run `bft0pgi8`). */
export const APD_TMS_5_2: Readonly<ApdConfig> = {
  C: 5,
  rank: 3,
  topk: 0.211,
  attributionSource: "apd_model",
  faithfulnessCoeff: 1,
  minimalityCoeff: 1,
  actReconCoeff: 0,
  simplicityCoeff: 0.7,
  schattenP: 1,
  schattenEps: 1e-16,
  initGain: 1,
  initInstances: 12,
  unitNormA: false,
  lr: 3e-2,
  schedule: "constant",
  warmupPct: 0.05,
  steps: 20_000,
  batchSize: 2048,
  logEvery: 200,
};

const RULES: FieldRules<ApdConfig> = {
  C: integerIn(1, 100_000),
  rank: integerIn(1, 100_000),
  topk: POSITIVE,
  attributionSource: oneOf(ATTRIBUTION_SOURCES),
  faithfulnessCoeff: NON_NEGATIVE,
  minimalityCoeff: NON_NEGATIVE,
  actReconCoeff: NON_NEGATIVE,
  simplicityCoeff: NON_NEGATIVE,
  schattenP: POSITIVE,
  schattenEps: NON_NEGATIVE,
  initGain: POSITIVE,
  initInstances: integerIn(1, 1_000),
  unitNormA: BOOLEAN,
  lr: POSITIVE,
  schedule: oneOf(SCHEDULE_KINDS),
  warmupPct: UNIT_INTERVAL,
  steps: integerIn(1, 10_000_000),
  batchSize: integerIn(1, 1_000_000),
  logEvery: integerIn(1, 10_000_000),
};

/**
 * Merges `overrides` into `base` and validates the result. Throws a
 * RangeError naming the field and its allowed values on bad input, and on
 * unknown fields.
 */
export function resolveApdConfig(
  base: Readonly<ApdConfig>,
  overrides: Readonly<Record<string, unknown>> = {},
): ApdConfig {
  const cfg = resolveConfig("apd", base, overrides, RULES);
  if (cfg.topk > cfg.C) rejectField("apd", "topk", `a number in (0, C = ${cfg.C}]`, cfg.topk);
  if (topkCount(cfg.topk, cfg.batchSize) < 1) {
    rejectField("apd", "topk", `at least 1 / batchSize (${1 / cfg.batchSize})`, cfg.topk);
  }
  return cfg;
}

/** Warmup steps of a config: floor(steps · warmupPct), as the reference computes them. */
export function warmupSteps(cfg: Pick<ApdConfig, "steps" | "warmupPct">): number {
  return Math.floor(cfg.steps * cfg.warmupPct);
}

/** Number of active (sample, component) pairs per batch of `batch` datapoints. */
export function topkCount(topk: number, batch: number): number {
  return Math.floor(topk * batch);
}
