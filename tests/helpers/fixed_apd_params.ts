/**
 * APD parameters held fixed, for tests that score a hand-built decomposition
 * of a target model without training one.
 */
import * as tf from "@tensorflow/tfjs";
import type { ApdParams, TargetModel } from "../../mod.ts";

/**
 * `factors[i]` = stacked `[A, B]` (A `[dIn, C·rank]`, B `[C·rank, dOut]`) of
 * `model.layers[i]`; `dispose` frees them.
 */
export function fixedApdParams(
  model: TargetModel,
  C: number,
  rank: number,
  factors: readonly (readonly [tf.Tensor2D, tf.Tensor2D])[],
): ApdParams {
  return {
    C,
    rank,
    layers: model.layers.map((target, i) => ({
      target,
      a: () => factors[i][0],
      b: () => factors[i][1],
      aVar: null,
    })),
    variables: [],
    dispose: () => tf.dispose(factors.flat()),
  };
}
