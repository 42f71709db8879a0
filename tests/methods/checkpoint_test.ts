import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  APD_TMS_5_2,
  getMethod,
  initBackend,
  type Provenance,
  resolveApdConfig,
  resolveSpdConfig,
  runJob,
  type SavedRun,
  SPD_TMS_5_2,
  stopStep,
  TMS_5_2,
  tmsToy,
  trainApd,
  trainSpd,
  type TrainState,
} from "../../mod.ts";
import { pentagonTensors } from "../helpers/pentagon.ts";

await initBackend("wasm");

const toy = tmsToy("tms_5-2", "", TMS_5_2);
const SPD = resolveSpdConfig(SPD_TMS_5_2, { steps: 30, batchSize: 128, logEvery: 4 });
const APD = resolveApdConfig(APD_TMS_5_2, { steps: 30, batchSize: 128, logEvery: 4 });

type Trainer = typeof trainSpd | typeof trainApd;
const trainers: [string, Trainer, object][] = [["spd", trainSpd, SPD], ["apd", trainApd, APD]];

/** Trains with checkpointing every 12 steps; returns the final values, curve and saved states. */
async function train(trainer: Trainer, cfg: object, resume?: TrainState) {
  const model = toy.buildModel(pentagonTensors());
  const saved: TrainState[] = [];
  const save = (s: TrainState) => Promise.resolve(void saved.push(s));
  // deno-lint-ignore no-explicit-any
  const r = await trainer(model, toy.data, cfg as any, 5, undefined, {
    shouldSave: (s) => s % 12 === 0,
    resume,
    save,
  });
  const values = await Promise.all(r.params.variables.map((v) => v.data()));
  r.params.dispose();
  model.dispose();
  return { r, values, saved };
}

for (const [name, trainer, cfg] of trainers) {
  Deno.test(`${name}: a run resumed from step 12 ends with the unbroken run's bits and curve`, async () => {
    const whole = await train(trainer, cfg);
    assert.deepEqual(whole.saved.map((s) => s.stepsDone), [12, 24]);
    const before = tf.memory().numTensors;
    const resumed = await train(trainer, cfg, whole.saved[0]);
    assert.equal(tf.memory().numTensors, before, "resuming leaks no tensors");
    assert.equal(resumed.r.stepsDone, 30);
    assert.deepEqual(resumed.r.curve, whole.r.curve);
    resumed.values.forEach((v, i) => assert.deepEqual(v, whole.values[i], `variable ${i}`));
    assert.deepEqual(resumed.saved.map((s) => s.stepsDone), [24]);
    // Saving never perturbs training: the run without checkpoints has the same bits.
    const model = toy.buildModel(pentagonTensors());
    // deno-lint-ignore no-explicit-any
    const plain = await trainer(model, toy.data, cfg as any, 5);
    const values = await Promise.all(plain.params.variables.map((v) => v.data()));
    values.forEach((v, i) => assert.deepEqual(v, whole.values[i]));
    plain.params.dispose();
    model.dispose();
  });
}

Deno.test("a state that does not fit the loop is refused, naming what differs", async () => {
  const apdState = (await train(trainApd, APD)).saved[0];
  const spdState = (await train(trainSpd, SPD)).saved[0];
  await assert.rejects(() => train(trainSpd, SPD, apdState), /checkpoint: \d+ parameter tensors/);
  await assert.rejects(
    () => train(trainSpd, SPD, { ...spdState, stepsDone: 31 }),
    /stepsDone must be an integer in 1\.\.30, got 31/,
  );
  await assert.rejects(
    () => train(trainSpd, SPD, { ...spdState, rngs: { data: spdState.rngs.data } }),
    /random streams data; this loop uses data, mask/,
  );
  const params = spdState.params.map((p, i) => i === 0 ? { ...p, shape: [...p.shape, 1] } : p);
  await assert.rejects(
    () => train(trainSpd, SPD, { ...spdState, params }),
    /params\[0\] has shape/,
  );
});

const provenance = { gitCommit: null, gitDirty: null } as unknown as Provenance;
const target = {
  toy: toy.id,
  seedRequested: 0,
  seedUsed: 0,
  attempts: [{ seed: 0, health: { healthy: true, failures: [], measures: {} } }],
  tensors: pentagonTensors(),
};

Deno.test("runJob: a job stopped after a save and resumed writes the unbroken record", async () => {
  const job = {
    toy,
    target,
    method: getMethod("spd"),
    config: SPD,
    seed: 2,
    backend: "wasm",
    provenance,
  };
  const whole = await runJob(job);
  const saves: SavedRun[] = [];
  const crash = await runJob({
    ...job,
    checkpoint: {
      shouldSave: (s: number) => s % 10 === 0,
      save: (s) => {
        saves.push(s);
        return Promise.reject(new Error("stopped"));
      },
    },
  });
  assert.equal(crash.status, "failed");
  assert.equal(saves[0].state.stepsDone, 10);
  assert.ok(saves[0].elapsedS > 0);
  const resumed = await runJob({
    ...job,
    checkpoint: {
      shouldSave: (s: number) => s % 10 === 0,
      resume: { ...saves[0], elapsedS: 1000 },
      save: () => Promise.resolve(),
    },
  });
  assert.equal(resumed.status, "completed");
  assert.equal(resumed.resultHash, whole.resultHash);
  assert.equal(resumed.timing.resumedFromStep, 10);
  assert.equal(whole.timing.resumedFromStep, undefined);
  assert.ok(resumed.timing.wallTimeS > 1000, "wall time spans the earlier segment");
  assert.ok(resumed.timing.stepsPerSecond < 30 / 1000);
});

for (const [name, trainer, cfg] of trainers) {
  Deno.test(`${name}: stopAt 18 returns a saved "partial" state that resumes to the unbroken bits`, async () => {
    const whole = await train(trainer, cfg);
    const model = toy.buildModel(pentagonTensors());
    const saved: TrainState[] = [];
    // deno-lint-ignore no-explicit-any
    const part = await trainer(model, toy.data, cfg as any, 5, undefined, {
      shouldSave: (s) => s % 12 === 0,
      stopAt: 18,
      save: (s) => Promise.resolve(void saved.push(s)),
    });
    assert.equal(part.status, "partial");
    assert.equal(part.stepsDone, 18);
    assert.deepEqual(saved.map((s) => s.stepsDone), [12, 18], "the stop is saved");
    part.params.dispose();
    model.dispose();
    const resumed = await train(trainer, cfg, saved[1]);
    assert.equal(resumed.r.status, "completed");
    assert.deepEqual(resumed.r.curve, whole.r.curve);
    resumed.values.forEach((v, i) => assert.deepEqual(v, whole.values[i], `variable ${i}`));
  });
}

Deno.test("stopStep: the stop is capped at the run's length; a bad stopAt is refused", () => {
  const at = (stopAt?: number) => ({
    shouldSave: () => false,
    stopAt,
    save: () => Promise.resolve(),
  });
  assert.equal(stopStep(undefined, 30), 30);
  assert.equal(stopStep(at(12), 30), 12);
  assert.equal(stopStep(at(99), 30), 30);
  assert.throws(() => stopStep(at(0), 30), /stopAt must be an integer >= 1, got 0/);
  assert.throws(() => stopStep(at(2.5), 30), /stopAt must be an integer >= 1, got 2.5/);
});

Deno.test("runJob: a stopped job writes a scored 'partial' record; resumed, the unbroken record", async () => {
  const job = {
    toy,
    target,
    method: getMethod("apd"),
    config: APD,
    seed: 1,
    backend: "wasm",
    provenance,
  };
  const whole = await runJob(job);
  const saves: SavedRun[] = [];
  const checkpoint = {
    shouldSave: () => false,
    save: (s: SavedRun) => Promise.resolve(void saves.push(s)),
  };
  const part = await runJob({ ...job, checkpoint: { ...checkpoint, stopAt: 20 } });
  assert.equal(part.status, "partial");
  assert.equal(part.timing.stepsDone, 20);
  assert.equal(saves.at(-1)!.state.stepsDone, 20);
  assert.equal(typeof part.metrics.mmcs?.value, "number", "scored as it stood");
  assert.ok(part.artifacts !== undefined);
  const done = await runJob({ ...job, checkpoint: { ...checkpoint, resume: saves.at(-1) } });
  assert.equal(done.status, "completed");
  assert.equal(done.resultHash, whole.resultHash);
});
