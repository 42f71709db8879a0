/**
 * What ablating one component costs a target's output: for each input row and
 * each component of one decomposed matrix, the output MSE (mean over outputs,
 * as in SPD's reconstruction losses, spd.md §4.2) when that component is
 * removed from the matrix by a fraction s, averaged over s uniform in [0, 1].
 * That is the expected error of SPD's stochastic mask m = r, r ~ U(0, 1), on a
 * component whose causal importance is 0 (spd.md §3.1), with every other
 * weight at its target value (the layerwise pass of §4.3). Method-agnostic: it
 * reads only the common component form and the frozen target.
 *
 * The average over s uses the midpoint rule on `nodes` points, exact for a
 * cost linear in s² up to the rule's error 1/(12·nodes²) of ∫s² ds.
 *
 * @module
 */
import type { Matrix } from "../linalg/matrix.ts";
import { componentWeight, type LayerComponents } from "../methods/components.ts";
import { tf } from "../runtime/backend.ts";
import { targetLayer, type TargetModel } from "./target_model.ts";

/** Default number of midpoint nodes for the average over the ablated fraction. */
export const ABLATION_NODES = 32;

/**
 * Ablation costs of every component of `components` on the inputs `xs`
 * (`rows × model.nInputs`, row-major): per layer, a `rows × count` matrix whose
 * entry (i, c) is mean over s of MSE(f(x_i | W_l − s·W_{l,c}), f(x_i)).
 *
 * @throws {RangeError} when `xs` does not hold whole rows, `nodes` is not a
 *   positive integer, or a layer is not one of the model's.
 */
export async function ablationCosts(
  model: TargetModel,
  components: readonly LayerComponents[],
  xs: Float32Array,
  nodes: number = ABLATION_NODES,
): Promise<Record<string, Matrix>> {
  const nIn = model.nInputs;
  if (xs.length % nIn !== 0) {
    throw new RangeError(`ablationCosts: xs has ${xs.length} values, not rows of ${nIn}`);
  }
  if (!Number.isInteger(nodes) || nodes < 1) {
    throw new RangeError(`ablationCosts: nodes must be an integer >= 1, got ${nodes}`);
  }
  const rows = xs.length / nIn;
  const fractions = new Float32Array(rows * nodes);
  for (let k = 0; k < nodes; k++) fractions.fill((k + 0.5) / nodes, k * rows, (k + 1) * rows);
  const x = tf.tidy(() => tf.tile(tf.tensor2d(xs, [rows, nIn]), [nodes, 1]) as tf.Tensor2D);
  const s = tf.tensor2d(fractions, [rows * nodes, 1]);
  const clean = tf.tidy(() => model.forward(x, targetLayer));
  const out: Record<string, Matrix> = {};
  try {
    for (const lc of components) {
      if (!model.layers.some((l) => l.name === lc.layer)) {
        throw new RangeError(
          `ablationCosts: layer '${lc.layer}' is not one of ${model.layers.map((l) => l.name)}`,
        );
      }
      const data = new Float64Array(rows * lc.count);
      for (let c = 0; c < lc.count; c++) {
        const w = componentWeight(lc, c);
        const perRow = tf.tidy(() => {
          const wc = tf.tensor2d(Float32Array.from(w.data), [w.rows, w.cols]);
          const ablated = model.forward(x, (layer, input) => {
            const y = targetLayer(layer, input);
            return layer.name === lc.layer ? tf.sub(y, tf.mul(s, tf.matMul(input, wc))) : y;
          });
          const mse = tf.mean(tf.square(tf.sub(ablated, clean)), 1);
          return tf.mean(tf.reshape(mse, [nodes, rows]), 0);
        });
        const values = await perRow.data();
        perRow.dispose();
        for (let i = 0; i < rows; i++) data[i * lc.count + c] = values[i];
      }
      out[lc.layer] = { rows, cols: lc.count, data };
    }
  } finally {
    tf.dispose([x, s, clean]);
  }
  return out;
}
