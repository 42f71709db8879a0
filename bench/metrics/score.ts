/**
 * Turns a method's result and a toy's ground truth into named metrics, each
 * with the direction in which it is better.
 *
 * @module
 */
import type { MethodResult } from "../methods/method.ts";
import type { GroundTruth } from "../toys/toy.ts";
import { ciPatternError } from "./ci_pattern.ts";
import {
  componentNeuronContributions,
  contributionAgreement,
  meanComponentsPerFeature,
  type OutConnection,
  representationCategories,
  summedWeight,
  targetNeuronContributions,
  targetRepresentedFeatures,
} from "./neuron_contributions.ts";
import { aliveNormRatio, componentNorms, recovery } from "./recovery.ts";

/** Which way a metric is better. */
export type Direction = "higher" | "lower" | "target";

/** One measured metric. */
export interface Metric {
  /** The value (may be Infinity for ratios with a zero denominator; JSON holds it as "Infinity"). */
  readonly value: number;
  /** higher is better, lower is better, or closest to `target` is better. */
  readonly direction: Direction;
  /** The ideal value, for direction "target". */
  readonly target?: number;
}

/** spd.md §7.2's absolute norm threshold for a "non-negligible" subcomponent. */
export const NON_NEGLIGIBLE_NORM = 0.017;

/**
 * Scores a run: recovery (MMCS, ML2R) on the ground-truth layer, component
 * counts (non-negligible by norm, alive by importance) and their norm gap,
 * CI-pattern errors per layer and in total, L0 per layer, and final losses.
 * For residual MLPs also, per layer, the neuron-contribution agreement with
 * the target (Pearson r and the through-origin slope, whose shortfall from 1
 * measures shrinkage; spd.md §7.6), the mean number of `mlp_in`
 * components important for a one-hot feature (ideal 1), and how many features
 * each `mlp_in` component represents (apd.md §7.2's categories: components
 * representing 1, 2, 3 or more features, and the features represented, whose
 * ideal is the number the target itself represents in that layer). For
 * methods whose components span layers (APD), the neuron contributions are also
 * scored with each component's own W_out part (`…_paired`), as the APD paper
 * draws them; the categories always use the out-connection that fits the method.
 * A method's own measurements (`MethodResult.extraMetrics`) are copied as they are.
 */
export function scoreRun(truth: GroundTruth, result: MethodResult): Record<string, Metric> {
  const metrics: Record<string, Metric> = {};
  const put = (name: string, value: number, direction: Direction, target?: number) => {
    metrics[name] = target === undefined ? { value, direction } : { value, direction, target };
  };
  if (truth.features) {
    const comps = result.components.find((c) => c.layer === truth.features!.layer);
    if (!comps) throw new Error(`score: no components for layer '${truth.features.layer}'`);
    const rec = recovery(truth.features.vectors, comps);
    put("mmcs", rec.mmcs, "higher", 1);
    put("mmcs_std", rec.mmcsStd, "lower");
    put("ml2r", rec.ml2r, "target", 1);
    put("ml2r_std", rec.ml2rStd, "lower");
    const norms = componentNorms(comps);
    const alive = result.alive[comps.layer] ?? [];
    put(
      "non_negligible_0.017",
      norms.filter((n) => n > NON_NEGLIGIBLE_NORM).length,
      "target",
      truth.features.vectors.rows,
    );
    put("alive_norm_ratio", aliveNormRatio(norms, [...alive]), "higher");
  }
  let totalError = 0;
  for (const [layer, pattern] of Object.entries(truth.ciPatterns)) {
    const ci = result.importanceOneHot[layer];
    if (!ci) throw new Error(`score: no one-hot importances for layer '${layer}'`);
    const err = ciPatternError(ci, pattern);
    totalError += err;
    put(`ci_pattern_error.${layer}`, err, "lower");
  }
  put("ci_pattern_error", totalError, "lower");
  put("parameters", result.parameterCount, "lower");
  for (const [layer, flags] of Object.entries(result.alive)) {
    const expected = truth.ciPatterns[layer];
    const target = expected?.kind === "dense"
      ? expected.k
      : expected?.kind === "identity" && truth.features
      ? truth.features.vectors.rows
      : undefined;
    put(
      `alive.${layer}`,
      flags.filter(Boolean).length,
      target === undefined ? "lower" : "target",
      target,
    );
  }
  for (const layer of truth.residual?.layers ?? []) {
    const comps = (name: string) => {
      const c = result.components.find((x) => x.layer === name);
      if (!c) throw new Error(`score: no components for layer '${name}'`);
      return c;
    };
    const embedding = truth.residual!.embedding;
    const prefix = layer.mlpIn.replace(/\.mlp_in$/, "");
    const inComps = comps(layer.mlpIn), outComps = comps(layer.mlpOut);
    const target = targetNeuronContributions(embedding, layer.wIn, layer.wOut);
    const putAgreement = (suffix: string, out: OutConnection) => {
      const fitted = componentNeuronContributions(embedding, inComps, out);
      const { pearson, slope } = contributionAgreement(target, fitted.contributions);
      put(`neuron_contrib_pearson${suffix}.${prefix}`, pearson, "higher", 1);
      put(`neuron_contrib_slope${suffix}.${prefix}`, slope, "target", 1);
    };
    const summed = summedWeight(outComps);
    putAgreement("", summed);
    // A component spanning both matrices is also read with its own W_out part (apd.md §7.2).
    if (result.componentsSpanLayers) putAgreement("_paired", outComps);
    const cat = representationCategories(
      embedding,
      inComps,
      result.componentsSpanLayers ? outComps : summed,
    );
    // The ideal is what the target itself represents in this layer, not every feature.
    const reachable = targetRepresentedFeatures(target);
    put(`features_represented.${prefix}`, cat.represented, "target", reachable);
    put(`components_representing_1.${prefix}`, cat.mono, "target", reachable);
    put(`components_representing_2.${prefix}`, cat.duo, "lower");
    put(`components_representing_3plus.${prefix}`, cat.poly, "lower");
    put(
      `components_per_feature.${layer.mlpIn}`,
      meanComponentsPerFeature(result.importanceOneHot[layer.mlpIn]),
      "target",
      1,
    );
  }
  for (const [layer, v] of Object.entries(result.l0)) put(`l0.${layer}`, v, "lower");
  for (const [name, v] of Object.entries(result.losses)) put(`loss.${name}`, v, "lower");
  for (const [name, m] of Object.entries(result.extraMetrics ?? {})) {
    put(name, m.value, m.direction);
  }
  return metrics;
}
