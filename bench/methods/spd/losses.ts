/**
 * SPD's losses on one batch, exactly normalised as the paper-time code
 * (spd.md §3–§4): faithfulness, stochastic reconstruction through every
 * masked matrix, layerwise stochastic reconstruction, importance minimality.
 *
 * @module
 */
import type { FoldedBatch } from "../../data/zero_row_fold.ts";
import {
  type LayerFn,
  type LinearLayer,
  targetLayer,
  type TargetModel,
} from "../../models/target_model.ts";
import { tf } from "../../runtime/backend.ts";
import type { Rng } from "../../runtime/rng.ts";
import { lowerLeakyHardSigmoid, upperLeakyHardSigmoid } from "./activations.ts";
import { CI_GATES_KERNEL, type CiGatesAttrs, registerCiGatesWasmKernels } from "./ci_gates_wasm.ts";
import type { SpdConfig } from "./config.ts";
import { ciMlpRaw, type SpdLayer, type SpdParams } from "./params.ts";

registerCiGatesWasmKernels();

/** Causal importances of one matrix on a batch. */
export interface CausalImportance {
  /** Lower-leaky values `[B, C]`: feed the masks. */
  readonly lower: tf.Tensor2D;
  /** Upper-leaky values `[B, C]`: feed the importance-minimality loss. */
  readonly upper: tf.Tensor2D;
}

/** The four SPD loss terms and their weighted total, as scalars, with the CI behind them. */
export interface SpdLossTerms {
  /** Σ_l ‖W_l − V_l U_l‖²_F / N. */
  readonly faithfulness: tf.Scalar;
  /** MSE of the output with every matrix masked, against the target output. */
  readonly stochasticRecon: tf.Scalar;
  /** Mean over matrices of the MSE with only that matrix masked. */
  readonly layerwiseRecon: tf.Scalar;
  /** Σ_l Σ_c g_up^p, averaged over the batch. */
  readonly importanceMinimality: tf.Scalar;
  /** The weighted sum that is minimised. */
  readonly total: tf.Scalar;
  /** The causal importances the terms were computed from, per matrix. */
  readonly ci: readonly CausalImportance[];
}

/** Names of {@linkcode SpdLossTerms} in a fixed order (for logging). */
export const SPD_LOSS_NAMES = [
  "faithfulness",
  "stochasticRecon",
  "layerwiseRecon",
  "importanceMinimality",
  "total",
] as const;

/** Uniform mask noise for one step: one `[B, C]` tensor per matrix for each stochastic loss. */
export interface MaskNoise {
  /** For the pass through every masked matrix. */
  readonly full: readonly tf.Tensor2D[];
  /** For the layerwise passes (fresh draws, spd.md §3.1). */
  readonly layerwise: readonly tf.Tensor2D[];
}

/**
 * Per-row weights of a batch whose all-zero datapoints are folded into one
 * row (`bench/data/zero_row_fold.ts`): sums over datapoints become weighted
 * sums over rows. The folded zero row's reconstruction error is exactly 0, so
 * only the importance-minimality sum needs the weights.
 */
export interface RowWeights {
  /** `[rows, 1]`: the datapoints each row stands for. */
  readonly column: tf.Tensor2D;
  /** Σ of the weights: the datapoints the batch stands for. */
  readonly datapoints: number;
}

/**
 * Draws `count` `[rows, cols]` noise arrays from `rng` into tensors. Each gets
 * its own array: the cpu and webgpu backends keep a reference to the array a
 * tensor was made from, so a reused buffer would make every tensor alias the
 * last draw.
 */
export function uniformNoise(rng: Rng, count: number, rows: number, cols: number): tf.Tensor2D[] {
  const out: tf.Tensor2D[] = [];
  for (let i = 0; i < count; i++) {
    out.push(tf.tensor2d(rng.fillUniform(new Float32Array(rows * cols)), [rows, cols]));
  }
  return out;
}

/** The {@linkcode RowWeights} of a folded batch, or undefined when every row stands for one datapoint. */
export function rowWeightsOf(batch: FoldedBatch): RowWeights | undefined {
  if (!batch.hasZeroRow) return undefined;
  return {
    column: tf.tensor2d(batch.weights, [batch.rows, 1]),
    datapoints: batch.datapoints,
  };
}

/**
 * Lower- and upper-leaky causal importances of every matrix, from the clean
 * target inputs.
 */
export function causalImportances(
  params: SpdParams,
  inputs: ReadonlyMap<string, tf.Tensor2D>,
  leakAlpha: number,
): CausalImportance[] {
  const inner = innerActivations(params, inputs);
  return params.layers.map((l, i) => importanceOf(ciMlpRaw(l.ci, inner[i]), leakAlpha));
}

/** `a_l · V_l` for every matrix l, from the clean target inputs `a_l`. */
function innerActivations(
  params: SpdParams,
  inputs: ReadonlyMap<string, tf.Tensor2D>,
): tf.Tensor2D[] {
  return params.layers.map((l) => {
    const a = inputs.get(l.target.name);
    if (!a) throw new Error(`no cached input for layer '${l.target.name}'`);
    return tf.matMul(a, l.v()) as tf.Tensor2D;
  });
}

/** Both leaky hard sigmoids of a matrix's raw CI-MLP output. */
function importanceOf(raw: tf.Tensor2D, leakAlpha: number): CausalImportance {
  return {
    lower: lowerLeakyHardSigmoid(raw, leakAlpha) as tf.Tensor2D,
    upper: upperLeakyHardSigmoid(raw, leakAlpha) as tf.Tensor2D,
  };
}

/**
 * `((x·V) ⊙ m)·U + b`: the masked component layer. `inner`, when given, is
 * `x·V` already computed (the layer's input is then the clean target input).
 */
function maskedLayer(
  l: SpdLayer,
  input: tf.Tensor2D,
  mask: tf.Tensor2D,
  inner?: tf.Tensor2D,
): tf.Tensor2D {
  const out = tf.matMul(tf.mul(inner ?? tf.matMul(input, l.v()), mask), l.u());
  return (l.target.bias ? tf.add(out, l.target.bias) : out) as tf.Tensor2D;
}

/** Stochastic mask m = g + (1 − g)·r. */
function stochasticMask(g: tf.Tensor2D, r: tf.Tensor2D): tf.Tensor2D {
  return tf.add(g, tf.mul(tf.sub(1, g), r));
}

/** A matrix's importances and its two stochastic masks (full and layerwise noise). */
interface Gates extends CausalImportance {
  readonly maskFull: tf.Tensor2D;
  readonly maskLayer: tf.Tensor2D;
}

/**
 * Both leaky hard sigmoids of the raw CI-MLP output and both masks: one
 * fused kernel with a one-kernel gradient on wasm (`ci_gates_wasm.ts`), the
 * ops elsewhere.
 */
function gates(raw: tf.Tensor2D, rFull: tf.Tensor2D, rLayer: tf.Tensor2D, alpha: number): Gates {
  if (tf.getBackend() === "wasm" && raw.size % 4 === 0) {
    const attrs: CiGatesAttrs = { alpha, oneMinusAlpha: 1 - alpha };
    const [lower, upper, maskFull, maskLayer] = tf.engine().runKernel(
      CI_GATES_KERNEL,
      { raw, rFull, rLayer },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor2D[];
    return { lower, upper, maskFull, maskLayer };
  }
  const ci = importanceOf(raw, alpha);
  return {
    ...ci,
    maskFull: stochasticMask(ci.lower, rFull),
    maskLayer: stochasticMask(ci.lower, rLayer),
  };
}

/**
 * One matrix's importance-minimality sum before the batch mean: Σ_b Σ_c g_up[b,c]^p,
 * each row counted `weights` times when the batch is folded.
 */
export function importanceSum(upper: tf.Tensor2D, p: number, weights?: RowWeights): tf.Scalar {
  const powered = p === 1 ? upper : p === 2 ? tf.square(upper) : tf.pow(upper, p);
  return tf.sum(weights ? tf.mul(powered, weights.column) : powered);
}

/**
 * Computes every SPD loss term on a batch. `targetOutput` and `targetInputs`
 * come from the clean target pass on `x` (and `targetOutputs`, when given, the
 * layer outputs of that pass, which the layerwise passes then reuse). With
 * `weights`, `x` is a folded batch (all-zero datapoints as one weighted row)
 * and every term is the one of the unfolded batch.
 */
export function spdLosses(
  model: TargetModel,
  params: SpdParams,
  cfg: SpdConfig,
  x: tf.Tensor2D,
  targetOutput: tf.Tensor2D,
  targetInputs: ReadonlyMap<string, tf.Tensor2D>,
  noise: MaskNoise,
  nDecomposedParams: number,
  weights?: RowWeights,
  targetOutputs?: ReadonlyMap<string, tf.Tensor2D>,
): SpdLossTerms {
  const index = new Map<LinearLayer, number>(params.layers.map((l, i) => [l.target, i]));
  let faith: tf.Tensor = tf.scalar(0);
  for (const l of params.layers) {
    faith = tf.add(faith, tf.sum(tf.squaredDifference(l.target.weight, tf.matMul(l.v(), l.u()))));
  }
  const faithfulness = tf.div(faith, nDecomposedParams) as tf.Scalar;

  const datapoints = weights ? weights.datapoints : x.shape[0];
  // Mean squared error over the (unfolded) batch; a folded zero row contributes exactly 0.
  const mse = (out: tf.Tensor, target: tf.Tensor) =>
    weights
      ? tf.div(tf.sum(tf.squaredDifference(out, target)), datapoints * target.shape[1]!)
      : tf.mean(tf.squaredDifference(out, target));
  // x_l·V_l on the clean inputs feeds the CI MLPs, and is reused wherever a masked layer's input
  // is the clean input: in its own layerwise pass, and for the first matrix of the full pass
  // (nothing decomposed comes before it). One product, one gradient matMul instead of three.
  const inner = innerActivations(params, targetInputs);
  const ci = params.layers.map((l, i) =>
    gates(ciMlpRaw(l.ci, inner[i]), noise.full[i], noise.layerwise[i], cfg.leakAlpha)
  );
  const fullMasks = ci.map((c) => c.maskFull);
  // Every pass starts where the clean target reaches the first matrix, when the model allows it.
  const first = targetInputs.get(model.layers[0].name);
  const pass = (fn: LayerFn) =>
    model.forwardFromFirstLayer && first
      ? model.forwardFromFirstLayer(first, fn)
      : model.forward(x, fn);
  let calls = 0;
  const fullOut = pass((layer, input) => {
    const i = index.get(layer)!;
    return maskedLayer(params.layers[i], input, fullMasks[i], calls++ === 0 ? inner[i] : undefined);
  });
  const stochasticRecon = mse(fullOut, targetOutput) as tf.Scalar;

  let layerSum: tf.Tensor = tf.scalar(0);
  params.layers.forEach((l, i) => {
    const mask = ci[i].maskLayer;
    // Before matrix i every layer is the target's on the clean input: reuse its clean output.
    const out = pass((layer, input) =>
      layer === l.target
        ? maskedLayer(l, input, mask, inner[i])
        : (index.get(layer)! < i && targetOutputs?.get(layer.name)) || targetLayer(layer, input)
    );
    layerSum = tf.add(layerSum, mse(out, targetOutput));
  });
  const layerwiseRecon = tf.div(layerSum, params.layers.length) as tf.Scalar;

  let imp: tf.Tensor = tf.scalar(0);
  for (const c of ci) imp = tf.add(imp, importanceSum(c.upper, cfg.pNorm, weights));
  const importanceMinimality = tf.div(imp, datapoints) as tf.Scalar;

  const total = tf.addN([
    tf.mul(faithfulness, cfg.faithfulnessCoeff),
    tf.mul(stochasticRecon, cfg.stochasticReconCoeff),
    tf.mul(layerwiseRecon, cfg.layerwiseReconCoeff),
    tf.mul(importanceMinimality, cfg.importanceCoeff),
  ]) as tf.Scalar;
  return { faithfulness, stochasticRecon, layerwiseRecon, importanceMinimality, total, ci };
}
