import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../mod.ts";

await initBackend("wasm");

Deno.test("wasm Identity shares memory: clone allocates no buffer; each copy outlives the other", () => {
  const a = tf.tensor1d([1, 2, 3]);
  const buffers = tf.engine().backend.numDataIds();
  const b = tf.clone(a);
  assert.equal(tf.engine().backend.numDataIds(), buffers);
  a.dispose();
  assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3]);
  const c = tf.add(b, 1);
  b.dispose();
  assert.deepEqual(Array.from(c.dataSync()), [2, 3, 4]);
  c.dispose();
});

Deno.test("wasm Identity: gradients through saved tensors are unchanged", () => {
  const x = tf.tensor1d([0.5, -1, 2]);
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.exp(v), tf.square(v))))(x);
  const want = [0.5, -1, 2].map((v) => Math.exp(v) * (v * v + 2 * v));
  g.dataSync().forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5 * Math.abs(want[i])));
});
