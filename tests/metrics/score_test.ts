import assert from "node:assert/strict";
import { fromRankOneFactors, scoreRun, TMS_5_2, tmsToy } from "../../mod.ts";
import { pentagonTensors, solvedTmsResult } from "../helpers/pentagon.ts";

const C = 20;
const tensors = pentagonTensors();
const truth = tmsToy("tms_5-2", "t", TMS_5_2).groundTruth(tensors);

Deno.test("a solved TMS 5-2 decomposition scores MMCS 1, ML2R 1, CI error 0, 5 alive, large norm gap", () => {
  const m = scoreRun(truth, solvedTmsResult());
  assert.ok(Math.abs(m.mmcs.value - 1) < 1e-9);
  assert.ok(Math.abs(m.ml2r.value - 1) < 1e-6);
  assert.equal(m.ci_pattern_error.value, 0);
  assert.deepEqual(m["alive.linear1"], { value: 5, direction: "target", target: 5 });
  assert.equal(m["non_negligible_0.017"].value, 5);
  assert.deepEqual(m.parameters, { value: 140, direction: "lower" });
  // Live norm 1.13 against dead norm 0.001: ratio 1130.
  assert.ok(Math.abs(m.alive_norm_ratio.value - 1130) < 1e-3, `${m.alive_norm_ratio.value}`);
  assert.equal(m["l0.linear1"].value, 0.19);
  assert.deepEqual(m["loss.total"], { value: 0.001, direction: "lower" });
});

Deno.test("a missing diagonal and a leaked CI entry each add one pattern error", () => {
  const r = solvedTmsResult(); // feature j's subcomponent is live[j] of [7, 3, 12, 0, 9]
  const broken = Float32Array.from(r.importanceOneHot.linear1.data);
  broken[3 * C + 0] = 0.5; // feature 3's subcomponent only half on
  broken[0 * C + 12] = 0.4; // feature 0 also fires feature 2's subcomponent 12
  const m = scoreRun(truth, {
    ...r,
    importanceOneHot: { ...r.importanceOneHot, linear1: { rows: 5, cols: C, data: broken } },
  });
  assert.equal(m["ci_pattern_error.linear1"].value, 2);
  assert.equal(m["ci_pattern_error.linear2"].value, 0);
  assert.equal(m.ci_pattern_error.value, 2);
});

Deno.test("residual MLP: components equal to W_in rows give neuron-contribution r = 1, slope 1", async () => {
  const { residMlpToy, RESID_MLP_1 } = await import("../../mod.ts");
  // 2 features read embedding dims 0 and 1 of 3; W_in (3x2), W_out (2x3).
  const tensors = {
    W_E: { shape: [2, 3], data: Float32Array.from([1, 0, 0, 0, 1, 0]) },
    "layers.0.mlp_in": { shape: [3, 2], data: Float32Array.from([1, 0.5, -0.5, 2, 0.3, 0.3]) },
    "layers.0.mlp_out": { shape: [2, 3], data: Float32Array.from([1, 2, 0, 0.5, 1, 1]) },
  };
  const cfg = { ...RESID_MLP_1, nFeatures: 2, dEmbed: 3, dMlp: 2 };
  const rTruth = residMlpToy("r", "t", cfg).groundTruth(tensors);
  // Each feature has a positive contribution somewhere (feature 1: in [−0.5, 2] ⊙ out [2, 1] =
  // [−1, 2]), so the rule "largest maximum over neurons" picks its own component, not a zero one.
  // mlp_in components: row e of W_in as component e (V = e_e, U = W_in[e, :]).
  const vIn = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const vOut = Float32Array.from([1, 0, 0, 1]);
  const inComps = fromRankOneFactors(
    "layers.0.mlp_in",
    3,
    2,
    3,
    vIn,
    tensors["layers.0.mlp_in"].data,
  );
  const outComps = fromRankOneFactors(
    "layers.0.mlp_out",
    2,
    3,
    2,
    vOut,
    tensors["layers.0.mlp_out"].data,
  );
  const ciIn = { rows: 2, cols: 3, data: Float32Array.from([1, 0, 0, 0, 1, 0]) };
  const ciOut = { rows: 2, cols: 2, data: Float32Array.from([1, 1, 1, 1]) };
  const m = scoreRun(rTruth, {
    status: "completed",
    stepsDone: 1,
    curve: [],
    components: [inComps, outComps],
    importanceOneHot: { "layers.0.mlp_in": ciIn, "layers.0.mlp_out": ciOut },
    alive: {},
    l0: {},
    losses: {},
    parameterCount: 12,
  });
  assert.ok(Math.abs(m["neuron_contrib_pearson.layers.0"].value - 1) < 1e-9);
  assert.ok(Math.abs(m["neuron_contrib_slope.layers.0"].value - 1) < 1e-6);
  assert.equal(m["components_per_feature.layers.0.mlp_in"].value, 1);
  assert.equal(m.ci_pattern_error.value, 0);
  assert.equal(m.mmcs, undefined);
});

Deno.test("residual MLP, components spanning layers: paired contributions and categories", async () => {
  const { residMlpToy, RESID_MLP_1 } = await import("../../mod.ts");
  const wIn = [1, 0.5, -0.5, 2, 0.3, 0.3], wOut = [1, 2, 0, 0.5, 1, 1];
  const tensors = {
    W_E: { shape: [2, 3], data: Float32Array.from([1, 0, 0, 0, 1, 0]) },
    "layers.0.mlp_in": { shape: [3, 2], data: Float32Array.from(wIn) },
    "layers.0.mlp_out": { shape: [2, 3], data: Float32Array.from(wOut) },
  };
  const cfg = { ...RESID_MLP_1, nFeatures: 2, dEmbed: 3, dMlp: 2 };
  const rTruth = residMlpToy("r", "t", cfg).groundTruth(tensors);
  // Component c is feature c's whole mechanism: mlp_in part e_c · W_in[c, :], mlp_out part
  // W_out[:, c] · e_cᵀ. Target contributions: feature 0 [1, 0.25], feature 1 [−1, 2].
  const inComps = fromRankOneFactors(
    "layers.0.mlp_in",
    3,
    2,
    2,
    Float32Array.from([1, 0, 0, 1, 0, 0]),
    Float32Array.from(wIn.slice(0, 4)),
  );
  const outComps = fromRankOneFactors(
    "layers.0.mlp_out",
    2,
    3,
    2,
    Float32Array.from([1, 2, 0.5, 1]), // V[n, c] = W_out[n, c]
    Float32Array.from([1, 0, 0, 0, 1, 0]),
  );
  const ci = { rows: 2, cols: 2, data: Float32Array.from([1, 0, 0, 1]) };
  const result = {
    status: "completed" as const,
    stepsDone: 1,
    curve: [],
    components: [inComps, outComps],
    importanceOneHot: { "layers.0.mlp_in": ci, "layers.0.mlp_out": ci },
    alive: {},
    l0: {},
    losses: {},
    parameterCount: 12,
  };
  const paired = scoreRun(rTruth, { ...result, componentsSpanLayers: true });
  assert.ok(Math.abs(paired["neuron_contrib_slope_paired.layers.0"].value - 1) < 1e-6);
  assert.ok(Math.abs(paired["neuron_contrib_pearson_paired.layers.0"].value - 1) < 1e-9);
  assert.deepEqual(paired["components_representing_1.layers.0"], {
    value: 2,
    direction: "target",
    target: 2,
  });
  assert.equal(paired["components_representing_2.layers.0"].value, 0);
  assert.deepEqual(paired["features_represented.layers.0"], {
    value: 2,
    direction: "target",
    target: 2,
  });
  // A target that does not represent feature 1 (its out-connection [2, 1] shrunk to [0.01,
  // 0.01]: contributions [−0.005, 0.02], all ≤ 0.04) lowers the ideal to 1 for both counts.
  const faint = [...wOut];
  faint[1] = faint[4] = 0.01;
  const fTruth = residMlpToy("r", "t", cfg).groundTruth({
    ...tensors,
    "layers.0.mlp_out": { shape: [2, 3], data: Float32Array.from(faint) },
  });
  const fScores = scoreRun(fTruth, { ...result, componentsSpanLayers: true });
  assert.equal(fScores["features_represented.layers.0"].target, 1);
  assert.equal(fScores["components_representing_1.layers.0"].target, 1);
  // Without the flag the same factors are per-matrix subcomponents: no paired scores.
  const separate = scoreRun(rTruth, result);
  assert.equal(separate["neuron_contrib_slope_paired.layers.0"], undefined);
  assert.equal(separate["components_representing_1.layers.0"].value, 2);
});
