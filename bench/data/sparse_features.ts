/**
 * The sparse-feature data distribution shared by the toy models (spd.md §6.1,
 * mode `at_least_zero_active`): each feature is independently active with
 * probability `featureProb`; an active feature's value is uniform on
 * `[lo, hi)`, an inactive one is 0. All-zero datapoints are kept.
 *
 * @module
 */
import type { Rng } from "../runtime/rng.ts";

/** Parameters of the sparse-feature distribution. */
export interface SparseFeatureSpec {
  /** Number of features per datapoint. */
  nFeatures: number;
  /** Probability that a feature is active. */
  featureProb: number;
  /** Lower end of an active value. */
  lo: number;
  /** Upper end of an active value. */
  hi: number;
}

/**
 * Draws a `batch × nFeatures` batch (row-major) from `rng`. For each entry it
 * draws one uniform for activity and, only when active, one for the value.
 */
export function sampleSparseFeatures(
  spec: SparseFeatureSpec,
  batch: number,
  rng: Rng,
  out: Float32Array = new Float32Array(batch * spec.nFeatures),
): Float32Array {
  const { featureProb, lo, hi } = spec;
  const span = hi - lo;
  for (let i = 0; i < out.length; i++) {
    out[i] = rng.uniform() < featureProb ? lo + span * rng.uniform() : 0;
  }
  return out;
}

/** The probability that a datapoint has at least one active feature: 1 − (1 − featureProb)^nFeatures. */
export function anyActiveProbability(spec: Readonly<SparseFeatureSpec>): number {
  return 1 - (1 - spec.featureProb) ** spec.nFeatures;
}

/** The `nFeatures × nFeatures` batch of one-hot inputs of magnitude `value` (spd.md §7.3). */
export function oneHotBatch(nFeatures: number, value = 0.75): Float32Array {
  const out = new Float32Array(nFeatures * nFeatures);
  for (let i = 0; i < nFeatures; i++) out[i * nFeatures + i] = value;
  return out;
}
