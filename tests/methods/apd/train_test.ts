import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  APD_TMS_5_2,
  apdMethod,
  initApdParams,
  initBackend,
  normaliseAColumns,
  projectAGradient,
  resolveApdConfig,
  TMS_5_2,
  tmsToy,
  trainApd,
  xavierStd,
} from "../../../mod.ts";
import { pentagonTensors } from "../../helpers/pentagon.ts";

await initBackend("wasm");

const toy = tmsToy("tms_5-2", "", TMS_5_2);

Deno.test("xavier std reproduces apd.md §1.3's table (torch's 4-D fan quirk)", () => {
  const close = (a: number, b: number) => assert.ok(Math.abs(a / b - 1) < 5e-3, `${a} vs ${b}`);
  close(xavierStd(1, 12, 5, 5, 3), 0.0886);
  close(xavierStd(1, 12, 5, 3, 2), 0.140);
  close(xavierStd(1, 3, 50, 40, 11), 0.00926);
  close(xavierStd(1, 3, 50, 11, 10), 0.0185);
  close(xavierStd(2, 1, 130, 1000, 50), 1.105e-3);
  close(xavierStd(2, 1, 130, 50, 50), 4.94e-3);
});

Deno.test("projected A gradient is orthogonal to each unit A column", () => {
  const a = tf.tensor2d([[0.6, 1], [0.8, 0]]);
  const g = tf.tensor2d([[1, 2], [3, 4]]);
  const p = projectAGradient(a, g);
  const dots = Array.from(tf.sum(tf.mul(p, a), 0).dataSync());
  dots.forEach((d) => assert.ok(Math.abs(d) < 1e-6, `a·g = ${d}`));
  // The part orthogonal to the column is kept: column 0's (−0.8, 0.6) component is 3·0.6 − 1·0.8.
  assert.ok(Math.abs(p.arraySync()[0][0] - -0.8 * (3 * 0.6 - 0.8)) < 1e-6);
  tf.dispose([a, g, p]);
});

Deno.test("normaliseAColumns: every owned A column has unit norm and keeps its direction", async () => {
  const model = toy.buildModel(pentagonTensors());
  const params = initApdParams(model, 4, 3, 25, 1, 2);
  const a = params.layers[0].aVar!;
  const before = (await a.array()) as number[][];
  normaliseAColumns(params);
  const after = (await a.array()) as number[][];
  for (let j = 0; j < before[0].length; j++) {
    const norm = Math.hypot(...before.map((row) => row[j]));
    assert.ok(norm > 0.05 && Math.abs(norm - 1) > 0.05, `column ${j} starts away from norm 1`);
    assert.ok(Math.abs(Math.hypot(...after.map((row) => row[j])) - 1) < 1e-6, `column ${j}`);
    before.forEach((row, i) => assert.ok(Math.abs(after[i][j] - row[j] / norm) < 1e-6));
  }
  params.dispose();
  model.dispose();
});

Deno.test("config: bad values name the field and the allowed values", () => {
  assert.throws(
    () => resolveApdConfig(APD_TMS_5_2, { topk: 0 }),
    /'topk' must be a finite number > 0/,
  );
  assert.throws(
    () => resolveApdConfig(APD_TMS_5_2, { topk: 6 }),
    /'topk' must be a number in \(0, C = 5\]/,
  );
  assert.throws(
    () => resolveApdConfig(APD_TMS_5_2, { attributionSource: "grad" }),
    /'attributionSource' must be one of target, apd_model, got "grad"/,
  );
  assert.throws(
    () => resolveApdConfig(APD_TMS_5_2, { warmupPct: 1 }),
    /'warmupPct' must be a number in \[0, 1\)/,
  );
  assert.throws(
    () => resolveApdConfig(APD_TMS_5_2, { kk: 1 }),
    /'kk' must be one of the known fields/,
  );
  assert.throws(
    () => resolveApdConfig(APD_TMS_5_2, { batchSize: 4 }),
    /'topk' must be at least 1 \/ batchSize/,
  );
  assert.equal(resolveApdConfig(APD_TMS_5_2, { C: 7 }).C, 7);
});

const SHORT = resolveApdConfig(APD_TMS_5_2, { steps: 300, batchSize: 512, logEvery: 50 });

Deno.test("a short APD run on the pentagon reduces its loss and is bit-identical per seed", async () => {
  const runOnce = async () => {
    const model = toy.buildModel(pentagonTensors());
    const r = await trainApd(model, toy.data, SHORT, 3);
    const values = await Promise.all(r.params.variables.map((v) => v.data()));
    r.params.dispose();
    model.dispose();
    return { r, values };
  };
  const before = tf.memory().numTensors;
  const a = await runOnce();
  assert.equal(tf.memory().numTensors, before, "training leaks no tensors");
  const b = await runOnce();
  assert.equal(a.r.status, "completed");
  assert.equal(a.r.stepsDone, 300);
  const first = a.r.curve[0].losses.total, last = a.r.curve.at(-1)!.losses.total;
  assert.ok(last < first / 2, `loss ${first} -> ${last}`);
  assert.deepEqual(a.r.curve, b.r.curve);
  a.values.forEach((v, i) => assert.deepEqual(v, b.values[i]));
});

Deno.test("the method reports the common form: C components of rank m per matrix", async () => {
  const model = toy.buildModel(pentagonTensors());
  const result = await apdMethod.run(model, toy.data, { ...SHORT, steps: 20 }, 0);
  model.dispose();
  assert.deepEqual(result.components.map((c) => [c.layer, c.count, c.rank]), [
    ["linear1", 5, 3],
    ["linear2", 5, 3],
  ]);
  assert.deepEqual(Object.keys(result.losses), [
    "faithfulness",
    "minimality",
    "actRecon",
    "simplicity",
    "total",
  ]);
  const imp = result.importanceOneHot.linear1;
  assert.deepEqual([imp.rows, imp.cols], [5, 5]);
  for (let i = 0; i < 5; i++) {
    const row = Array.from(imp.data.subarray(i * 5, i * 5 + 5));
    assert.equal(Math.max(...row), 1, "each one-hot row is normalised by its largest attribution");
  }
  // Batch top-k keeps floor(0.211 · 512) = 108 pairs per 512 datapoints.
  assert.ok(Math.abs(result.l0.linear1 - 108 / 512) < 1e-12);
  assert.equal(result.extraMetrics, undefined, "TMS has no hidden ReLU, so no ablation tests");
});
