import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { countFlops, initBackend, kernelFlops } from "../../mod.ts";

await initBackend("cpu");

Deno.test("kernelFlops: matMul 2·m·n·k, transposed or batched; elementwise per output; sums per input", () => {
  const k = (name: string, inputShapes: number[][], outputShapes: number[][]) =>
    kernelFlops({ name, inputShapes, outputShapes });
  assert.equal(k("BatchMatMul", [[7, 3], [3, 5]], [[7, 5]]), 2 * 7 * 5 * 3);
  assert.equal(k("BatchMatMul", [[3, 7], [3, 5]], [[7, 5]]), 2 * 7 * 5 * 3); // transposeA
  assert.equal(k("BatchMatMul", [[4, 7, 3], [4, 3, 5]], [[4, 7, 5]]), 4 * 2 * 7 * 5 * 3);
  assert.equal(k("Multiply", [[6, 4], [4]], [[6, 4]]), 24);
  assert.equal(k("Erf", [[6, 4]], [[6, 4]]), 24);
  assert.equal(k("SquaredDifference", [[6, 4], [6, 4]], [[6, 4]]), 48);
  assert.equal(k("Sum", [[6, 4]], [[4]]), 24);
  assert.equal(k("AddN", [[5], [5], [5]], [[5]]), 10);
  // Fused CI MLP, 7 rows x 3 components x 8 gate units: 51 / 61 per unit plus 4 / 3 per pair.
  assert.equal(k("PdbenchCiMlp", [[7, 3], [3, 8], [3, 8], [3, 8], [3]], [[7, 3]]), 21 * 412);
  assert.equal(
    k("PdbenchCiMlpGrad", [[7, 3], [7, 3], [3, 8], [3, 8], [3, 8]], [[7, 3], [3, 8], [3, 8], [
      3,
      8,
    ]]),
    21 * 491,
  );
  for (const name of ["Reshape", "Transpose", "Identity", "GatherV2", "forward"]) {
    assert.equal(k(name, [[6, 4]], [[4, 6]]), 0, name);
  }
});

Deno.test("countFlops over a profiled computation; unknown kernels are listed", async () => {
  const a = tf.ones([8, 3]), b = tf.ones([3, 2]);
  const info = await tf.profile(() => tf.sum(tf.relu(tf.matMul(a, b))));
  const c = countFlops(info.kernels);
  assert.equal(c.matmulFlops, 2 * 8 * 2 * 3);
  assert.equal(c.flops, 2 * 8 * 2 * 3 + 16 + 16);
  assert.equal(c.kernels, info.kernels.length);
  assert.deepEqual(
    countFlops([{ name: "Mystery", inputShapes: [], outputShapes: [[3]] }]).uncounted,
    [
      "Mystery",
    ],
  );
});
