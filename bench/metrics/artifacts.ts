/**
 * Run artifacts: the small matrices a report draws that only exist at scoring
 * time (the one-hot importance matrix per decomposed layer, the
 * component-to-feature cosine matrix, the residual-MLP neuron contributions).
 * They are computed from a method's result and the toy's ground truth, kept
 * compact (values rounded to 4 significant digits; large matrices keep only
 * the components that matter, with a count of those left out) and stored in
 * the run record, so reports never need to re-train.
 *
 * Pure functions; no tensors, no I/O. Method-agnostic: they read only the
 * common form of {@linkcode MethodResult}.
 *
 * @module
 */
import type { Matrix } from "../linalg/matrix.ts";
import type { MethodResult } from "../methods/method.ts";
import type { GroundTruth } from "../toys/toy.ts";
import { greedyIdentityOrder } from "./assignment.ts";
import { columnPeaks } from "./ci_pattern.ts";
import {
  componentNeuronContributions,
  summedWeight,
  targetNeuronContributions,
} from "./neuron_contributions.ts";
import { recovery } from "./recovery.ts";

/** Layout version of {@linkcode RunArtifacts}. */
export const ARTIFACTS_VERSION = 1;

/**
 * Matrices with more cells than this keep only the components that matter
 * (importance: alive or above {@linkcode IMPORTANT} on a one-hot input; cosine:
 * alive or best match of some feature) and neuron contributions drop the pairs
 * near the origin.
 */
export const MAX_DENSE_CELLS = 2000;

/** Importance above which a component counts as important on a one-hot input (τ, spd.md §7.4). */
export const IMPORTANT = 0.1;

/** Neuron-contribution pairs with both |values| below this fraction of the largest are dropped. */
export const CONTRIBUTION_KEEP_FRACTION = 0.01;

/** One layer's importances on the one-hot 0.75 batch (spd.md §7.3). */
export interface ImportanceArtifact {
  /** Kept component indices, in spd.md §7.3 display order (greedy permute-to-identity). */
  readonly components: readonly number[];
  /** `values[i][k]`: importance of one-hot feature i on component `components[k]`. */
  readonly values: readonly (readonly number[])[];
  /** Components left out (important on no input); 0 when every component is kept. */
  readonly dropped: number;
  /** Largest one-hot importance among the dropped components (0 when none is dropped). */
  readonly droppedMax: number;
}

/** Cosine of each component's columns with the true feature columns (spd.md §7.1). */
export interface CosineArtifact {
  /** The layer holding the ground-truth features (TMS: `linear1`). */
  readonly layer: string;
  /** Kept component indices, ordered by the feature they match best (then the rest). */
  readonly components: readonly number[];
  /** `values[k][j]`: cosine of component `components[k]`'s column j with feature j. */
  readonly values: readonly (readonly number[])[];
  /** Per feature, the index of its best-matching component (the one MMCS and ML2R use). */
  readonly bestComponent: readonly number[];
  /** Components left out (neither alive nor a best match); 0 when all are kept. */
  readonly dropped: number;
}

/** Target against fitted neuron contributions of one residual-MLP layer (spd.md §7.6). */
export interface NeuronContributionArtifact {
  /** The layer's `mlp_in` name. */
  readonly layer: string;
  /** Number of features (rows of the contribution matrices). */
  readonly nFeatures: number;
  /** Number of MLP neurons (columns). */
  readonly dMlp: number;
  /** Per feature, the `mlp_in` component chosen (largest maximum contribution). */
  readonly chosen: readonly number[];
  /** Kept pairs: feature index of each. */
  readonly feature: readonly number[];
  /** Kept pairs: neuron index of each. */
  readonly neuron: readonly number[];
  /** Kept pairs: the target model's contribution. */
  readonly target: readonly number[];
  /** Kept pairs: the chosen component's contribution. */
  readonly fitted: readonly number[];
  /**
   * Kept pairs, for methods whose components span layers (APD): the contribution of each
   * feature's best component read with its own `mlp_out` part instead of the summed W_out, as
   * the APD paper draws it (apd.md §7.2). Absent for other methods.
   */
  readonly fittedPaired?: readonly number[];
  /** Pairs left out, every |value| < `droppedBelow`; 0 when all are kept. */
  readonly dropped: number;
  /** The absolute bound under which pairs were dropped (0 when none is dropped). */
  readonly droppedBelow: number;
}

/** What a report draws for one run, beyond its scalar metrics. */
export interface RunArtifacts {
  /** {@linkcode ARTIFACTS_VERSION}. */
  readonly version: number;
  /** Per decomposed layer, importances on the one-hot 0.75 batch. */
  readonly importanceOneHot: Readonly<Record<string, ImportanceArtifact>>;
  /** Cosine matrix on the ground-truth layer; null for toys without known feature columns. */
  readonly cosine: CosineArtifact | null;
  /** Residual MLPs: one entry per MLP layer; empty for other toys. */
  readonly neuronContributions: readonly NeuronContributionArtifact[];
}

/** Rounds to 4 significant digits; non-finite values stay as they are. */
export function round4(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(4)) : v;
}

function allFinite(m: Matrix): boolean {
  for (let k = 0; k < m.data.length; k++) if (!Number.isFinite(m.data[k])) return false;
  return true;
}

/**
 * One layer's one-hot importances. Columns are put in spd.md §7.3 order
 * (greedy permute-to-identity on the full matrix); when the matrix has more
 * than {@linkcode MAX_DENSE_CELLS} cells, only components alive or above
 * {@linkcode IMPORTANT} on some one-hot input are kept.
 */
export function importanceArtifact(
  m: Matrix,
  alive: readonly boolean[] = [],
): ImportanceArtifact {
  const order = allFinite(m) ? greedyIdentityOrder(m) : Array.from({ length: m.cols }, (_, c) => c);
  const peaks = columnPeaks(m);
  const large = m.rows * m.cols > MAX_DENSE_CELLS;
  const keep = order.filter((c) => !large || alive[c] || peaks[c] > IMPORTANT);
  const droppedCols = order.filter((c) => !keep.includes(c));
  return {
    components: keep,
    values: Array.from(
      { length: m.rows },
      (_, i) => keep.map((c) => round4(m.data[i * m.cols + c])),
    ),
    dropped: droppedCols.length,
    droppedMax: droppedCols.length ? round4(Math.max(...droppedCols.map((c) => peaks[c]))) : 0,
  };
}

/** The cosine matrix of {@linkcode recovery} on the ground-truth layer, compacted. */
function cosineArtifact(truth: GroundTruth, result: MethodResult): CosineArtifact | null {
  if (!truth.features) return null;
  const comps = result.components.find((c) => c.layer === truth.features!.layer);
  if (!comps) return null;
  const rec = recovery(truth.features.vectors, comps);
  const n = truth.features.vectors.rows;
  const alive = result.alive[comps.layer] ?? [];
  const large = comps.count * n > MAX_DENSE_CELLS;
  // Best matches first, in feature order, then the remaining components by index.
  const order: number[] = [];
  for (const c of rec.bestComponent) if (!order.includes(c)) order.push(c);
  for (let c = 0; c < comps.count; c++) {
    if (!order.includes(c) && (!large || alive[c])) order.push(c);
  }
  return {
    layer: comps.layer,
    components: order,
    values: order.map((c) => Array.from(rec.cosine[c], round4)),
    bestComponent: [...rec.bestComponent],
    dropped: comps.count - order.length,
  };
}

/** Target and fitted neuron contributions per residual-MLP layer, compacted. */
function neuronArtifacts(
  truth: GroundTruth,
  result: MethodResult,
): NeuronContributionArtifact[] {
  const out: NeuronContributionArtifact[] = [];
  for (const layer of truth.residual?.layers ?? []) {
    const inComps = result.components.find((c) => c.layer === layer.mlpIn);
    const outComps = result.components.find((c) => c.layer === layer.mlpOut);
    if (!inComps || !outComps) continue;
    const embedding = truth.residual!.embedding;
    const target = targetNeuronContributions(embedding, layer.wIn, layer.wOut);
    const fitted = componentNeuronContributions(embedding, inComps, summedWeight(outComps));
    const paired = result.componentsSpanLayers
      ? componentNeuronContributions(embedding, inComps, outComps).contributions.data
      : null;
    const t = target.data, f = fitted.contributions.data;
    const large = t.length > MAX_DENSE_CELLS;
    const magnitude = (k: number) =>
      Math.max(Math.abs(t[k]), Math.abs(f[k]), Math.abs(paired?.[k] ?? 0));
    let maxAbs = 0;
    for (let k = 0; k < t.length; k++) maxAbs = Math.max(maxAbs, magnitude(k));
    const bound = large ? CONTRIBUTION_KEEP_FRACTION * maxAbs : 0;
    const feature: number[] = [], neuron: number[] = [], tv: number[] = [], fv: number[] = [];
    const pv: number[] = [];
    for (let k = 0; k < t.length; k++) {
      if (large && magnitude(k) < bound) continue;
      feature.push(Math.floor(k / target.cols));
      neuron.push(k % target.cols);
      tv.push(round4(t[k]));
      fv.push(round4(f[k]));
      if (paired) pv.push(round4(paired[k]));
    }
    out.push({
      layer: layer.mlpIn,
      nFeatures: target.rows,
      dMlp: target.cols,
      chosen: fitted.chosen,
      feature,
      neuron,
      target: tv,
      fitted: fv,
      ...(paired ? { fittedPaired: pv } : {}),
      dropped: t.length - tv.length,
      droppedBelow: tv.length < t.length ? round4(bound) : 0,
    });
  }
  return out;
}

/**
 * Everything a report draws for a completed run: per decomposed layer the
 * one-hot importance matrix (spd.md §7.3 column order), the cosine matrix on
 * the ground-truth layer (§7.1) and, for residual MLPs, target against fitted
 * neuron contributions (§7.6). Deterministic for a given result.
 */
export function runArtifacts(truth: GroundTruth, result: MethodResult): RunArtifacts {
  const importanceOneHot = Object.fromEntries(
    Object.entries(result.importanceOneHot).map((
      [layer, m],
    ) => [layer, importanceArtifact(m, result.alive[layer])]),
  );
  return {
    version: ARTIFACTS_VERSION,
    importanceOneHot,
    cosine: cosineArtifact(truth, result),
    neuronContributions: neuronArtifacts(truth, result),
  };
}
