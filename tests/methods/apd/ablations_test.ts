import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  ablationMetrics,
  APD_TMS_5_2,
  apdAblations,
  apdMethod,
  type ApdParams,
  initBackend,
  RESID_MLP_1,
  residMlpToy,
  rngStream,
  rowArgmax,
  sampleSparseFeatures,
  scoreRun,
  SCRUB_DATAPOINTS,
  type TargetModel,
  TOP1_DATAPOINTS_PER_FEATURE,
} from "../../../mod.ts";
import { fixedApdParams } from "../../helpers/fixed_apd_params.ts";

await initBackend("cpu");

// A 1-layer residual MLP whose computation is separable by feature: orthonormal embedding rows
// e_i (W_E = [I₄ | 0]), neuron j reads feature j, and writes a_j·e_j back. Output_i = x_i + a_i·relu(x_i).
const n = 4, d = 6;
const a = [1.5, -0.7, 0.9, 2];
const unit = (len: number, i: number) => Array.from({ length: len }, (_, k) => k === i ? 1 : 0);
const tensors = {
  W_E: { shape: [n, d], data: Float32Array.from(a.flatMap((_, i) => unit(d, i))) },
  "layers.0.mlp_in": {
    shape: [d, n],
    data: Float32Array.from(Array.from({ length: d }, (_, r) => unit(n, r)).flat()),
  },
  "layers.0.mlp_out": {
    shape: [n, d],
    data: Float32Array.from(a.flatMap((aj, j) => unit(d, j).map((v) => v * aj))),
  },
};
const data = { nFeatures: n, featureProb: 0.3, lo: -1, hi: 1 };
const cfg = { ...APD_TMS_5_2, batchSize: 50, attributionSource: "target" as const };

/**
 * Rank-1 components: component c < 4 is feature c's neuron (its mlp_in column and mlp_out row).
 * With `split`, a fifth component takes half of feature 0's mlp_out row from component 0.
 */
function featureComponents(model: TargetModel, split: boolean): ApdParams {
  const C = split ? 5 : 4;
  const outRow = (c: number) =>
    c === 4
      ? unit(d, 0).map((v) => v * a[0] / 2)
      : unit(d, c).map((v) => v * a[c] * (split && c === 0 ? 0.5 : 1));
  const factors = [
    // mlp_in: A [d, C] columns e_c (none for the fifth), B [C, n] rows e_c.
    [
      tf.tensor2d(
        Array.from(
          { length: d },
          (_, r) => Array.from({ length: C }, (_, c) => c < 4 && r === c ? 1 : 0),
        ),
      ),
      tf.tensor2d(Array.from({ length: C }, (_, c) => unit(n, c).map((v) => c < 4 ? v : 0))),
    ],
    // mlp_out: A [n, C] columns e_c (the fifth shares neuron 0), B [C, d] the out rows.
    [
      tf.tensor2d(
        Array.from(
          { length: n },
          (_, r) => Array.from({ length: C }, (_, c) => r === c % 4 ? 1 : 0),
        ),
      ),
      tf.tensor2d(Array.from({ length: C }, (_, c) => outRow(c))),
    ],
  ] as [tf.Tensor2D, tf.Tensor2D][];
  return fixedApdParams(model, C, 1, factors);
}

Deno.test("ablations: per-feature components give zero top-1 error and zero scrubbed loss; anti-scrubbing removes every active feature's ReLU part", async () => {
  const model = residMlpToy("r", "", { ...RESID_MLP_1, nFeatures: n, dEmbed: d, dMlp: n })
    .buildModel(tensors);
  const params = featureComponents(model, false);
  const got = await apdAblations(model, params, cfg, data, Int32Array.from([0, 1, 2, 3]));
  got.top1RelativeError.forEach((e, i) => assert.ok(e < 1e-12, `feature ${i}: ${e}`));
  assert.ok(got.scrubbedMse < 1e-12, `scrubbed ${got.scrubbedMse}`);
  // Anti-scrubbed output_i = x_i: the error is Σ_i (a_i relu(x_i))² over the same datapoints.
  const xs = sampleSparseFeatures(data, SCRUB_DATAPOINTS, rngStream(0, "eval-scrub-data"));
  let sum = 0;
  xs.forEach((x, k) => sum += (a[k % n] * Math.max(0, x)) ** 2);
  const expected = sum / (SCRUB_DATAPOINTS * n);
  assert.ok(expected > 0.01, "the test data must activate features");
  assert.ok(
    Math.abs(got.antiScrubbedMse / expected - 1) < 1e-5,
    `${got.antiScrubbedMse} vs ${expected}`,
  );
  const metrics = ablationMetrics(got);
  assert.equal(metrics["features_top1_rel_error_above_0.1"].value, 0);
  assert.equal(metrics.anti_scrubbed_mse.direction, "higher");
  params.dispose();
  model.dispose();
});

Deno.test("ablations: a feature split over two components loses the other's half under top-1", async () => {
  const model = residMlpToy("r", "", { ...RESID_MLP_1, nFeatures: n, dEmbed: d, dMlp: n })
    .buildModel(tensors);
  const params = featureComponents(model, true);
  const got = await apdAblations(model, params, cfg, data, Int32Array.from([0, 1, 2, 3]));
  // Feature 0: component 0 (mlp_in and half the mlp_out row) has 3× component 4's attribution, so
  // top-1 keeps it and the output misses a_0·relu(x)/2; output = x + a_0·relu(x).
  const S = TOP1_DATAPOINTS_PER_FEATURE;
  const values = rngStream(0, "eval-top1").fillUniform(new Float32Array(n * S), -1, 1);
  let err = 0, energy = 0;
  for (const v of values.subarray(0, S)) {
    err += (a[0] * Math.max(0, v) / 2) ** 2;
    energy += (v + a[0] * Math.max(0, v)) ** 2;
  }
  assert.ok(err / energy > 0.05, "the test values must include positive ones");
  assert.ok(
    Math.abs(got.top1RelativeError[0] / (err / energy) - 1) < 1e-5,
    `${got.top1RelativeError[0]}`,
  );
  for (let i = 1; i < n; i++) assert.ok(got.top1RelativeError[i] < 1e-12, `feature ${i}`);
  params.dispose();
  model.dispose();
});

Deno.test("apd method on a residual MLP: the ablation tests reach the scores", async () => {
  const model = residMlpToy("r", "", { ...RESID_MLP_1, nFeatures: n, dEmbed: d, dMlp: n })
    .buildModel(tensors);
  const result = await apdMethod.run(model, data, { ...cfg, C: 4, rank: 1, topk: 1, steps: 2 }, 0);
  model.dispose();
  const names = Object.keys(result.extraMetrics ?? {});
  assert.deepEqual(names, [
    "top1_rel_error_mean",
    "top1_rel_error_max",
    "features_top1_rel_error_above_0.1",
    "scrubbed_mse",
    "anti_scrubbed_mse",
  ]);
  const metrics = scoreRun({ ciPatterns: {}, features: null, residual: null }, result);
  for (const name of names) assert.deepEqual(metrics[name], result.extraMetrics![name]);
});

Deno.test("rowArgmax: the first largest entry of each row", () => {
  assert.deepEqual([...rowArgmax(Float32Array.from([0, 2, 2, 5, 1, 0, 0, 0, 0]), 3, 3)], [1, 0, 0]);
});
