import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  APD_TMS_5_2,
  apdLosses,
  type ApdParams,
  decomposedParamCount,
  faithfulnessLoss,
  initBackend,
  type LinearLayer,
  maskedLayer,
  passWithActivations,
  RESID_MLP_1,
  residMlpToy,
  rngStream,
  schattenPerComponent,
  simplicityLoss,
  targetLayer,
} from "../../../mod.ts";
import { fixedApdParams } from "../../helpers/fixed_apd_params.ts";

await initBackend("cpu");

/** A one-layer ApdParams from explicit stacked factors A `[dIn, C·m]`, B `[C·m, dOut]`. */
function handParams(
  a: number[][],
  b: number[][],
  C: number,
  rank: number,
  weight: number[][] = [[0]],
): ApdParams {
  const A = tf.tensor2d(a), B = tf.tensor2d(b);
  const target: LinearLayer = {
    name: "w",
    dIn: a.length,
    dOut: b[0].length,
    weight: tf.tensor2d(weight),
    bias: null,
  };
  return {
    C,
    rank,
    layers: [{ target, a: () => A, b: () => B, aVar: null }],
    variables: [],
    dispose: () => tf.dispose([A, B, target.weight]),
  };
}

const scalar = (t: tf.Tensor) => t.dataSync()[0];

Deno.test("Schatten surrogate equals the nuclear norm when the factors align with the SVD", () => {
  // Orthogonal A columns (1,1), (1,−1) and orthogonal B rows (2,0), (0,0.5): P = [[2, .5], [2, −.5]],
  // whose singular values are ‖a_j‖·‖b_j‖ = 2√2 and √2/2. SVD-free 2×2 nuclear norm:
  // ‖P‖_* = sqrt(‖P‖_F² + 2|det P|) = sqrt(8.5 + 4).
  const params = handParams([[1, 1], [1, -1]], [[2, 0], [0, 0.5]], 1, 2);
  const nuclear = Math.sqrt(8.5 + 2 * Math.abs(2 * -0.5 - 0.5 * 2));
  const p1 = scalar(schattenPerComponent(params, 1, 0));
  assert.ok(Math.abs(p1 - nuclear) < 1e-5, `${p1} vs ${nuclear}`);
  const p09 = scalar(schattenPerComponent(params, 0.9, 0));
  const expected = (2 * Math.SQRT2) ** 0.9 + (Math.SQRT2 / 2) ** 0.9;
  assert.ok(Math.abs(p09 - expected) < 1e-5, `${p09} vs ${expected}`);
  params.dispose();
});

Deno.test("Schatten surrogate bounds the nuclear norm from above for unaligned factors", () => {
  // P = A·I = [[1, 1], [0, 1]]: ‖P‖_* = sqrt(3 + 2) = √5 < ‖(1,0)‖ + ‖(1,1)‖ = 1 + √2.
  const params = handParams([[1, 1], [0, 1]], [[1, 0], [0, 1]], 1, 2);
  const s = scalar(schattenPerComponent(params, 1, 0));
  assert.ok(Math.abs(s - (1 + Math.SQRT2)) < 1e-6);
  assert.ok(s > Math.sqrt(5));
  params.dispose();
});

Deno.test("simplicity: masked sum over (datapoint, component) with the reference's ε and N·B", () => {
  // Two components of rank 1 in a 2→2 layer; λ²(c) = ‖A col‖²·‖B row‖².
  const a = [[1, 0], [2, 3]];
  const b = [[1, 1], [0, 2]];
  const params = handParams(a, b, 2, 1);
  const mask = [[1, 0], [1, 1], [0, 0]];
  const p = 0.9, eps = 1e-4, N = 7, B = 3;
  const lam2 = [(1 + 4) * 2, (0 + 9) * 4];
  let expected = 0;
  for (const row of mask) {
    row.forEach((s, c) => expected += (lam2[c] * s + eps) ** (p / 2));
  }
  expected /= N * B;
  const got = scalar(simplicityLoss(params, tf.tensor2d(mask), p, eps, N));
  assert.ok(Math.abs(got - expected) < 1e-6 * expected, `${got} vs ${expected}`);
  params.dispose();
});

Deno.test("faithfulness: squared error of Σ_c P_c summed over entries, divided by N", () => {
  // A = ones(2×3), B = ones(3×2): Σ P = 3·ones(2×2); against ones, (3−1)² = 4 per entry.
  const ones = (r: number, c: number) => Array.from({ length: r }, () => new Array(c).fill(1));
  const params = handParams(ones(2, 3), ones(3, 2), 3, 1, ones(2, 2));
  assert.equal(scalar(faithfulnessLoss(params, 4)), 4);
  assert.equal(scalar(faithfulnessLoss(params, 12)), Math.fround(16 / 12));
  params.dispose();
});

Deno.test("masked layer: only the selected components, per datapoint", () => {
  // C = 2, m = 1: P_0 = (1, 2)ᵀ(1, 0), P_1 = (0, 1)ᵀ(0, 5).
  const params = handParams([[1, 0], [2, 1]], [[1, 0], [0, 5]], 2, 1);
  const x = tf.tensor2d([[1, 1], [1, 1], [1, 1]]);
  const mask = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
  const y = maskedLayer(params.layers[0], x, mask, 1).arraySync();
  assert.deepEqual(y, [[3, 0], [0, 5], [3, 5]]);
  params.dispose();
});

Deno.test("residual MLP: exact factors give zero losses; an empty mask gives act-recon = mean Σ relu(u)² / d_mlp", () => {
  const cfg = { ...RESID_MLP_1, nFeatures: 4, dEmbed: 6, dMlp: 3, nLayers: 1 };
  const rng = rngStream(3, "test-weights");
  const w = (r: number, c: number) => ({
    shape: [r, c],
    data: rng.fillNormal(new Float32Array(r * c)),
  });
  const tensors = { W_E: w(4, 6), "layers.0.mlp_in": w(6, 3), "layers.0.mlp_out": w(3, 6) };
  const model = residMlpToy("r", "", cfg).buildModel(tensors);
  // One component of rank 6 holding each whole matrix: W_in = [W_in | 0]·[I₃; 0], W_out = W_out·I₆.
  const [wIn, wOut] = model.layers;
  const factors = [
    [tf.concat([wIn.weight, tf.zeros([6, 3])], 1), tf.concat([tf.eye(3), tf.zeros([3, 3])], 0)],
    [wOut.weight, tf.eye(6)],
  ] as [tf.Tensor2D, tf.Tensor2D][];
  const params = fixedApdParams(model, 1, 6, factors);
  const x = tf.tensor2d([[0.5, 0, -0.7, 0], [0, 0.9, 0, 0], [0, 0, 0, 0]]);
  const target = passWithActivations(model, x, targetLayer);
  const cfgApd = { ...APD_TMS_5_2, actReconCoeff: 1, schattenEps: 0 };
  const nParams = decomposedParamCount(model);
  const on = apdLosses(model, params, cfgApd, x, target, tf.ones([3, 1]), nParams);
  for (const term of ["faithfulness", "minimality", "actRecon"] as const) {
    assert.ok(Math.abs(scalar(on[term])) < 1e-10, `${term} = ${scalar(on[term])}`);
  }
  const hidden = target.hidden[0].arraySync();
  assert.equal(target.hidden.length, 1, "the output is not a hidden activation");
  const expected = hidden.reduce((s, row) => s + row.reduce((t, v) => t + v * v, 0), 0) / 3 / 3;
  assert.ok(expected > 0.01, "the test input must activate some neurons");
  const off = apdLosses(model, params, cfgApd, x, target, tf.zeros([3, 1]), nParams);
  assert.ok(
    Math.abs(scalar(off.actRecon) - expected) < 1e-6,
    `${scalar(off.actRecon)} vs ${expected}`,
  );
  assert.equal(scalar(off.simplicity), 0, "an empty mask has no simplicity cost (ε = 0)");
  model.dispose();
});
