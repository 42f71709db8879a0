import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { batchTopkMask, initBackend, perSampleTopkMask, topkCount } from "../../../mod.ts";

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`batch top-k (${backend}): exactly k ones, at the largest scores`, async () => {
    await initBackend(backend);
    const scores = tf.tensor2d([[0.5, 3, 0], [2, 0, 0.1], [0, 0, 4]]);
    const mask = batchTopkMask(scores, 3);
    assert.deepEqual(await mask.array(), [[0, 1, 0], [1, 0, 0], [0, 0, 1]]);
    tf.dispose([scores, mask]);
  });

  Deno.test(`batch top-k (${backend}): ties at zero never over-select`, async () => {
    await initBackend(backend);
    // 2 non-zero scores among 60 zeros (all-zero inputs), k = 5: a "score >= 5th value"
    // rule would select all 62 entries; exact indices select 5.
    const data = new Float32Array(62);
    data[7] = 0.3;
    data[40] = 0.9;
    const scores = tf.tensor2d(data, [31, 2]);
    const mask = batchTopkMask(scores, 5);
    const m = Array.from(await mask.data());
    assert.equal(m.reduce((s, v) => s + v, 0), 5);
    assert.equal(m[7], 1);
    assert.equal(m[40], 1);
    tf.dispose([scores, mask]);
  });

  Deno.test(`per-sample top-k (${backend}): k ones per row, ties included`, async () => {
    await initBackend(backend);
    const scores = tf.tensor2d([[1, 5, 3, 0], [0, 0, 0, 0], [2, 2, 2, 7]]);
    const mask = perSampleTopkMask(scores, 2);
    const rows = await mask.array();
    assert.deepEqual(rows.map((r) => r.reduce((s, v) => s + v, 0)), [2, 2, 2]);
    assert.deepEqual(rows[0], [0, 1, 1, 0]);
    assert.equal(rows[2][3], 1);
    tf.dispose([scores, mask]);
  });
}

Deno.test("top-k counts: floor(topk · batch), as the reference (apd.md §3)", () => {
  assert.equal(topkCount(0.211, 2048), 432);
  assert.equal(topkCount(1.28, 256), 327);
  assert.equal(topkCount(1.28, 2048), 2621);
  assert.equal(topkCount(1, 2048), 2048);
});

Deno.test("top-k: k outside [1, B·C] is rejected", async () => {
  await initBackend("cpu");
  const scores = tf.zeros([2, 2]) as tf.Tensor2D;
  assert.throws(() => batchTopkMask(scores, 0), /k must be an integer in \[1, 4\]/);
  assert.throws(() => batchTopkMask(scores, 5), /k must be an integer in \[1, 4\]/);
  assert.throws(() => perSampleTopkMask(scores, 3), /k must be an integer in \[1, 2\]/);
  scores.dispose();
});
