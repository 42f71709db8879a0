/**
 * Top-k masks built from exact indices (apd.md §3): batch top-k keeps exactly
 * k (datapoint, component) pairs of a whole batch, per-sample top-k exactly k
 * components of each datapoint. Ties (e.g. the many exact-zero attributions of
 * all-zero inputs) never select more than k: a "score ≥ k-th value" rule would.
 *
 * @module
 */
import { tf } from "../../runtime/backend.ts";

/** `[B, C]` 0/1 mask with ones at the k largest entries of `scores [B, C]`. */
export function batchTopkMask(scores: tf.Tensor2D, k: number): tf.Tensor2D {
  const [B, C] = scores.shape;
  if (!Number.isInteger(k) || k < 1 || k > B * C) {
    throw new RangeError(`batchTopkMask: k must be an integer in [1, ${B * C}], got ${k}`);
  }
  return tf.tidy(() => {
    const { indices } = tf.topk(tf.reshape(scores, [B * C]), k);
    const mask = tf.scatterND(tf.reshape(indices, [k, 1]), tf.ones([k]), [B * C]);
    return tf.reshape(mask, [B, C]);
  });
}

/** `[B, C]` 0/1 mask with ones at the k largest entries of every row of `scores`. */
export function perSampleTopkMask(scores: tf.Tensor2D, k: number): tf.Tensor2D {
  const [B, C] = scores.shape;
  if (!Number.isInteger(k) || k < 1 || k > C) {
    throw new RangeError(`perSampleTopkMask: k must be an integer in [1, ${C}], got ${k}`);
  }
  return tf.tidy(() => {
    const { indices } = tf.topk(scores, k);
    const picked = tf.reshape(tf.oneHot(tf.reshape(indices, [B * k]), C), [B, k, C]);
    return tf.cast(tf.sum(picked, 1), "float32") as tf.Tensor2D;
  });
}
