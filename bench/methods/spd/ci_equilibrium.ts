/**
 * The causal importance SPD's loss asks of one subcomponent on one input when
 * that pair is looked at alone: the g in [0, 1] minimising
 *
 *   J(g) = β3·g^p + κ·cost·(1 − g)²,   κ = β1 + β2/L,
 *
 * where `cost` is the output MSE of ablating the subcomponent with mask
 * m = r, r ~ U(0, 1) (`models/ablation_cost.ts`), β3·g^p is its share of the
 * importance-minimality loss (spd.md §4.4) and the two stochastic
 * reconstruction losses (§4.2, §4.3; the layerwise one averages over the L
 * decomposed matrices) see the ablated fraction (1 − g)(1 − r). The (1 − g)²
 * scaling is exact where the output error is linear in the removed weight;
 * through a ReLU it is an approximation. Comparing the learned one-hot CI with
 * this equilibrium separates "training has not converged" from "this CI pattern
 * is what the loss rewards for these components".
 *
 * @module
 */
import type { Matrix } from "../../linalg/matrix.ts";
import type { CiPattern } from "../../toys/toy.ts";
import { CI_PATTERN_TAU } from "../../metrics/ci_pattern.ts";
import { pearson } from "../../metrics/stats.ts";
import type { SpdConfig } from "./config.ts";

/** The weight κ = β1 + β2/L of one matrix's ablation error in SPD's loss, with L matrices. */
export function reconstructionWeight(cfg: Readonly<SpdConfig>, layers: number): number {
  if (!Number.isInteger(layers) || layers < 1) {
    throw new RangeError(`reconstructionWeight: layers must be an integer >= 1, got ${layers}`);
  }
  return cfg.stochasticReconCoeff + cfg.layerwiseReconCoeff / layers;
}

/**
 * argmin over g in [0, 1] of β3·g^p + κ·cost·(1 − g)² (convex for p ≥ 1;
 * p = 2 gives κc/(κc + β3), p = 1 gives max(0, 1 − β3/(2κc))).
 *
 * @throws {RangeError} for p < 1 (non-convex: no unique answer), a negative
 *   cost, κ or β3.
 */
export function importanceEquilibrium(
  cost: number,
  kappa: number,
  beta3: number,
  p: number,
): number {
  if (!(p >= 1)) throw new RangeError(`importanceEquilibrium: pNorm must be >= 1, got ${p}`);
  for (const [name, v] of [["cost", cost], ["kappa", kappa], ["beta3", beta3]] as const) {
    if (!(v >= 0)) throw new RangeError(`importanceEquilibrium: ${name} must be >= 0, got ${v}`);
  }
  const a = kappa * cost;
  if (beta3 === 0) return a > 0 ? 1 : 0;
  // J'(g) = p·β3·g^(p−1) − 2a(1 − g) rises with g; J'(1) = p·β3 > 0.
  const slope = (g: number) => p * beta3 * g ** (p - 1) - 2 * a * (1 - g);
  if (slope(0) >= 0) return 0;
  let lo = 0, hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (slope(mid) < 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The equilibrium importance of every entry of an ablation-cost matrix. */
export function equilibriumImportances(
  costs: Matrix,
  cfg: Readonly<SpdConfig>,
  layers: number,
): Matrix {
  const kappa = reconstructionWeight(cfg, layers);
  const data = Float64Array.from(
    costs.data,
    (c) => importanceEquilibrium(c, kappa, cfg.importanceCoeff, cfg.pNorm),
  );
  return { rows: costs.rows, cols: costs.cols, data };
}

/** How a learned importance matrix compares with its equilibrium (one matrix). */
export interface EquilibriumAgreement {
  /** Columns compared: those above the threshold somewhere in either matrix. */
  readonly columns: number[];
  /** Pearson correlation of learned and equilibrium values over those columns (NaN if flat). */
  readonly pearson: number;
  /** Pairs above the threshold in the learned matrix. */
  readonly onLearned: number;
  /** Pairs above the threshold in the equilibrium. */
  readonly onEquilibrium: number;
  /** Fraction of compared pairs on which both agree about "above the threshold". */
  readonly agreement: number;
  /** Per compared column: inputs above the threshold, learned. */
  readonly columnOnLearned: number[];
  /** Per compared column: inputs above the threshold, equilibrium. */
  readonly columnOnEquilibrium: number[];
}

/**
 * Compares `learned` (e.g. the one-hot lower-leaky CI) with `equilibrium` of
 * the same shape, at `threshold` (0.1, the alive threshold of spd.md §7.5).
 */
export function equilibriumAgreement(
  learned: Matrix,
  equilibrium: Matrix,
  threshold = 0.1,
): EquilibriumAgreement {
  if (learned.rows !== equilibrium.rows || learned.cols !== equilibrium.cols) {
    throw new RangeError(
      `equilibriumAgreement: learned is ${learned.rows}x${learned.cols}, ` +
        `equilibrium ${equilibrium.rows}x${equilibrium.cols}`,
    );
  }
  const { rows, cols } = learned;
  const on = (m: Matrix, i: number, c: number) => m.data[i * cols + c] > threshold;
  const columns: number[] = [];
  for (let c = 0; c < cols; c++) {
    for (let i = 0; i < rows; i++) {
      if (on(learned, i, c) || on(equilibrium, i, c)) {
        columns.push(c);
        break;
      }
    }
  }
  const xs: number[] = [], ys: number[] = [];
  let agree = 0;
  const columnOnLearned = columns.map(() => 0), columnOnEquilibrium = columns.map(() => 0);
  columns.forEach((c, k) => {
    for (let i = 0; i < rows; i++) {
      xs.push(learned.data[i * cols + c]);
      ys.push(equilibrium.data[i * cols + c]);
      const a = on(learned, i, c), b = on(equilibrium, i, c);
      if (a === b) agree++;
      if (a) columnOnLearned[k]++;
      if (b) columnOnEquilibrium[k]++;
    }
  });
  const sum = (v: number[]) => v.reduce((s, x) => s + x, 0);
  return {
    columns,
    pearson: pearson(xs, ys),
    onLearned: sum(columnOnLearned),
    onEquilibrium: sum(columnOnEquilibrium),
    agreement: xs.length ? agree / xs.length : NaN,
    columnOnLearned,
    columnOnEquilibrium,
  };
}

/**
 * The least importance-minimality loss per datapoint (before β3) of a matrix
 * that keeps `k` subcomponents dense: each at CI ≥ 1 − τ on every datapoint
 * with a feature on, which happens with probability `anyActive` (τ defaults
 * to the §7.4 dense test's, `CI_PATTERN_TAU`). That is
 * k·(1 − τ)^p·anyActive. Set against what the learned matrix pays
 * (`SpdEvaluation.importanceByLayer`) and the whole reconstruction loss, it
 * bounds what a dense pattern would gain: reconstruction cannot fall below 0.
 *
 * @throws {RangeError} for k < 0, τ outside [0, 1), p < 1 or `anyActive`
 *   outside [0, 1].
 */
export function denseImportanceFloor(
  k: number,
  pNorm: number,
  anyActive: number,
  tau: number = CI_PATTERN_TAU,
): number {
  const fn = "denseImportanceFloor";
  if (!(Number.isInteger(k) && k >= 0)) throw new RangeError(`${fn}: k must be an integer >= 0`);
  if (!(pNorm >= 1)) throw new RangeError(`${fn}: pNorm must be >= 1, got ${pNorm}`);
  if (!(anyActive >= 0 && anyActive <= 1)) {
    throw new RangeError(`${fn}: anyActive must be in [0, 1], got ${anyActive}`);
  }
  if (!(tau >= 0 && tau < 1)) throw new RangeError(`${fn}: tau must be in [0, 1), got ${tau}`);
  return k * (1 - tau) ** pNorm * anyActive;
}

/** One matrix's line of {@linkcode DenseBudget}. */
export interface DenseBudgetLine {
  /** The decomposed matrix's name in the target (e.g. `hidden_layers.0`). */
  readonly layer: string;
  /** β3 × the matrix's learned share of importance minimality. */
  readonly found: number;
  /** Dense columns of its expected pattern (dense patterns only). */
  readonly k?: number;
  /** β3 × {@linkcode denseImportanceFloor} for those k columns. */
  readonly denseFloor?: number;
  /** denseFloor − found: the least a dense pattern adds to the loss. */
  readonly added?: number;
  /** added exceeds the whole weighted reconstruction loss, which is all a dense pattern could save. */
  readonly ruledOut?: boolean;
}

/** What a dense CI pattern would cost each matrix expected to have one, against what it could save. */
export interface DenseBudget {
  /** β1·L_stoch + β2·L_layer of the learned decomposition. */
  readonly reconstruction: number;
  /** One line per matrix, in `importanceByLayer`'s order. */
  readonly layers: readonly DenseBudgetLine[];
}

/**
 * The loss budget of dense patterns: for every matrix whose expected CI
 * pattern is dense, the least importance minimality its k dense pieces would
 * pay, minus what the learned matrix pays, set against the whole reconstruction
 * loss. When that addition exceeds the reconstruction loss, no dense pattern
 * can lower the loss with the other matrices held as learned.
 *
 * @param importanceByLayer Each matrix's share of L_imp (`SpdEvaluation.importanceByLayer`).
 * @param losses The learned decomposition's `stochasticRecon` and `layerwiseRecon`.
 * @param anyActive P(some feature on), e.g. `anyActiveProbability(toy.data)`.
 */
export function denseBudget(
  patterns: Readonly<Record<string, CiPattern>>,
  importanceByLayer: Readonly<Record<string, number>>,
  losses: { readonly stochasticRecon: number; readonly layerwiseRecon: number },
  cfg: Readonly<SpdConfig>,
  anyActive: number,
): DenseBudget {
  const reconstruction = cfg.stochasticReconCoeff * losses.stochasticRecon +
    cfg.layerwiseReconCoeff * losses.layerwiseRecon;
  const b3 = cfg.importanceCoeff;
  const layers = Object.entries(importanceByLayer).map(([layer, share]): DenseBudgetLine => {
    const found = b3 * share;
    const pattern = patterns[layer];
    if (pattern?.kind !== "dense") return { layer, found };
    const denseFloor = b3 * denseImportanceFloor(pattern.k, cfg.pNorm, anyActive);
    const added = denseFloor - found;
    return { layer, found, k: pattern.k, denseFloor, added, ruledOut: added > reconstruction };
  });
  return { reconstruction, layers };
}
