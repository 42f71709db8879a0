import assert from "node:assert/strict";
import { resolveSpdConfig, SPD_TMS_5_2 } from "../../../mod.ts";

Deno.test("the paper TMS 5-2 config (spd.md §6.4)", () => {
  const c = resolveSpdConfig(SPD_TMS_5_2);
  assert.deepEqual(
    [c.C, c.dGate, c.importanceCoeff, c.pNorm, c.lr, c.schedule, c.steps, c.batchSize],
    [20, 16, 3e-3, 1, 1e-3, "cosine_quarter", 40_000, 4096],
  );
  assert.deepEqual([c.faithfulnessCoeff, c.stochasticReconCoeff, c.layerwiseReconCoeff], [1, 1, 1]);
  assert.deepEqual([c.leakAlpha, c.maskSamples, c.warmupSteps], [0.01, 1, 0]);
});

Deno.test("overrides merge; bad values are rejected naming the field and allowed values", () => {
  assert.equal(resolveSpdConfig(SPD_TMS_5_2, { steps: 10 }).steps, 10);
  assert.throws(
    () => resolveSpdConfig(SPD_TMS_5_2, { stepz: 10 }),
    /'stepz' must be one of the known fields \(C, dGate/,
  );
  assert.throws(
    () => resolveSpdConfig(SPD_TMS_5_2, { C: 2.5 }),
    /'C' must be an integer in \[1, 100000\]/,
  );
  assert.throws(
    () => resolveSpdConfig(SPD_TMS_5_2, { lr: -1 }),
    /'lr' must be a finite number > 0/,
  );
  assert.throws(
    () => resolveSpdConfig(SPD_TMS_5_2, { schedule: "linear" }),
    /'schedule' must be one of constant, cosine_quarter, got "linear"/,
  );
  assert.throws(
    () => resolveSpdConfig(SPD_TMS_5_2, { importanceCoeff: "big" }),
    /'importanceCoeff'/,
  );
  assert.throws(
    () => resolveSpdConfig(SPD_TMS_5_2, { maskSamples: 2 }),
    /'maskSamples' must be an integer in \[1, 1\]/,
  );
  assert.throws(
    () => resolveSpdConfig(SPD_TMS_5_2, { steps: 5, warmupSteps: 5 }),
    /'warmupSteps' must be < steps/,
  );
});
