import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { gelu, initBackend, rngStream } from "../../../mod.ts";
import { ciMlpFused } from "../../../bench/methods/spd/ci_mlp.ts";

await initBackend("wasm");

const rng = rngStream(5, "test-ci-mlp-wasm");
const t = (shape: number[], sd: number) =>
  tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, sd), shape);
type Args = [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
const args = (rows: number, C: number, G: number): Args => [
  t([rows, C], 2) as tf.Tensor2D,
  t([C, G], 1.4) as tf.Tensor2D,
  t([C, G], 0.5) as tf.Tensor2D,
  t([C, G], 0.5) as tf.Tensor2D,
  t([C], 0.1) as tf.Tensor1D,
];

/** The composed-op reference with TF.js's erf: w2·GELU(h·w1 + b1) + b2. */
function reference(...[h, w1, b1, w2, b2]: Args): tf.Tensor2D {
  const pre = tf.add(tf.mul(tf.expandDims(h, 2), w1), b1);
  return tf.add(tf.sum(tf.mul(gelu(pre), w2), 2), b2) as tf.Tensor2D;
}

function close(a: tf.Tensor, b: tf.Tensor, tol: number, what: string) {
  const x = a.dataSync(), y = b.dataSync();
  assert.equal(x.length, y.length, what);
  x.forEach((v, i) =>
    assert.ok(
      Math.abs(v - y[i]) <= tol * Math.max(1, Math.abs(y[i])),
      `${what}[${i}]: ${v} vs ${y[i]}`,
    )
  );
}

const kernelNames = async (f: () => tf.Tensor) =>
  new Set((await tf.profile(() => f())).kernels.map((k) => k.name));

Deno.test("wasm: d_gate a multiple of 4 runs the fused SIMD kernels, otherwise the ops", async () => {
  const a8 = args(9, 3, 8), a5 = args(9, 3, 5);
  assert.ok((await kernelNames(() => ciMlpFused(...a8))).has("PdbenchCiMlp"));
  assert.ok(!(await kernelNames(() => ciMlpFused(...a5))).has("PdbenchCiMlp"));
  const grad = (a: Args) => () =>
    tf.grad((h: tf.Tensor) =>
      tf.sum(
        ciMlpFused(
          h as tf.Tensor2D,
          ...a.slice(1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D],
        ),
      )
    )(a[0]);
  assert.ok((await kernelNames(grad(a8))).has("PdbenchCiMlpGrad"));
});

Deno.test("wasm fused kernel: values equal the erf-GELU composition to float precision", () => {
  for (const [rows, C, G] of [[37, 6, 8], [1, 1, 4], [300, 20, 16]]) {
    const a = args(rows, C, G);
    close(ciMlpFused(...a), reference(...a), 3e-6, `raw ${rows}x${C}x${G}`);
  }
});

Deno.test("wasm fused kernel: its gradient equals autodiff of the composition", () => {
  const a = args(37, 6, 8);
  const dy = t([37, 6], 1);
  const grads = (fn: (...x: Args) => tf.Tensor2D) =>
    tf.grads((...x: tf.Tensor[]) => tf.sum(tf.mul(fn(...x as Args), dy)))(a);
  const got = grads(ciMlpFused), want = grads(reference);
  ["h", "w1", "b1", "w2", "b2"].forEach((n, i) => close(got[i], want[i], 2e-5, `d${n}`));
});

Deno.test("wasm fused kernel: exact at 0, right in the far tails, finite for huge inputs", () => {
  // One component of 4 gate units, w1 = (1, 0, 0, 0), w2 = (1, 0, 0, 0): raw = GELU(h).
  const x = [0, 12, -12, 1e-30, 100, -100, 1e20, -1e20];
  const w = tf.tensor2d([[1, 0, 0, 0]]);
  const a: Args = [tf.tensor2d(x, [8, 1]), w, tf.zeros([1, 4]), w, tf.zeros([1]) as tf.Tensor1D];
  const raw = ciMlpFused(...a).dataSync();
  assert.deepEqual([raw[0], raw[1], raw[4], raw[6]], [0, 12, 100, Math.fround(1e20)]);
  assert.ok(raw[2] <= 0 && raw[2] > -1e-30, `GELU(-12) = ${raw[2]}`); // true value −2.2e-32
  assert.ok(Math.abs(raw[3] - 0.5e-30) < 1e-36, `GELU(1e-30) = ${raw[3]}`);
  // exp(−pre²/2) is exactly 0 once pre²/2 > 80, so the far negative tail is exactly 0.
  assert.deepEqual([raw[5], raw[7]].map(Math.abs), [0, 0]);
  const dh = tf.grad((h: tf.Tensor) =>
    tf.sum(
      ciMlpFused(
        h as tf.Tensor2D,
        ...a.slice(1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D],
      ),
    )
  )(a[0]).dataSync();
  // GELU'(0) = ½, GELU'(±12) = 1 / 0 to float precision, and no NaN anywhere.
  assert.equal(dh[0], 0.5);
  assert.deepEqual([dh[1], dh[4], dh[6]], [1, 1, 1]);
  assert.ok(Math.abs(dh[2]) < 1e-30, `GELU'(-12) = ${dh[2]}`);
  assert.deepEqual([dh[5], dh[7]].map(Math.abs), [0, 0]);
});

Deno.test("wasm fused kernel: 4, 8 or 16 gate units per iteration give the same bits", () => {
  const [h, w1, b1, w2, b2] = args(50, 7, 16);
  const dy = t([50, 7], 1);
  const run = (groups: number) =>
    [
      tf.engine().runKernel("PdbenchCiMlp", { h, w1, b1, w2, b2 }, { groups }) as tf.Tensor,
      ...tf.engine().runKernel("PdbenchCiMlpGrad", { dy, h, w1, b1, w2 }, {
        groups,
      }) as tf.Tensor[],
    ].map((x) => Array.from(x.dataSync()));
  const one = run(1);
  assert.deepEqual(run(2), one);
  assert.deepEqual(run(4), one);
  assert.throws(
    () => tf.engine().runKernel("PdbenchCiMlp", { h, w1, b1, w2, b2 }, { groups: 3 }),
    /PdbenchCiMlp: groups must be one of 1, 2, 4 and divide d_gate \/ 4 = 4; got 3/,
  );
});
