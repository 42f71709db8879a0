import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  apdComponents,
  type ApdParams,
  type AttributionSource,
  componentOutputs,
  componentWeight,
  gradientAttributions,
  initApdParams,
  initBackend,
  RESID_MLP_1,
  residMlpToy,
  rngStream,
  type TargetModel,
  TMS_5_2,
  TMS_5_2_ID,
  tmsToy,
} from "../../../mod.ts";
import { pentagonTensors } from "../../helpers/pentagon.ts";

await initBackend("cpu");

/**
 * The reference definition, one backward pass per datapoint and output:
 * a[b,c,o] = Σ_l ⟨∂f_o(x_b)/∂W_l, P_{c,l}⟩, attribution = Σ_o a². Each layer's
 * weight (a tied one too) is its own differentiation variable.
 */
async function bruteForce(
  model: TargetModel,
  params: ApdParams,
  xs: number[][],
  source: AttributionSource,
): Promise<number[][]> {
  const comps = await apdComponents(params);
  const P = comps.map((lc) =>
    Array.from({ length: lc.count }, (_, c) => {
      const m = componentWeight(lc, c);
      return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);
    })
  );
  const weights = model.layers.map((l, i) =>
    source === "target" ? l.weight : tf.addN(P[i]) as tf.Tensor2D
  );
  const index = new Map(model.layers.map((l, i) => [l.name, i]));
  const out: number[][] = [];
  for (const row of xs) {
    const x = tf.tensor2d([row]);
    const a = Array.from({ length: params.C }, () => new Array(model.nOutputs).fill(0));
    for (let o = 0; o < model.nOutputs; o++) {
      const f = (...ws: tf.Tensor[]) =>
        tf.sum(
          tf.slice(
            model.forward(x, (layer, input) => {
              const y = tf.matMul(input, ws[index.get(layer.name)!] as tf.Tensor2D);
              return (layer.bias ? tf.add(y, layer.bias) : y) as tf.Tensor2D;
            }),
            [0, o],
            [1, 1],
          ),
        ) as tf.Scalar;
      const grads = tf.grads(f)(weights);
      for (let c = 0; c < params.C; c++) {
        for (let l = 0; l < grads.length; l++) {
          a[c][o] += tf.sum(tf.mul(grads[l], P[l][c])).dataSync()[0];
        }
      }
    }
    out.push(a.map((ac) => ac.reduce((s, v) => s + v * v, 0)));
  }
  return out;
}

async function forwardMode(
  model: TargetModel,
  params: ApdParams,
  xs: number[][],
  source: AttributionSource,
): Promise<number[][]> {
  const t = tf.tidy(() => gradientAttributions(model, params, tf.tensor2d(xs), source));
  const v = await t.array();
  t.dispose();
  return v;
}

function assertClose(actual: number[][], expected: number[][], rel: number) {
  let nonzero = 0;
  actual.forEach((row, b) =>
    row.forEach((v, c) => {
      const e = expected[b][c];
      if (Math.abs(e) > 1e-6) nonzero++;
      assert.ok(
        Math.abs(v - e) <= rel * Math.max(1e-4, Math.abs(e)),
        `(${b}, ${c}): forward mode ${v} vs brute force ${e}`,
      );
    })
  );
  assert.ok(nonzero >= actual.length, `too few non-zero attributions (${nonzero}) to test`);
}

function randomRows(n: number, width: number, lo: number, hi: number, seed: number): number[][] {
  const rng = rngStream(seed, "test-inputs");
  return Array.from(
    { length: n },
    () => Array.from({ length: width }, () => lo + (hi - lo) * rng.uniform()),
  );
}

for (const source of ["target", "apd_model"] as const) {
  Deno.test(`attributions (${source}): TMS 5-2 forward mode equals a backward pass per output`, async () => {
    const model = tmsToy("t", "", TMS_5_2).buildModel(pentagonTensors());
    const params = initApdParams(model, 4, 3, 25, 1, 7);
    const xs = [...randomRows(5, 5, 0, 1, 1), [0, 0, 0, 0, 0], [0, 0.8, 0, 0, 0]];
    assertClose(
      await forwardMode(model, params, xs, source),
      await bruteForce(model, params, xs, source),
      2e-4,
    );
    const zero = (await forwardMode(model, params, [[0, 0, 0, 0, 0]], source))[0];
    assert.deepEqual(zero, [0, 0, 0, 0], "an all-zero input has zero attribution");
    params.dispose();
    model.dispose();
  });
}

Deno.test("attributions: TMS 5-2 + identity (three layers, tied pair around the identity)", async () => {
  const model = tmsToy("t", "", TMS_5_2_ID).buildModel(pentagonTensors());
  const params = initApdParams(model, 3, 2, 25, 1, 3);
  const xs = randomRows(4, 5, 0, 1, 2);
  assertClose(
    await forwardMode(model, params, xs, "target"),
    await bruteForce(model, params, xs, "target"),
    2e-4,
  );
  params.dispose();
  model.dispose();
});

// The last mlp_out's tangent is folded into W_U (TargetModel.linearReadout); the brute force
// differentiates the plain forward pass, so these also check the fold.
for (const nLayers of [1, 2]) {
  Deno.test(`attributions: ${nLayers}-layer residual MLP (ReLU gates, residual adds, W_U folded)`, async () => {
    const cfg = { ...RESID_MLP_1, nFeatures: 6, dEmbed: 8, dMlp: 4, nLayers };
    const rng = rngStream(11, "test-weights");
    const t = (shape: [number, number]) => ({
      shape,
      data: rng.fillNormal(new Float32Array(shape[0] * shape[1])),
    });
    const tensors: Record<string, { shape: [number, number]; data: Float32Array }> = {
      W_E: t([6, 8]),
    };
    for (let i = 0; i < nLayers; i++) {
      tensors[`layers.${i}.mlp_in`] = t([8, 4]);
      tensors[`layers.${i}.mlp_out`] = t([4, 8]);
    }
    const model = residMlpToy("r", "", cfg).buildModel(tensors);
    const params = initApdParams(model, 5, 3, 20, 1, 5);
    const xs = randomRows(6, 6, -1, 1, 3);
    for (const source of ["target", "apd_model"] as const) {
      assertClose(
        await forwardMode(model, params, xs, source),
        await bruteForce(model, params, xs, source),
        2e-4,
      );
    }
    params.dispose();
    model.dispose();
  });
}

Deno.test("componentOutputs: both product orders (B <= dIn factored, B > dIn materialised) equal input·P_c·J", async () => {
  const model = tmsToy("t", "", TMS_5_2).buildModel(pentagonTensors());
  const params = initApdParams(model, 4, 3, 25, 1, 9);
  const layer = params.layers[0]; // linear1: dIn 5, dOut 2
  const comps = (await apdComponents(params))[0];
  const J = tf.tensor2d([[1, -2, 0.5], [0.25, 3, -1]]);
  const Jv = J.arraySync();
  for (const rows of [3, 8]) {
    const xs = randomRows(rows, 5, -1, 1, rows);
    for (const readout of [null, J]) {
      const got = tf.tidy(() =>
        componentOutputs(layer, tf.tensor2d(xs), params.C, params.rank, readout).arraySync()
      );
      const n = readout ? 3 : 2;
      assert.deepEqual([got.length, got[0].length], [params.C * rows, n]);
      for (let c = 0; c < params.C; c++) {
        const P = componentWeight(comps, c);
        xs.forEach((x, b) => {
          const y = [0, 1].map((o) => x.reduce((s, v, i) => s + v * P.data[i * 2 + o], 0));
          const want = readout ? [0, 1, 2].map((k) => y[0] * Jv[0][k] + y[1] * Jv[1][k]) : y;
          want.forEach((w, k) =>
            assert.ok(Math.abs(got[c * rows + b][k] - w) < 1e-4, `B ${rows} c ${c} b ${b} k ${k}`)
          );
        });
      }
    }
  }
  J.dispose();
  params.dispose();
  model.dispose();
});
