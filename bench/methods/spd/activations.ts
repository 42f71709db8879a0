/**
 * SPD's nonlinearities with exact formulas (spd.md §2.1–§2.2): the erf GELU
 * of the causal-importance MLPs, and the two leaky hard sigmoids.
 *
 * @module
 */
import { tf } from "../../runtime/backend.ts";

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Exact GELU, `x·Φ(x) = ½x(1 + erf(x/√2))` (torch's default), with a
 * hand-written gradient `Φ(x) + x·φ(x)` that saves the backward pass several
 * elementwise ops over the large `[batch, C, d_gate]` tensor.
 */
export const gelu: (x: tf.Tensor) => tf.Tensor = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  (x: any, save: any) => {
    const t = x as tf.Tensor;
    const cdf = tf.mul(tf.add(tf.erf(tf.mul(t, SQRT1_2)), 1), 0.5);
    save([t, cdf]);
    return {
      value: tf.mul(t, cdf),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, phi] = saved;
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI);
        return tf.mul(dy, tf.add(phi, tf.mul(xs, pdf)));
      },
    };
  },
) as (x: tf.Tensor) => tf.Tensor;

/**
 * Lower-leaky hard sigmoid (masks): `αx` for x ≤ 0, `x` on (0, 1], `1` above.
 * Masks may go slightly negative; they never exceed 1.
 */
export function lowerLeakyHardSigmoid(x: tf.Tensor, alpha = 0.01): tf.Tensor {
  return tf.minimum(tf.leakyRelu(x, alpha), 1);
}

/**
 * Upper-leaky hard sigmoid (importance loss): `0` for x ≤ 0, `x` on (0, 1],
 * `1 + α(x − 1)` above. Never negative; may exceed 1.
 */
export function upperLeakyHardSigmoid(x: tf.Tensor, alpha = 0.01): tf.Tensor {
  return tf.sub(tf.relu(x), tf.mul(tf.relu(tf.sub(x, 1)), 1 - alpha));
}
