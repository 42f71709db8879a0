import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  causalImportances,
  foldZeroRows,
  initBackend,
  initSpdParams,
  resolveSpdConfig,
  rngStream,
  rowWeightsOf,
  sampleSparseFeatures,
  SPD_LOSS_NAMES,
  SPD_TMS_5_2,
  spdLosses,
  type SpdParams,
  targetPass,
  TMS_5_2,
  tmsToy,
} from "../../../mod.ts";
import { pentagonTensors } from "../../helpers/pentagon.ts";

// wasm is initialised too: the gradient check also runs there, through the fused kernels.
await initBackend("wasm");
await initBackend("cpu");

const toy = tmsToy("tms_5-2", "test", TMS_5_2);
const B = 16;
const cfg = resolveSpdConfig(SPD_TMS_5_2, { C: 4, dGate: 3, batchSize: B, importanceCoeff: 0.1 });

/** A fixed batch with dense features (feature prob 0.6) and fixed mask noise. */
function fixture(featureProb = 0.6) {
  const xs = sampleSparseFeatures(
    { ...toy.data, featureProb },
    B,
    rngStream(3, "test-data"),
  );
  const noiseRng = rngStream(3, "test-noise");
  const draw = () => tf.tensor2d(noiseRng.fillUniform(new Float32Array(B * cfg.C)), [B, cfg.C]);
  return {
    xs,
    x: tf.tensor2d(xs, [B, 5]),
    noise: { full: [draw(), draw()], layerwise: [draw(), draw()] },
  };
}

function terms(
  model: ReturnType<typeof toy.buildModel>,
  params: SpdParams,
  f: ReturnType<typeof fixture>,
  config = cfg,
) {
  const { output, inputs } = targetPass(model, f.x);
  return spdLosses(model, params, config, f.x, output, inputs, f.noise, 20);
}

Deno.test("faithfulness is Σ‖W − VU‖²/N: all-ones target vs components of threes gives 4", async () => {
  const ones = {
    W: { shape: [5, 2], data: new Float32Array(10).fill(1) },
    b: { shape: [5], data: new Float32Array(5) },
  };
  const model = toy.buildModel(ones);
  const params = await initSpdParams(model, 1, 2, 0);
  // V (5x1) = √3, U (1x2) = √3, so V·U = 3 everywhere; linear2 is tied to it.
  params.variables[0].assign(tf.fill([5, 1], Math.sqrt(3)));
  params.variables[1].assign(tf.fill([1, 2], Math.sqrt(3)));
  const f = fixture();
  const c1 = resolveSpdConfig(cfg, { C: 1, dGate: 2 });
  const faith = tf.tidy(() => {
    const { output, inputs } = targetPass(model, f.x);
    const cut = (t: tf.Tensor2D) => t.slice([0, 0], [B, 1]);
    const noise = { full: f.noise.full.map(cut), layerwise: f.noise.layerwise.map(cut) };
    return spdLosses(model, params, c1, f.x, output, inputs, noise, 20).faithfulness.dataSync()[0];
  });
  // 20 entries (linear1 10 + tied linear2 10), each (1 − 3)² = 4: 80 / N with N = 20.
  assert.ok(Math.abs(faith - 4) < 1e-5, `faithfulness ${faith}`);
  params.dispose();
  model.dispose();
});

// On wasm with d_gate 4 the CI MLPs and gates run as the fused wasm kernels with their own gradients.
for (const [backend, dGate] of [["cpu", 3], ["wasm", 4]] as const) {
  Deno.test(`every SPD loss term's gradient matches central finite differences (${backend}, d_gate ${dGate})`, async () => {
    await tf.setBackend(backend);
    const cfg4 = resolveSpdConfig(cfg, { dGate });
    // Bias +3 keeps the output ReLU active on every input, so no perturbation crosses its kink
    // (with the trained bias −0.25 many outputs sit at the kink and central differences straddle it).
    const tensors = pentagonTensors();
    const model = toy.buildModel({
      ...tensors,
      b: { shape: [5], data: new Float32Array(5).fill(3) },
    });
    const params = await initSpdParams(model, cfg4.C, cfg4.dGate, 1);
    // Keep raw CI inside (0, 1), away from the sigmoids' kinks at 0 and 1 (their slopes there are
    // tested in activations_test.ts); central differences are only meaningful on smooth pieces.
    for (const l of params.layers) {
      l.ci.b2.assign(tf.fill([cfg4.C], 0.5));
      l.ci.w2.assign(tf.mul(l.ci.w2, 0.1));
    }
    const f = fixture();
    const vars = [...params.variables];
    const dirRng = rngStream(11, "test-direction");
    const directions = vars.map((v) =>
      tf.tensor(dirRng.fillNormal(new Float32Array(v.size)), v.shape)
    );
    const eps = 1e-3;
    for (const name of SPD_LOSS_NAMES) {
      const { grads } = tf.variableGrads(() => terms(model, params, f, cfg4)[name], vars);
      let analytic = 0;
      vars.forEach((v, i) => {
        const g = grads[v.name]; // null when the term does not depend on v
        if (g) analytic += tf.sum(tf.mul(g, directions[i])).dataSync()[0];
      });
      const at = (sign: number) => {
        const saved = vars.map((v) => v.clone());
        vars.forEach((v, i) => v.assign(tf.add(saved[i], tf.mul(directions[i], sign * eps))));
        const value = tf.tidy(() => terms(model, params, f, cfg4)[name].dataSync()[0]);
        vars.forEach((v, i) => v.assign(saved[i]));
        saved.forEach((t) => t.dispose());
        return value;
      };
      const numeric = (at(1) - at(-1)) / (2 * eps);
      const tol = 2e-2 * Math.max(Math.abs(analytic), 1e-2);
      assert.ok(
        Math.abs(analytic - numeric) <= tol,
        `${name}: analytic ${analytic} vs finite difference ${numeric}`,
      );
      Object.values(grads).forEach((g) => g?.dispose());
    }
    params.dispose();
    model.dispose();
    await tf.setBackend("cpu");
  });
}

Deno.test("folding the all-zero rows gives the same loss terms, importances and gradients", async () => {
  const model = toy.buildModel(pentagonTensors());
  const params = await initSpdParams(model, cfg.C, cfg.dGate, 2);
  const f = fixture(0.1); // sparse: most rows are all-zero
  const batch = foldZeroRows(f.xs, B, 5);
  assert.ok(batch.hasZeroRow && batch.rows > 1 && batch.rows < B, "fixture must mix zero rows");
  // The folded batch keeps the noise of the rows it keeps (a zero row's noise never matters).
  const kept: number[] = [];
  for (let b = 0; b < B; b++) if (f.xs.slice(b * 5, b * 5 + 5).some((v) => v !== 0)) kept.push(b);
  kept.push(
    f.xs.findIndex((_, i) => i % 5 === 0 && f.xs.slice(i, i + 5).every((v) => v === 0)) / 5,
  );
  const idx = tf.tensor1d(kept, "int32");
  const pick = (t: tf.Tensor2D) => tf.gather(t, idx) as tf.Tensor2D;
  const folded = {
    xs: batch.xs,
    x: tf.tensor2d(batch.xs, [batch.rows, 5]),
    noise: { full: f.noise.full.map(pick), layerwise: f.noise.layerwise.map(pick) },
  };
  const foldedTerms = () => {
    const { output, inputs } = targetPass(model, folded.x);
    return spdLosses(
      model,
      params,
      cfg,
      folded.x,
      output,
      inputs,
      folded.noise,
      20,
      rowWeightsOf(batch),
    );
  };
  const plain = terms(model, params, f);
  const fast = foldedTerms();
  for (const name of SPD_LOSS_NAMES) {
    const a = plain[name].dataSync()[0], b = fast[name].dataSync()[0];
    assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1e-3, Math.abs(a)), `${name}: ${a} vs ${b}`);
  }
  const { inputs } = targetPass(model, f.x);
  const all = causalImportances(params, inputs, 0.01);
  all.forEach((c, i) => {
    const want = pick(c.lower).dataSync();
    assert.deepEqual(Array.from(fast.ci[i].lower.dataSync()), Array.from(want));
  });
  const vars = [...params.variables];
  const g1 = tf.variableGrads(() => terms(model, params, f).total, vars).grads;
  const g2 = tf.variableGrads(() => foldedTerms().total, vars).grads;
  for (const v of vars) {
    const a = g1[v.name].dataSync(), b = g2[v.name].dataSync();
    a.forEach((x, k) =>
      assert.ok(Math.abs(x - b[k]) <= 1e-5 * Math.max(1, Math.abs(x)), `${v.name}[${k}]`)
    );
  }
  params.dispose();
  model.dispose();
});

Deno.test("residual MLP: passes from the first matrix, reusing clean layer outputs: same bits", async () => {
  const { RESID_MLP_1, residMlpToy } = await import("../../../mod.ts");
  const tiny = { ...RESID_MLP_1, nFeatures: 6, dEmbed: 8, dMlp: 3, steps: 0 };
  const rtoy = residMlpToy("tiny", "test", tiny);
  const model = rtoy.buildModel(await rtoy.trainTarget(0));
  const params = await initSpdParams(model, cfg.C, cfg.dGate, 3);
  const xs = sampleSparseFeatures({ ...rtoy.data, featureProb: 0.5 }, B, rngStream(1, "t"));
  const x = tf.tensor2d(xs, [B, 6]);
  const noiseRng = rngStream(2, "n");
  const draw = () => tf.tensor2d(noiseRng.fillUniform(new Float32Array(B * cfg.C)), [B, cfg.C]);
  const noise = { full: [draw(), draw()], layerwise: [draw(), draw()] };
  const { output, inputs, outputs } = targetPass(model, x);
  const plain = { ...model, forwardFromFirstLayer: undefined };
  const fast = spdLosses(model, params, cfg, x, output, inputs, noise, 48, undefined, outputs);
  const slow = spdLosses(plain, params, cfg, x, output, inputs, noise, 48);
  for (const name of SPD_LOSS_NAMES) {
    assert.equal(fast[name].dataSync()[0], slow[name].dataSync()[0], name);
  }
  params.dispose();
  model.dispose();
});
