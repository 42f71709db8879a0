/**
 * The causal-importance MLPs of one matrix, all C of them at once, with a
 * hand-written gradient: `raw[n, c] = Σ_g w2[c,g]·GELU(h[n,c]·w1[c,g] + b1[c,g]) + b2[c]`.
 *
 * This is the largest part of an SPD step (a `[rows, C, d_gate]` tensor per
 * matrix, forward and backward), so it is written for speed on the wasm
 * backend, where transcendental kernels cost 15–30× a multiply:
 *
 * - one `exp(−x²/2)` per element serves both the erf of the GELU (through
 *   the Abramowitz–Stegun 7.1.26 formula, |error| ≤ 1.5e-7, the formula
 *   TF.js's own cpu backend uses for `tf.erf`) and the normal density of its
 *   derivative, instead of an `erf` forward plus an `exp` backward;
 * - the gradient is composed directly (`dpre = dy·w2·(Φ + x·φ)`), with none
 *   of the broadcast bookkeeping of the generic op gradients;
 * - on the wasm backend (d_gate a multiple of 4), forward and backward each run
 *   as one fused WebAssembly SIMD kernel (`ci_mlp_wasm.ts`), the same
 *   arithmetic in one pass instead of ~37 elementwise kernels; other backends
 *   run the TF.js ops below.
 *
 * @module
 */
import { tf } from "../../runtime/backend.ts";
import { CI_MLP_GRAD_KERNEL, CI_MLP_KERNEL, registerCiMlpWasmKernels } from "./ci_mlp_wasm.ts";

registerCiMlpWasmKernels();

/** Whether the fused wasm kernels serve these shapes on the active backend. */
function fusedKernelApplies(rows: number, gateWidth: number): boolean {
  return rows > 0 && gateWidth % 4 === 0 && tf.getBackend() === "wasm";
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
// Abramowitz & Stegun 7.1.26 (as in TF.js's ERF_* constants).
const ERF_P = 0.3275911;
const ERF_A = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429];

/**
 * The standard normal CDF Φ(x) = ½(1 + erf(x/√2)) from `x` and `e = exp(−x²/2)`.
 * With `tail = ½·P(t)·e` (the A&S form of ½·erfc(|x|/√2), `t = 1/(1 + p·|x|/√2)`),
 * Φ = 1 − tail for x > 0 and tail otherwise (at 0 both are ½): written as
 * `|step(x) − tail|` (tail ≤ ½), since wasm's `sign` and `where` are slow.
 */
function normalCdf(x: tf.Tensor, e: tf.Tensor): tf.Tensor {
  const t = tf.div(1, tf.add(tf.mul(tf.abs(x), ERF_P * SQRT1_2), 1));
  let poly: tf.Tensor = tf.mul(t, ERF_A[4] / 2);
  for (let k = 3; k >= 0; k--) poly = tf.mul(tf.add(poly, ERF_A[k] / 2), t);
  const tail = tf.mul(poly, e);
  return tf.abs(tf.sub(tf.step(x), tail));
}

/**
 * Raw CI-MLP outputs `[rows, C]` for inner activations `h [rows, C]`, with
 * first-layer weights and biases `w1, b1 [C, d_gate]`, second-layer weights
 * `w2 [C, d_gate]` and output biases `b2 [C]`. Differentiable in all five.
 */
export const ciMlpFused: (
  h: tf.Tensor2D,
  w1: tf.Tensor2D,
  b1: tf.Tensor2D,
  w2: tf.Tensor2D,
  b2: tf.Tensor1D,
) => tf.Tensor2D = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  (h: any, w1: any, b1: any, w2: any, b2: any, save: any) => {
    const [rows, C] = (h as tf.Tensor2D).shape;
    if (fusedKernelApplies(rows, (w1 as tf.Tensor2D).shape[1])) {
      save([h, w1, b1, w2]);
      return {
        value: tf.engine().runKernel(CI_MLP_KERNEL, { h, w1, b1, w2, b2 }, {}) as tf.Tensor,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [h, w1, b1, w2] = saved;
          const grads = tf.engine().runKernel(CI_MLP_GRAD_KERNEL, { dy, h, w1, b1, w2 }, {});
          return [...(grads as tf.Tensor[]), tf.sum(dy, 0)];
        },
      };
    }
    // Temporaries are freed as soon as they are used, so the next op reuses their (cache-warm)
    // memory instead of touching fresh memory for every op.
    const [hE, pre, e, cdf, act, value] = tf.tidy(() => {
      const hE = tf.reshape(h, [rows, C, 1]);
      const pre = tf.add(tf.mul(hE, w1), b1); // [rows, C, G]
      const e = tf.exp(tf.mul(tf.square(pre), -0.5));
      const cdf = normalCdf(pre, e);
      const act = tf.mul(pre, cdf);
      return [hE, pre, e, cdf, act, tf.add(tf.sum(tf.mul(act, w2), 2), b2)];
    });
    save([hE, pre, e, cdf, act, w1, w2]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [hE, pre, e, cdf, act, w1, w2] = saved;
          const dyE = tf.reshape(dy, [rows, C, 1]);
          const dw2 = tf.sum(tf.mul(act, dyE), 0);
          // GELU'(x) = Φ(x) + x·φ(x), φ(x) = e/√(2π).
          const slope = tf.add(cdf, tf.mul(tf.mul(pre, e), INV_SQRT_2PI));
          const dPre = tf.mul(tf.mul(dyE, w2), slope);
          const db1 = tf.sum(dPre, 0);
          const dw1 = tf.sum(tf.mul(dPre, hE), 0);
          const dh = tf.sum(tf.mul(dPre, w1), 2);
          const db2 = tf.sum(dy, 0);
          return [dh, dw1, db1, dw2, db2];
        }),
    };
  },
) as unknown as (
  h: tf.Tensor2D,
  w1: tf.Tensor2D,
  b1: tf.Tensor2D,
  w2: tf.Tensor2D,
  b2: tf.Tensor1D,
) => tf.Tensor2D;
