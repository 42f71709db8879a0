/**
 * APD's loss terms in the top-k formulation (apd.md §4), with the reference
 * code's normalisation:
 *
 * - faithfulness: `(1/N) Σ_l ‖W_l − Σ_c P_{c,l}‖²_F`, N = decomposed entries
 *   (a tied matrix counts in both the sum and N);
 * - minimality: mean over batch and outputs of `(f_sparse − f_target)²`, where
 *   the sparse pass uses only the components selected by the top-k mask;
 * - act-recon: per datapoint, `Σ (relu(u)_sparse − relu(u)_target)²` over the
 *   neurons of every hidden ReLU, divided by their total count, then the batch
 *   mean (the model's output nonlinearity, TMS's final ReLU, is not hidden);
 * - simplicity: `(1/(N·B)) Σ_b Σ_c s[b,c] Σ_l Σ_j (λ²_{c,l,j} + ε)^{p/2}` with
 *   `λ_{c,l,j} = ‖A_{c,l}[:, j]‖·‖B_{c,l}[j, :]‖`, masked-out pairs contributing
 *   the constant ε^{p/2} as in the reference.
 *
 * @module
 */
import type { LayerFn, TargetModel } from "../../models/target_model.ts";
import { tf } from "../../runtime/backend.ts";
import type { ApdConfig } from "./config.ts";
import type { ApdLayer, ApdParams } from "./params.ts";

/** Names of the loss terms, in the order curves and records store them. */
export const APD_LOSS_NAMES = [
  "faithfulness",
  "minimality",
  "actRecon",
  "simplicity",
  "total",
] as const;

/** One value per loss term (scalars). */
export type ApdLossTerms = Record<(typeof APD_LOSS_NAMES)[number], tf.Scalar>;

/** A pass's output and the outputs of its hidden ReLUs, in forward order. */
export interface ModelPass {
  /** Network output `[B, nOutputs]`. */
  readonly output: tf.Tensor2D;
  /** Post-ReLU activations of every hidden nonlinearity. */
  readonly hidden: readonly tf.Tensor2D[];
}

/** Runs `model.forward` with `layerFn`, keeping the hidden post-ReLU activations. */
export function passWithActivations(
  model: TargetModel,
  x: tf.Tensor2D,
  layerFn: Parameters<TargetModel["forward"]>[1],
): ModelPass {
  const acts: tf.Tensor2D[] = [];
  const output = model.forward(x, layerFn, (pre) => {
    const post = tf.relu(pre);
    acts.push(post);
    return post;
  });
  return { output, hidden: acts.filter((a) => a !== output) };
}

/** The APD layer with only the masked components on: `Σ_c s[b,c] (x_b A_c) B_c + bias`. */
export function maskedLayer(
  layer: ApdLayer,
  input: tf.Tensor2D,
  mask: tf.Tensor2D,
  rank: number,
): tf.Tensor2D {
  const [B, C] = mask.shape;
  const inner = tf.reshape(tf.matMul(input, layer.a()), [B, C, rank]);
  const kept = tf.reshape(tf.mul(inner, tf.reshape(mask, [B, C, 1])), [B, C * rank]);
  const out = tf.matMul(kept, layer.b());
  return (layer.target.bias ? tf.add(out, layer.target.bias) : out) as tf.Tensor2D;
}

/** The layer function of a sparse pass: every decomposed matrix with only the masked components. */
export function maskedLayers(params: ApdParams, mask: tf.Tensor2D): LayerFn {
  const byName = new Map(params.layers.map((l) => [l.target.name, l]));
  return (layer, input) => maskedLayer(byName.get(layer.name)!, input, mask, params.rank);
}

/** Faithfulness: parameter MSE over all decomposed entries. */
export function faithfulnessLoss(params: ApdParams, nParams: number): tf.Scalar {
  let sum: tf.Scalar = tf.scalar(0);
  for (const l of params.layers) {
    sum = tf.add(sum, tf.sum(tf.squaredDifference(l.target.weight, tf.matMul(l.a(), l.b()))));
  }
  return tf.div(sum, nParams);
}

/**
 * Per component, `Σ_l Σ_j (λ²_{c,l,j} + ε)^{p/2}` (`[C]`), from the factor
 * column and row norms: the reference's SVD-free Schatten-p surrogate.
 */
export function schattenPerComponent(params: ApdParams, p: number, eps: number): tf.Tensor1D {
  const { C, rank } = params;
  let sum: tf.Tensor1D = tf.zeros([C]);
  for (const l of params.layers) {
    const colsA = tf.sum(tf.square(l.a()), 0);
    const rowsB = tf.sum(tf.square(l.b()), 1);
    const lam2 = tf.reshape(tf.mul(colsA, rowsB), [C, rank]);
    sum = tf.add(sum, tf.sum(tf.pow(tf.add(lam2, eps), p / 2), 1));
  }
  return sum;
}

/** Simplicity: the masked Schatten sum normalised by N·B (see the module doc). */
export function simplicityLoss(
  params: ApdParams,
  mask: tf.Tensor2D,
  p: number,
  eps: number,
  nParams: number,
): tf.Scalar {
  const [B, C] = mask.shape;
  const counts = tf.sum(mask, 0);
  const active = tf.sum(tf.mul(counts, schattenPerComponent(params, p, eps)));
  const offPairs = tf.sub(B * C, tf.sum(counts));
  const constant = tf.mul(offPairs, params.layers.length * params.rank * eps ** (p / 2));
  return tf.div(tf.add(active, constant), nParams * B);
}

/**
 * All loss terms on one batch, given the clean target pass and the top-k
 * mask (a constant). Call inside `tf.variableGrads` to train on `total`.
 */
export function apdLosses(
  model: TargetModel,
  params: ApdParams,
  cfg: ApdConfig,
  x: tf.Tensor2D,
  target: ModelPass,
  mask: tf.Tensor2D,
  nParams: number,
): ApdLossTerms {
  const sparse = passWithActivations(model, x, maskedLayers(params, mask));
  const faithfulness = faithfulnessLoss(params, nParams);
  const minimality = tf.mean(tf.squaredDifference(sparse.output, target.output)) as tf.Scalar;
  let actRecon: tf.Scalar = tf.scalar(0);
  if (target.hidden.length > 0) {
    const width = target.hidden.reduce((n, h) => n + h.shape[1], 0);
    let perRow: tf.Tensor = tf.zeros([x.shape[0]]);
    target.hidden.forEach((h, i) => {
      perRow = tf.add(perRow, tf.sum(tf.squaredDifference(sparse.hidden[i], h), 1));
    });
    actRecon = tf.div(tf.mean(perRow), width);
  }
  const simplicity = simplicityLoss(params, mask, cfg.schattenP, cfg.schattenEps, nParams);
  const total = tf.addN([
    tf.mul(faithfulness, cfg.faithfulnessCoeff),
    tf.mul(minimality, cfg.minimalityCoeff),
    tf.mul(actRecon, cfg.actReconCoeff),
    tf.mul(simplicity, cfg.simplicityCoeff),
  ]) as tf.Scalar;
  return { faithfulness, minimality, actRecon, simplicity, total };
}
