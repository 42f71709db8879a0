/**
 * APD's gradient attributions (apd.md §2.1), computed in forward mode.
 *
 * The attribution of component c on datapoint b is `Σ_o a[b,c,o]²` with
 * `a[b,c,o] = Σ_l ⟨∂f_o/∂post_l, pre_l · P_{c,l}⟩`: the directional
 * derivative of the network output in parameter direction P_c. Instead of one
 * backward pass per output (the reference code), one tangent pass carries all
 * C directions at once as `C·B` rows: zero input tangent, at every decomposed
 * layer `t ← t·W_l + pre_l·P_{c,l}` (no bias), through a ReLU `t ← t ⊙ 1[z > 0]`
 * with the primal pre-activation z, and through every other (linear) map as
 * the model itself does. The result is the same quantity without any autodiff;
 * attributions only choose the top-k mask and are constants for training.
 *
 * Where the model says a layer reaches the output only through a fixed linear
 * map J (`TargetModel.linearReadout`: a residual MLP's last `mlp_out`, J =
 * W_U), that layer's tangent is computed in output space, `t·(W J) + pre·P_c·J`,
 * instead of being carried as `[C·B, dOut]` rows through J (apd.md §8's
 * folding): on `resid_mlp_1` the tangent shrinks from 1000 to 100 columns.
 *
 * @module
 */
import { type LinearLayer, targetLayer, type TargetModel } from "../../models/target_model.ts";
import { tf } from "../../runtime/backend.ts";
import type { AttributionSource } from "./config.ts";
import type { ApdLayer, ApdParams } from "./params.ts";

/** The summed factor product `A · B` of one layer: Σ_c P_{c,l}, shape `[dIn, dOut]`. */
export function apdSummedWeight(layer: ApdLayer): tf.Tensor2D {
  return tf.matMul(layer.a(), layer.b());
}

/**
 * Every component's output on `input [B, dIn]`: `input · P_c` for c = 0 … C−1,
 * stacked component-major as `[C·B, dOut]` (row c·B + b); with `readout` J
 * `[dOut, n]`, `input · P_c · J` as `[C·B, n]`. P_c = A_c B_c is the same
 * product in either of two orders, and the cheaper is taken: a batched matMul
 * (one product per component) costs ~10× more per multiply on wasm than a
 * two-dimensional one, so what counts is its share:
 * - factored, `(input · A) · B_c`: batched C·B·m·dOut multiplies;
 * - materialised, `input · [P_0 … P_{C−1}]`: batched C·dIn·m·dOut (building
 *   the maps) plus one 2-D matMul: cheaper whenever dIn < B (every TMS
 *   matrix, a residual MLP's `mlp_out`), factored otherwise (`mlp_in`).
 */
export function componentOutputs(
  layer: ApdLayer,
  input: tf.Tensor2D,
  C: number,
  rank: number,
  readout: tf.Tensor2D | null = null,
): tf.Tensor2D {
  const B = input.shape[0];
  const { dIn } = layer.target;
  const right: tf.Tensor2D = readout ? tf.matMul(layer.b(), readout) : layer.b();
  const dOut = right.shape[1];
  const rightByComponent = tf.reshape(right, [C, rank, dOut]) as tf.Tensor3D;
  if (dIn >= B) {
    const inner = tf.transpose(tf.reshape(tf.matMul(input, layer.a()), [B, C, rank]), [1, 0, 2]);
    return tf.reshape(tf.matMul(inner as tf.Tensor3D, rightByComponent), [C * B, dOut]);
  }
  const aByComponent = tf.transpose(tf.reshape(layer.a(), [dIn, C, rank]), [1, 0, 2]);
  const maps = tf.matMul(aByComponent as tf.Tensor3D, rightByComponent); // [C, dIn, dOut]
  const sideBySide = tf.reshape(tf.transpose(maps, [1, 0, 2]), [dIn, C * dOut]);
  const out = tf.reshape(tf.matMul(input, sideBySide), [B, C, dOut]);
  return tf.reshape(tf.transpose(out, [1, 0, 2]), [C * B, dOut]);
}

/**
 * Gradient attributions of every component on `x [B, nInputs]`. `source`
 * picks whose derivative is taken: the frozen target's, or the APD model's
 * with all components on (then W_l is replaced by Σ_c P_{c,l}, and the
 * pre-activations and ReLU gates are the APD model's). Returns `[B, C]`:
 * `Σ_o (Σ_l a_l[b,c,o])²`, the quantity batch top-k ranks. Call inside
 * `tf.tidy`; nothing here is differentiated.
 */
export function gradientAttributions(
  model: TargetModel,
  params: ApdParams,
  x: tf.Tensor2D,
  source: AttributionSource,
): tf.Tensor2D {
  const { C, rank } = params;
  const B = x.shape[0];
  const byName = new Map(params.layers.map((l) => [l.target.name, l]));
  const weights = new Map<string, tf.Tensor2D>(
    params.layers.map((l) => [
      l.target.name,
      source === "target" ? l.target.weight : apdSummedWeight(l),
    ]),
  );
  const inputs = new Map<string, tf.Tensor2D>();
  const gates: tf.Tensor3D[] = [];
  model.forward(
    x,
    (layer, input) => {
      inputs.set(layer.name, input);
      if (source === "target") return targetLayer(layer, input);
      const out = tf.matMul(input, weights.get(layer.name)!);
      return (layer.bias ? tf.add(out, layer.bias) : out) as tf.Tensor2D;
    },
    (pre) => {
      gates.push(tf.expandDims(tf.cast(tf.greater(pre, 0), "float32"), 0) as tf.Tensor3D);
      return tf.relu(pre);
    },
  );
  // The input tangent is zero: one zero row stands for all C·B rows until the first decomposed
  // layer adds the directions (broadcasting), so the frozen maps before it cost nothing. A layer
  // with a linear readout J adds its tangent in output space (`folded`) and passes zero on.
  let g = 0;
  const folded: tf.Tensor2D[] = [];
  const tangentLayer = (layer: LinearLayer, tIn: tf.Tensor2D): tf.Tensor2D => {
    const apdLayer = byName.get(layer.name)!, input = inputs.get(layer.name)!;
    const w = weights.get(layer.name)!;
    const readout = model.linearReadout?.(layer.name) ?? null;
    if (readout === null) {
      return tf.add(tf.matMul(tIn, w), componentOutputs(apdLayer, input, C, rank));
    }
    const direct = componentOutputs(apdLayer, input, C, rank, readout);
    folded.push(tf.add(tf.matMul(tIn, tf.matMul(w, readout)), direct));
    return tf.zeros([1, layer.dOut]);
  };
  const passed = model.forward(
    tf.zeros([1, model.nInputs]),
    tangentLayer,
    (tPre) => {
      g++;
      if (tPre.shape[0] === 1) return tPre;
      const d = tPre.shape[1];
      return tf.reshape(tf.mul(tf.reshape(tPre, [C, B, d]), gates[g - 1]), [C * B, d]);
    },
  );
  const tangent = folded.reduce((t, f) => tf.add(t, f), passed);
  const perComponent = tf.sum(tf.square(tf.reshape(tangent, [C, B, model.nOutputs])), 2);
  return tf.transpose(perComponent) as tf.Tensor2D;
}
