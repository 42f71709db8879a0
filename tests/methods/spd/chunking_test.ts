import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  causalImportances,
  EVAL_DATAPOINTS,
  evaluateSpd,
  getToy,
  initBackend,
  resolveSpdConfig,
  rngStream,
  sampleSparseFeatures,
  SPD_TMS_5_2,
  targetPass,
  TMS_5_2,
  tmsToy,
  trainSpd,
} from "../../../mod.ts";
import { pentagonTensors } from "../../helpers/pentagon.ts";

await initBackend("wasm");

Deno.test("gradient accumulation over micro-batches reproduces the whole-batch run", async () => {
  const toy = tmsToy("tms_5-2", "test", TMS_5_2);
  const model = toy.buildModel(pentagonTensors());
  const base = { steps: 12, batchSize: 300, logEvery: 4, lr: 3e-3 };
  const whole = await trainSpd(model, toy.data, resolveSpdConfig(SPD_TMS_5_2, base), 5);
  const chunked = await trainSpd(
    model,
    toy.data,
    resolveSpdConfig(SPD_TMS_5_2, { ...base, microBatch: 128 }),
    5,
  );
  assert.equal(chunked.curve.length, whole.curve.length);
  whole.curve.forEach((p, i) => {
    for (const [k, v] of Object.entries(p.losses)) {
      const w = chunked.curve[i].losses[k as keyof typeof p.losses];
      assert.ok(
        Math.abs(w - v) <= 1e-5 * Math.max(1e-3, Math.abs(v)),
        `step ${p.step} ${k}: ${w} vs ${v}`,
      );
    }
  });
  const a = await whole.params.variables[0].data(), b = await chunked.params.variables[0].data();
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5, `V[${i}]: ${v} vs ${b[i]}`));
  whole.params.dispose();
  chunked.params.dispose();
  model.dispose();
});

Deno.test("evaluation in micro-batch chunks: same alive flags and L0; noise-free losses equal", async () => {
  const toy = getToy("tms_5-2");
  const model = toy.buildModel(pentagonTensors());
  const cfg = resolveSpdConfig(SPD_TMS_5_2, { steps: 5, batchSize: 256 });
  const trained = await trainSpd(model, toy.data, cfg, 1);
  const whole = await evaluateSpd(model, trained.params, cfg, toy.data);
  const chunked = await evaluateSpd(model, trained.params, { ...cfg, microBatch: 1000 }, toy.data);
  assert.deepEqual(chunked.alive, whole.alive);
  assert.deepEqual(chunked.ciL0, whole.ciL0);
  // Faithfulness and importance minimality do not depend on mask noise: equal up to summation order.
  // The stochastic terms pair datapoints with other noise draws when chunked (the mask stream is
  // consumed chunk by chunk), so they are another Monte Carlo estimate of the same expectation.
  for (const k of ["faithfulness", "importanceMinimality"] as const) {
    const v = whole.losses[k], w = chunked.losses[k];
    assert.ok(Math.abs(w - v) <= 1e-5 * Math.abs(v), `${k}: ${w} vs ${v}`);
  }
  for (const k of ["stochasticRecon", "layerwiseRecon"] as const) {
    const v = whole.losses[k], w = chunked.losses[k];
    assert.ok(Math.abs(w - v) <= 0.05 * Math.abs(v), `${k}: ${w} vs ${v}`);
  }
  // Each matrix's share of importance minimality: Σ_c g_up^p (p = 1 here) on the evaluation set,
  // computed again from one unchunked draw of the same data stream; the shares sum to the total.
  const xs = sampleSparseFeatures(toy.data, EVAL_DATAPOINTS, rngStream(0, "eval-data"));
  const direct = tf.tidy(() => {
    const x = tf.tensor2d(xs, [EVAL_DATAPOINTS, toy.data.nFeatures]);
    const ci = causalImportances(trained.params, targetPass(model, x).inputs, cfg.leakAlpha);
    return ci.map((c) => c.upper.sum().arraySync() as number / EVAL_DATAPOINTS);
  });
  const names = trained.params.layers.map((l) => l.target.name);
  names.forEach((nm, i) => {
    for (const ev of [whole, chunked]) {
      const v = ev.importanceByLayer[nm];
      assert.ok(Math.abs(v - direct[i]) <= 1e-5 * direct[i], `${nm}: ${v} vs ${direct[i]}`);
    }
  });
  const sum = names.reduce((a, nm) => a + whole.importanceByLayer[nm], 0);
  assert.ok(Math.abs(sum - whole.losses.importanceMinimality) <= 1e-6 * sum);
  trained.params.dispose();
  model.dispose();
});
