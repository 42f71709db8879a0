import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  getMethod,
  initBackend,
  type Provenance,
  resolveSpdConfig,
  runJob,
  SPD_TMS_5_2,
  TMS_5_2,
  tmsToy,
  trainSpd,
} from "../../../mod.ts";
import { pentagonTensors } from "../../helpers/pentagon.ts";

await initBackend("wasm");

const toy = tmsToy("tms_5-2", "test", TMS_5_2);
const tensors = pentagonTensors();
const target = {
  toy: toy.id,
  seedRequested: 0,
  seedUsed: 0,
  attempts: [{ seed: 0, health: { healthy: true, failures: [], measures: {} } }],
  tensors,
};
const provenance: Provenance = {
  gitCommit: null,
  gitDirty: null,
  deno: "test",
  v8: "test",
  typescript: "test",
  tfjs: "test",
  os: "test",
  arch: "test",
  cpuModel: null,
  cpuCores: 1,
  hostname: "test",
};

Deno.test("a short SPD run on TMS 5-2 lowers the total loss by more than half", async () => {
  const model = toy.buildModel(tensors);
  const cfg = resolveSpdConfig(SPD_TMS_5_2, { steps: 120, batchSize: 512, logEvery: 40, lr: 3e-3 });
  const result = await trainSpd(model, toy.data, cfg, 0);
  const first = result.curve[0].losses.total;
  const last = result.curve[result.curve.length - 1].losses.total;
  assert.equal(result.status, "completed");
  assert.equal(result.stepsDone, 120);
  assert.deepEqual(result.curve.map((p) => p.step), [0, 40, 80, 119]);
  assert.ok(last < 0.5 * first, `total loss ${first} -> ${last}`);
  result.params.dispose();
  model.dispose();
});

Deno.test("live tensors stay flat across training steps and nothing leaks after dispose", async () => {
  const model = toy.buildModel(tensors);
  const before = tf.memory().numTensors;
  const cfg = resolveSpdConfig(SPD_TMS_5_2, { steps: 30, batchSize: 256, logEvery: 5 });
  const counts: number[] = [];
  const result = await trainSpd(model, toy.data, cfg, 0, () => counts.push(tf.memory().numTensors));
  assert.equal(counts.length, 30);
  assert.ok(counts.every((c) => c === counts[0]), `live tensors per step: ${counts.join(",")}`);
  result.params.dispose();
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

Deno.test("the same seed gives a bit-identical record; another seed does not", async () => {
  const spd = getMethod("spd");
  const config = spd.resolveConfig(SPD_TMS_5_2, { steps: 25, batchSize: 256, logEvery: 5 });
  const job = { toy, target, method: spd, config, backend: "wasm", provenance };
  const a = await runJob({ ...job, seed: 0 });
  const b = await runJob({ ...job, seed: 0 });
  const c = await runJob({ ...job, seed: 1 });
  assert.equal(a.status, "completed");
  assert.equal(a.resultHash, b.resultHash);
  assert.deepEqual(a.metrics, b.metrics);
  assert.deepEqual(a.curve, b.curve);
  assert.notEqual(a.resultHash, c.resultHash);
  assert.equal(a.configHash, c.configHash);
  assert.equal(a.runId, `tms_5-2__spd__s0__${a.configHash.slice(0, 12)}__wasm`);
});

Deno.test("a method error becomes a failed record with the message, not an exception", async () => {
  const spd = getMethod("spd");
  const broken = { ...spd, run: () => Promise.reject(new Error("boom")) };
  const config = spd.resolveConfig(SPD_TMS_5_2, { steps: 1 });
  const rec = await runJob({
    toy,
    target,
    method: broken,
    config,
    seed: 0,
    backend: "wasm",
    provenance,
  });
  assert.equal(rec.status, "failed");
  assert.equal(rec.error, "Error: boom");
  assert.deepEqual(rec.metrics, {});
});

Deno.test("SPD runs end to end on a small residual MLP and reports the residual scores", async () => {
  const { residMlpToy, RESID_MLP_1 } = await import("../../../mod.ts");
  const small = residMlpToy("resid_small", "test", {
    ...RESID_MLP_1,
    nFeatures: 6,
    dEmbed: 20,
    dMlp: 3,
    steps: 20,
    batchSize: 128,
    featureProb: 0.2,
  });
  const tensors = await small.trainTarget(0);
  const spd = getMethod("spd");
  const config = spd.resolveConfig(spd.defaults, {
    C: 8,
    steps: 10,
    batchSize: 128,
    pNorm: 2,
    logEvery: 5,
  });
  const rec = await runJob({
    toy: small,
    target: { toy: small.id, seedRequested: 0, seedUsed: 0, attempts: [], tensors },
    method: spd,
    config,
    seed: 0,
    backend: "wasm",
    provenance,
  });
  assert.equal(rec.status, "completed", rec.error ?? "");
  for (const k of ["neuron_contrib_pearson.layers.0", "neuron_contrib_slope.layers.0"]) {
    assert.ok(Number.isFinite(rec.metrics[k].value), k);
  }
  assert.ok(rec.metrics["ci_pattern_error.layers.0.mlp_out"].value >= 0);
  assert.equal(rec.metrics.mmcs, undefined);
});

Deno.test("tiedAdamStates separate: linear2 stays linear1's transpose, takes bigger tied steps, and counts once", async () => {
  const model = toy.buildModel(tensors);
  const base = { steps: 3, batchSize: 256, logEvery: 1 };
  const run = async (tiedAdamStates: string) => {
    const cfg = resolveSpdConfig(SPD_TMS_5_2, { ...base, tiedAdamStates });
    const r = await trainSpd(model, toy.data, cfg, 0);
    const [l1, l2] = r.params.layers;
    const out = {
      v1: await l1.v().data(),
      u2t: await tf.transpose(l2.u()).data(),
      count: r.params.parameterCount,
      vars: r.params.variables.length,
    };
    r.params.dispose();
    return out;
  };
  const shared = await run("shared"), separate = await run("separate");
  assert.deepEqual(Array.from(separate.u2t), Array.from(separate.v1), "bitwise tied");
  assert.equal(separate.count, shared.count);
  assert.equal(separate.vars, shared.vars + 2);
  // After 3 steps from one init: the separate run moved linear1's V further (two updates a step).
  const init = await (async () => {
    const cfg = resolveSpdConfig(SPD_TMS_5_2, { ...base, steps: 1, lr: 1e-30 });
    const r = await trainSpd(model, toy.data, cfg, 0);
    const v = await r.params.layers[0].v().data();
    r.params.dispose();
    return v;
  })();
  const moved = (v: ArrayLike<number>) =>
    Array.from(v).reduce((s, x, i) => s + Math.abs(x - init[i]), 0);
  assert.ok(
    moved(separate.v1) > 1.3 * moved(shared.v1),
    `${moved(separate.v1)} vs ${moved(shared.v1)}`,
  );
  assert.throws(
    () => resolveSpdConfig(SPD_TMS_5_2, { tiedAdamStates: "both" }),
    /tiedAdamStates.*shared, separate/,
  );
  model.dispose();
});
