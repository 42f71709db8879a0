import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Adam, initBackend, rngStream } from "../../mod.ts";

await initBackend("wasm");

/** The op-by-op update of `adam.ts` (the plain computation the fused kernel must equal). */
function opStep(
  p: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  t: number,
  lr: number,
  wd: number,
): tf.Tensor[] {
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  const stepSize = lr / (1 - beta1 ** t), rootBc2 = Math.sqrt(1 - beta2 ** t);
  const mNew = m.mul(beta1).add(g.mul(1 - beta1));
  const vNew = v.mul(beta2).add(g.square().mul(1 - beta2));
  const denom = vNew.sqrt().div(rootBc2).add(eps);
  const decayed = wd === 0 ? p : p.mul(1 - lr * wd);
  return [decayed.sub(mNew.div(denom).mul(stepSize)), mNew, vNew];
}

Deno.test("wasm: the fused Adam kernel gives the op version's bits, any size, with and without decay", async () => {
  const rng = rngStream(3, "test-adam-wasm");
  const normal = (n: number, sd: number) => rng.fillNormal(new Float32Array(n), 0, sd);
  for (const wd of [0, 0.1]) {
    // Sizes cover the scalar tail (1, 3), whole vectors (8) and both (37).
    const shapes = [[1], [3], [2, 4], [37]];
    const init = shapes.map((s) => normal(s.reduce((a, b) => a * b, 1), 1));
    const vars = shapes.map((s, i) => tf.variable(tf.tensor(init[i], s)));
    const adam = new Adam(vars, { weightDecay: wd });
    let ref = shapes.map((s, i) => [tf.tensor(init[i], s), tf.zeros(s), tf.zeros(s)]);
    for (let t = 1; t <= 4; t++) {
      const lr = 1e-3 * t;
      const grads = shapes.map((s) => tf.tensor(normal(s.reduce((a, b) => a * b, 1), 0.1 * t), s));
      const kernels = (await tf.profile(() => adam.step(grads, lr))).kernels.map((k) => k.name);
      assert.deepEqual(
        new Set(kernels),
        new Set(["PdbenchAdam"]),
        `step ${t}: one kernel per variable`,
      );
      assert.equal(kernels.length, shapes.length);
      ref = ref.map(([p, m, v], i) => opStep(p, grads[i], m, v, t, lr, wd));
      vars.forEach((x, i) =>
        assert.deepEqual(
          Array.from(x.dataSync()),
          Array.from(ref[i][0].dataSync()),
          `p ${i} step ${t}`,
        )
      );
      const state = await adam.state();
      state.m.forEach((m, i) => assert.deepEqual(Array.from(m), Array.from(ref[i][1].dataSync())));
      state.v.forEach((v, i) => assert.deepEqual(Array.from(v), Array.from(ref[i][2].dataSync())));
    }
  }
});
