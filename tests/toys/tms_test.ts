import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  initBackend,
  type NamedArray,
  targetLayer,
  TMS_5_2,
  TMS_5_2_ID,
  tmsToy,
  tmsTrivialLoss,
  type Toy,
  trainHealthyTarget,
} from "../../mod.ts";
import { PENTAGON_BIAS, PENTAGON_RADIUS, pentagonTensors } from "../helpers/pentagon.ts";

await initBackend("wasm");

const toy = tmsToy("tms_5-2", "test", TMS_5_2);

Deno.test("trivial TMS loss is p/3 (0.01667 at p = 0.05, the dead-target value in spd.md §13)", () => {
  assert.ok(Math.abs(tmsTrivialLoss(0.05) - 0.0166667) < 1e-6);
});

Deno.test("TMS forward: one-hot 0.75 through the pentagon gives relu(0.75·r² + b) on the diagonal", () => {
  const model = toy.buildModel(pentagonTensors());
  const out = tf.tidy(() =>
    model.forward(tf.eye(5).mul(0.75) as tf.Tensor2D, targetLayer).arraySync()
  );
  const diag = 0.75 * PENTAGON_RADIUS ** 2 + PENTAGON_BIAS; // 0.7077
  // Neighbour at 72°: 0.75·r²·cos72° − 0.25 = 0.0459; at 144°: negative, so 0.
  const neighbour = Math.max(
    0,
    0.75 * PENTAGON_RADIUS ** 2 * Math.cos((2 * Math.PI) / 5) + PENTAGON_BIAS,
  );
  for (let i = 0; i < 5; i++) {
    assert.ok(Math.abs(out[i][i] - diag) < 1e-5, `diag ${out[i][i]}`);
    assert.ok(Math.abs(out[i][(i + 1) % 5] - neighbour) < 1e-5, `neighbour ${out[i][(i + 1) % 5]}`);
    assert.equal(out[i][(i + 2) % 5], 0);
  }
  model.dispose();
});

Deno.test("TMS+ID adds a fixed 2x2 identity layer with a dense pattern of k = 2", () => {
  const idToy = tmsToy("tms_5-2-id", "test", TMS_5_2_ID);
  const model = idToy.buildModel(pentagonTensors());
  assert.deepEqual(model.layers.map((l) => l.name), ["linear1", "hidden_layers.0", "linear2"]);
  assert.deepEqual(Array.from(model.layers[1].weight.dataSync()), [1, 0, 0, 1]);
  assert.deepEqual(idToy.groundTruth(pentagonTensors()).ciPatterns["hidden_layers.0"], {
    kind: "dense",
    k: 2,
  });
  model.dispose();
});

Deno.test("health: the pentagon passes; a dead feature column fails with its norm", async () => {
  const good = await toy.checkHealth(pentagonTensors());
  assert.equal(good.healthy, true, good.failures.join("; "));
  assert.ok(Math.abs(good.measures.minColumnNorm - PENTAGON_RADIUS) < 1e-6);
  assert.ok(good.measures.evalLoss < 0.5 * good.measures.trivialLoss);
  const dead = pentagonTensors();
  dead.W.data[4] = 0;
  dead.W.data[5] = 0; // feature 2's column
  const bad = await toy.checkHealth(dead);
  assert.equal(bad.healthy, false);
  assert.match(bad.failures[0], /dead feature: min column norm 0\.0000/);
});

function fakeToy(healthyFromSeed: number): Toy {
  return {
    ...toy,
    id: "fake",
    trainTarget: (seed: number) =>
      Promise.resolve(
        { s: { shape: [1], data: Float32Array.of(seed) } } as Record<string, NamedArray>,
      ),
    checkHealth: (t) => {
      const ok = t.s.data[0] >= healthyFromSeed;
      return Promise.resolve({ healthy: ok, failures: ok ? [] : ["unlucky"], measures: {} });
    },
  };
}

Deno.test("trainHealthyTarget tries seed, seed+1, … and records every attempt", async () => {
  const t = await trainHealthyTarget(fakeToy(7), 5);
  assert.equal(t.seedRequested, 5);
  assert.equal(t.seedUsed, 7);
  assert.deepEqual(t.attempts.map((a) => [a.seed, a.health.healthy]), [[5, false], [6, false], [
    7,
    true,
  ]]);
  await assert.rejects(
    trainHealthyTarget(fakeToy(100), 0),
    /toy 'fake': no healthy target in 10 seeds from 0/,
  );
});

Deno.test("TMS 5-2 target training is deterministic per seed", async () => {
  const short = tmsToy("short", "test", { ...TMS_5_2, steps: 50, batchSize: 64 });
  const a = await short.trainTarget(3);
  const b = await short.trainTarget(3);
  const c = await short.trainTarget(4);
  assert.deepEqual(Array.from(a.W.data), Array.from(b.W.data));
  assert.notDeepEqual(Array.from(a.W.data), Array.from(c.W.data));
});
