import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  initBackend,
  lowerLeakyHardSigmoid,
  rngStream,
  upperLeakyHardSigmoid,
} from "../../../mod.ts";
import "../../../bench/methods/spd/losses.ts"; // registers the kernels

await initBackend("wasm");

const alpha = 0.01;
const rng = rngStream(6, "test-ci-gates");
const rows = 9, C = 8;
// Raw outputs around the hard sigmoids' kinks (0 and 1) and far from them.
const kinks = [-3, -1, -0, 0, 1e-7, 0.25, 0.5, 0.999, 1, 1.001, 1.5, 4, 1e-30, -1e-30, 7, -7];
const raw = tf.tensor2d(
  Float32Array.from({ length: rows * C }, (_, i) => i < 16 ? kinks[i] : 3 * rng.normal()),
  [rows, C],
);
const rFull = tf.tensor2d(rng.fillUniform(new Float32Array(rows * C)), [rows, C]);
const rLayer = tf.tensor2d(rng.fillUniform(new Float32Array(rows * C)), [rows, C]);
const attrs = { alpha, oneMinusAlpha: 1 - alpha };

const fused = (x: tf.Tensor) =>
  tf.engine().runKernel("PdbenchCiGates", { raw: x, rFull, rLayer }, attrs) as tf.Tensor[];
const ops = (x: tf.Tensor) => {
  const lower = lowerLeakyHardSigmoid(x, alpha);
  const mask = (r: tf.Tensor) => tf.add(lower, tf.mul(tf.sub(1, lower), r));
  return [lower, upperLeakyHardSigmoid(x, alpha), mask(rFull), mask(rLayer)];
};

Deno.test("wasm CI gates: importances and both masks are the op version's bits", () => {
  const got = fused(raw), want = ops(raw);
  ["lower", "upper", "maskFull", "maskLayer"].forEach((name, i) =>
    assert.deepEqual(Array.from(got[i].dataSync()), Array.from(want[i].dataSync()), name)
  );
});

Deno.test("wasm CI gates: the one-kernel gradient equals autodiff of the ops, kinks included", () => {
  const dys = [0, 1, 2, 3].map(() =>
    tf.tensor2d(rng.fillNormal(new Float32Array(rows * C)), [rows, C])
  );
  const loss = (f: (x: tf.Tensor) => tf.Tensor[]) => (x: tf.Tensor) =>
    tf.addN(f(x).map((y, i) => tf.sum(tf.mul(y, dys[i])))) as tf.Scalar;
  const got = tf.grad(loss(fused))(raw).dataSync(), want = tf.grad(loss(ops))(raw).dataSync();
  got.forEach((g, i) =>
    assert.ok(
      Math.abs(g - want[i]) <= 1e-6 * Math.max(1, Math.abs(want[i])),
      `dRaw[${i}]: ${g} vs ${want[i]}`,
    )
  );
  // Slopes at the kinks, one output at a time: lower has slope α below 0, 1 on (0, 1], 0 above.
  const slope = (k: number) => tf.grad((x: tf.Tensor) => tf.sum(fused(x)[k]))(raw).dataSync();
  const lower = slope(0), upper = slope(1);
  const a = Math.fround(alpha), above = Math.fround(1 - Math.fround(1 - alpha)); // float32 arithmetic
  // x = -3, 0, 0.25, 1, 1.001, 1.5 (and 4 for upper)
  assert.deepEqual([0, 3, 5, 8, 9, 10].map((i) => lower[i]), [a, a, 1, 1, 0, 0]);
  assert.deepEqual([0, 3, 5, 8, 9, 11].map((i) => upper[i]), [0, 0, 1, 1, above, above]);
});
