import assert from "node:assert/strict";
import {
  anyActiveProbability,
  denseBudget,
  denseImportanceFloor,
  equilibriumAgreement,
  equilibriumImportances,
  importanceEquilibrium,
  reconstructionWeight,
  SPD_TMS_5_2,
} from "../../../mod.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("importanceEquilibrium: closed forms for p = 2 and p = 1", () => {
  const kappa = 4 / 3, beta3 = 1e-4;
  // p = 2: g = κc / (κc + β3)
  close(importanceEquilibrium(3e-4, kappa, beta3, 2), 0.8);
  close(importanceEquilibrium(1e-6, kappa, beta3, 2), 0.013157894736842105);
  // p = 1: g = max(0, 1 − β3 / (2κc))
  close(importanceEquilibrium(3e-4, kappa, beta3, 1), 0.875);
  assert.equal(importanceEquilibrium(1e-6, kappa, beta3, 1), 0);
  assert.equal(importanceEquilibrium(0, kappa, beta3, 2), 0);
  assert.equal(importanceEquilibrium(1e-9, kappa, 0, 2), 1);
});

Deno.test("importanceEquilibrium: p = 3 satisfies the first-order condition", () => {
  const a = 2e-4, beta3 = 1e-4, g = importanceEquilibrium(a, 1, beta3, 3);
  close(3 * beta3 * g * g, 2 * a * (1 - g), 1e-15);
  assert.ok(g > 0.5 && g < 1);
});

Deno.test("importanceEquilibrium: rejects p < 1 and negative inputs, naming them", () => {
  assert.throws(() => importanceEquilibrium(1, 1, 1, 0.5), /pNorm must be >= 1, got 0.5/);
  assert.throws(() => importanceEquilibrium(-1, 1, 1, 2), /cost must be >= 0/);
  assert.throws(() => importanceEquilibrium(1, 1, -1, 2), /beta3 must be >= 0/);
});

Deno.test("reconstructionWeight: β1 + β2/L, and the matrix of equilibria uses it", () => {
  const cfg = { ...SPD_TMS_5_2, importanceCoeff: 1e-4, pNorm: 2 };
  close(reconstructionWeight(cfg, 3), 1 + 1 / 3);
  assert.throws(() => reconstructionWeight(cfg, 0), /layers must be an integer >= 1/);
  const eq = equilibriumImportances(
    { rows: 1, cols: 2, data: Float64Array.from([3e-4 * 0.75, 0]) },
    cfg,
    3,
  );
  close(eq.data[0], 0.75 * 4 / 3 * 3e-4 / (0.75 * 4 / 3 * 3e-4 + 1e-4));
  assert.equal(eq.data[1], 0);
});

Deno.test("equilibriumAgreement: counts, agreement and Pearson on a hand-built pair", () => {
  // 3 inputs x 3 columns; column 2 is below the threshold in both and is left out.
  const learned = {
    rows: 3,
    cols: 3,
    data: Float64Array.from([0.9, 0.0, 0.05, 0.8, 0.5, 0.0, 0.0, 0.6, 0.0]),
  };
  const equilibrium = {
    rows: 3,
    cols: 3,
    data: Float64Array.from([0.7, 0.0, 0.0, 0.05, 0.4, 0.0, 0.0, 0.9, 0.0]),
  };
  const a = equilibriumAgreement(learned, equilibrium);
  assert.deepEqual(a.columns, [0, 1]);
  assert.equal(a.onLearned, 4);
  assert.equal(a.onEquilibrium, 3);
  close(a.agreement, 5 / 6);
  assert.deepEqual(a.columnOnLearned, [2, 2]);
  assert.deepEqual(a.columnOnEquilibrium, [1, 2]);
  // Pearson of (0.9, 0.8, 0, 0, 0.5, 0.6) with (0.7, 0.05, 0, 0, 0.4, 0.9)
  close(a.pearson, 0.5983052718422911, 1e-12);
  assert.throws(
    () => equilibriumAgreement(learned, { rows: 1, cols: 3, data: Float64Array.from([0, 0, 0]) }),
    /3x3/,
  );
});

Deno.test("denseImportanceFloor: k·(1 − τ)^p·P(x ≠ 0), with P for TMS 40-10 and 5-2", () => {
  // TMS 40-10: 40 features at probability 0.05, so P(some feature on) = 1 − 0.95^40.
  const p40 = anyActiveProbability({ nFeatures: 40, featureProb: 0.05, lo: 0, hi: 1 });
  close(p40, 0.8714878434, 1e-10);
  close(
    anyActiveProbability({ nFeatures: 5, featureProb: 0.05, lo: 0, hi: 1 }),
    0.2262190625,
    1e-12,
  );
  // 10 dense identity pieces at p = 2: 10 · 0.81 · 0.87149 = 7.0590.
  close(denseImportanceFloor(10, 2, p40), 7.0590515318, 1e-9);
  close(denseImportanceFloor(2, 1, 0.5, 0.2), 0.8);
  assert.equal(denseImportanceFloor(0, 2, p40), 0);
  assert.throws(() => denseImportanceFloor(1.5, 2, 0.5), /k must be an integer >= 0/);
  assert.throws(() => denseImportanceFloor(1, 0.5, 0.5), /pNorm must be >= 1, got 0.5/);
  assert.throws(() => denseImportanceFloor(1, 2, 1.5), /anyActive must be in \[0, 1\], got 1.5/);
  assert.throws(() => denseImportanceFloor(1, 2, 0.5, 1), /tau must be in \[0, 1\), got 1/);
});

Deno.test("denseBudget: a dense identity is ruled out when it costs more than all reconstruction", () => {
  const patterns = {
    linear1: { kind: "identity" },
    "hidden_layers.0": { kind: "dense", k: 10 },
  } as const;
  const cfg = { ...SPD_TMS_5_2, importanceCoeff: 1e-4, pNorm: 2 };
  const anyActive = 1 - 0.95 ** 40;
  // The learned shares of TMS 40-10+ID seed 1 at step 26,507, rounded.
  const b = denseBudget(
    patterns,
    { linear1: 1.51, "hidden_layers.0": 2.78 },
    { stochasticRecon: 1.1e-4, layerwiseRecon: 0.5e-4 },
    cfg,
    anyActive,
  );
  close(b.reconstruction, 1.6e-4, 1e-18);
  assert.deepEqual(Object.keys(b.layers[0]), ["layer", "found"]);
  close(b.layers[0].found, 1.51e-4, 1e-18);
  const id = b.layers[1];
  assert.equal(id.k, 10);
  close(id.denseFloor!, 7.0590515318e-4, 1e-13);
  close(id.added!, 7.0590515318e-4 - 2.78e-4, 1e-13);
  assert.equal(id.ruledOut, true);

  // TMS 5-2+ID-like: β3 3e-3, p = 1, 2 dense pieces, P(x ≠ 0) = 1 − 0.95^5: floor 1.2216e-3;
  // a learned share of 0.3 leaves 3.2e-4 to add, less than 5e-4 of reconstruction.
  const small = denseBudget(
    { "hidden_layers.0": { kind: "dense", k: 2 } },
    { "hidden_layers.0": 0.3 },
    { stochasticRecon: 3e-4, layerwiseRecon: 2e-4 },
    { ...SPD_TMS_5_2, importanceCoeff: 3e-3, pNorm: 1 },
    1 - 0.95 ** 5,
  );
  close(small.layers[0].added!, 3e-3 * 2 * 0.9 * 0.2262190625 - 9e-4, 1e-15);
  assert.equal(small.layers[0].ruledOut, false);
});
