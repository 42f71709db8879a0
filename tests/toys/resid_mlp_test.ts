import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  initBackend,
  type NamedArray,
  RESID_MLP_1,
  RESID_MLP_3,
  residMlpToy,
  residPassThroughLoss,
  targetLayer,
} from "../../mod.ts";

await initBackend("wasm");

const tiny = { ...RESID_MLP_1, nFeatures: 3, dEmbed: 4, dMlp: 2, steps: 30, batchSize: 64 };
const toy = residMlpToy("tiny", "test", tiny);

Deno.test("the pass-through loss is p/6 (E[ReLU(v)²] = 1/6 for v ~ U[−1, 1])", () => {
  assert.ok(Math.abs(residPassThroughLoss(0.01) - 0.01 / 6) < 1e-15);
});

Deno.test("trained target: unit-norm embedding rows, shapes, determinism per seed", async () => {
  const a = await toy.trainTarget(0);
  const b = await toy.trainTarget(0);
  assert.deepEqual(a["W_E"].shape, [3, 4]);
  assert.deepEqual(a["layers.0.mlp_in"].shape, [4, 2]);
  assert.deepEqual(a["layers.0.mlp_out"].shape, [2, 4]);
  for (let i = 0; i < 3; i++) {
    const row = a["W_E"].data.subarray(4 * i, 4 * i + 4);
    const n = Math.hypot(...row);
    assert.ok(Math.abs(n - 1) < 1e-6, `row ${i} norm ${n}`);
  }
  assert.deepEqual(Array.from(a["layers.0.mlp_in"].data), Array.from(b["layers.0.mlp_in"].data));
});

Deno.test("forward: r = x·W_E; r += ReLU(r·W_in)·W_out; out = r·W_Eᵀ (hand-computed)", () => {
  // W_E = first 3 rows of I4, so r = [x, 0]; W_in picks r0 − r1 into neuron 0 and r2 into neuron 1;
  // W_out writes neuron 0 to dim 0 (×2) and neuron 1 to dim 2 (×−1).
  const t: Record<string, NamedArray> = {
    W_E: { shape: [3, 4], data: Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]) },
    "layers.0.mlp_in": { shape: [4, 2], data: Float32Array.from([1, 0, -1, 0, 0, 1, 0, 0]) },
    "layers.0.mlp_out": { shape: [2, 4], data: Float32Array.from([2, 0, 0, 0, 0, 0, -1, 0]) },
  };
  const model = toy.buildModel(t);
  assert.deepEqual(model.layers.map((l) => l.name), ["layers.0.mlp_in", "layers.0.mlp_out"]);
  const out = tf.tidy(() =>
    model.forward(tf.tensor2d([[0.5, 0.2, 0.4], [-0.5, 0, -1]]), targetLayer).arraySync()
  );
  // Row 1: h = [relu(0.3), relu(0.4)] = [0.3, 0.4] → r += [0.6, 0, −0.4, 0] → [1.1, 0.2, 0].
  // Row 2: h = [relu(−0.5), relu(−1)] = 0 → out = x.
  const expected = [[1.1, 0.2, 0], [-0.5, 0, -1]];
  out.forEach((row, i) =>
    row.forEach((v, j) => assert.ok(Math.abs(v - expected[i][j]) < 1e-6, `${i},${j}: ${v}`))
  );
  model.dispose();
});

Deno.test("ground truth: identity on mlp_in, dense d_mlp on mlp_out, per layer", () => {
  const three = residMlpToy("r3", "test", RESID_MLP_3).groundTruth({});
  assert.equal(three.features, null);
  assert.deepEqual(Object.keys(three.ciPatterns), [
    "layers.0.mlp_in",
    "layers.0.mlp_out",
    "layers.1.mlp_in",
    "layers.1.mlp_out",
    "layers.2.mlp_in",
    "layers.2.mlp_out",
  ]);
  assert.deepEqual(three.ciPatterns["layers.2.mlp_out"], { kind: "dense", k: 17 });
  assert.deepEqual(three.ciPatterns["layers.0.mlp_in"], { kind: "identity" });
});

Deno.test("forwardFromFirstLayer from the embedding gives exactly forward's output", async () => {
  const model = toy.buildModel(await toy.trainTarget(0));
  const x = tf.tensor2d([[0.5, 0, -0.25], [0, 0, 0], [1, 0.75, 0]]);
  const embedded = tf.tidy(() => {
    let first: tf.Tensor2D | null = null;
    model.forward(x, (layer, input) => {
      first ??= tf.keep(input);
      return targetLayer(layer, input);
    });
    return first!;
  });
  const a = model.forward(x, targetLayer).dataSync();
  const b = model.forwardFromFirstLayer!(embedded, targetLayer).dataSync();
  assert.deepEqual(Array.from(b), Array.from(a));
  model.dispose();
});

Deno.test("linearReadout: only the last mlp_out, and output = rest + its output · W_U", async () => {
  const two = residMlpToy("tiny2", "test", { ...tiny, nLayers: 2 });
  const model = two.buildModel(await two.trainTarget(0));
  const names = model.layers.map((l) => l.name);
  assert.deepEqual(
    names.map((n) => model.linearReadout!(n) !== null),
    [false, false, false, true],
    "layers.1.mlp_out alone reaches the output linearly",
  );
  const x = tf.tensor2d([[0.5, 0, -0.25], [0.1, -0.9, 0.3], [1, 0.75, 0]]);
  const last = names[3];
  const [full, split] = tf.tidy(() => {
    let lastOut: tf.Tensor2D | null = null;
    const full = model.forward(x, (layer, input) => {
      const y = targetLayer(layer, input);
      if (layer.name === last) lastOut = y;
      return y;
    });
    const rest = model.forward(
      x,
      (layer, input) =>
        layer.name === last ? tf.zerosLike(targetLayer(layer, input)) : targetLayer(layer, input),
    );
    return [full, tf.add(rest, tf.matMul(lastOut!, model.linearReadout!(last)!))];
  });
  const a = full.arraySync() as number[][], b = split.arraySync() as number[][];
  a.forEach((row, i) =>
    row.forEach((v, j) => assert.ok(Math.abs(v - b[i][j]) < 1e-6, `${i},${j}: ${v} vs ${b[i][j]}`))
  );
  model.dispose();
});
