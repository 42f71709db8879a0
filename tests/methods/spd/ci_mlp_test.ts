import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { gelu, initBackend, rngStream } from "../../../mod.ts";
import { ciMlpFused } from "../../../bench/methods/spd/ci_mlp.ts";

await initBackend("cpu");

const rows = 37, C = 6, G = 5;
const rng = rngStream(4, "test-ci-mlp");
const t = (shape: number[], sd: number) =>
  tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, sd), shape);
const h = t([rows, C], 2) as tf.Tensor2D;
const w1 = t([C, G], 1.4) as tf.Tensor2D, b1 = t([C, G], 0.5) as tf.Tensor2D;
const w2 = t([C, G], 0.5) as tf.Tensor2D, b2 = t([C], 0.1) as tf.Tensor1D;
const dy = t([rows, C], 1) as tf.Tensor2D;

/** The composed-op reference: w2·GELU(h·w1 + b1) + b2 with TF.js's erf. */
function reference(
  h: tf.Tensor2D,
  w1: tf.Tensor2D,
  b1: tf.Tensor2D,
  w2: tf.Tensor2D,
  b2: tf.Tensor1D,
): tf.Tensor2D {
  const pre = tf.add(tf.mul(tf.expandDims(h, 2), w1), b1);
  return tf.add(tf.sum(tf.mul(gelu(pre), w2), 2), b2) as tf.Tensor2D;
}

function close(a: tf.Tensor, b: tf.Tensor, tol: number, what: string) {
  const x = a.dataSync(), y = b.dataSync();
  x.forEach((v, i) =>
    assert.ok(
      Math.abs(v - y[i]) <= tol * Math.max(1, Math.abs(v)),
      `${what}[${i}]: ${v} vs ${y[i]}`,
    )
  );
}

Deno.test("fused CI MLP: values equal the erf-GELU composition to float precision", () => {
  close(ciMlpFused(h, w1, b1, w2, b2), reference(h, w1, b1, w2, b2), 2e-6, "raw");
});

Deno.test("fused CI MLP: its hand-written gradient equals autodiff of the composition", () => {
  const f = (fn: typeof reference) =>
    tf.grads((a, b, c, d, e) =>
      tf.sum(
        tf.mul(
          fn(
            a as tf.Tensor2D,
            b as tf.Tensor2D,
            c as tf.Tensor2D,
            d as tf.Tensor2D,
            e as tf.Tensor1D,
          ),
          dy,
        ),
      )
    )([h, w1, b1, w2, b2]);
  const got = f(ciMlpFused), want = f(reference);
  ["h", "w1", "b1", "w2", "b2"].forEach((n, i) => close(got[i], want[i], 1e-5, `d${n}`));
});

Deno.test("fused CI MLP: the A&S normal CDF is exact at 0 and right in the far tails", () => {
  const x = tf.tensor2d([[0, 12, -12, 1e-30]]);
  const one = tf.ones([1, 1]) as tf.Tensor2D, zero = tf.zeros([1, 1]) as tf.Tensor2D;
  // One gate unit with w1 = 1, b1 = 0, w2 = 1, b2 = 0: raw = GELU(h).
  const raw = ciMlpFused(
    tf.reshape(x, [4, 1]) as tf.Tensor2D,
    one,
    zero,
    one,
    tf.zeros([1]) as tf.Tensor1D,
  ).dataSync();
  assert.deepEqual(Array.from(raw).slice(0, 2), [0, 12]);
  assert.ok(raw[2] <= 0 && raw[2] > -1e-30, `GELU(-12) = ${raw[2]}`); // true value −2.2e-32
  assert.ok(Math.abs(raw[3] - 0.5e-30) < 1e-36);
});
