import assert from "node:assert/strict";
import {
  fromRankOneFactors,
  greedyIdentityOrder,
  type GroundTruth,
  importanceArtifact,
  MAX_DENSE_CELLS,
  type MethodResult,
  recovery,
  round4,
  runArtifacts,
  targetNeuronContributions,
  TMS_5_2,
  tmsToy,
} from "../../mod.ts";
import { pentagonTensors, solvedTmsResult } from "../helpers/pentagon.ts";

const C = 20;
const tensors = pentagonTensors();
const truth = tmsToy("tms_5-2", "t", TMS_5_2).groundTruth(tensors);

/** Solved TMS 5-2; the live importance has more than 4 significant digits, to see the rounding. */
const solved = () => solvedTmsResult({ liveImportance: 0.97123456 });

Deno.test("round4 keeps 4 significant digits and leaves non-finite values alone", () => {
  assert.equal(round4(0.97123456), 0.9712);
  assert.equal(round4(123456), 123500);
  assert.equal(round4(-0.000012346), -0.00001235);
  assert.equal(round4(-0), 0);
  assert.ok(Number.isNaN(round4(NaN)));
  assert.equal(round4(Infinity), Infinity);
});

Deno.test("TMS 5-2 artifacts: every column kept in spd.md §7.3 order, cosine best matches first", () => {
  const r = solved();
  const a = runArtifacts(truth, r);
  assert.equal(a.version, 1);
  assert.deepEqual(Object.keys(a.importanceOneHot).sort(), ["linear1", "linear2"]);
  const imp = a.importanceOneHot.linear1;
  assert.equal(imp.dropped, 0);
  assert.deepEqual(imp.components, greedyIdentityOrder(r.importanceOneHot.linear1));
  assert.deepEqual(imp.components.slice(0, 5), [7, 3, 12, 0, 9]);
  assert.equal(imp.values.length, 5);
  for (let i = 0; i < 5; i++) {
    assert.equal(imp.values[i].length, C);
    assert.equal(imp.values[i][i], 0.9712, "diagonal after ordering, rounded to 4 digits");
  }
  const cos = a.cosine!;
  assert.equal(cos.layer, "linear1");
  assert.deepEqual(cos.bestComponent, [7, 3, 12, 0, 9]);
  assert.deepEqual(cos.components.slice(0, 5), [7, 3, 12, 0, 9]);
  assert.equal(cos.components.length + cos.dropped, C);
  const full = recovery(truth.features!.vectors, r.components[0]);
  for (let k = 0; k < cos.components.length; k++) {
    assert.deepEqual(cos.values[k], Array.from(full.cosine[cos.components[k]], round4));
  }
  for (let j = 0; j < 5; j++) assert.ok(Math.abs(cos.values[j][j] - 1) < 1e-4);
  assert.deepEqual(a.neuronContributions, []);
});

Deno.test("large importance matrices keep alive or important columns and count the rest", () => {
  const rows = 50, cols = 60; // 3000 cells > MAX_DENSE_CELLS
  assert.ok(rows * cols > MAX_DENSE_CELLS);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) data[i * cols + ((i * 7) % cols)] = 0.9; // 50 important columns
  const important = new Set(Array.from({ length: rows }, (_, i) => (i * 7) % cols));
  const unused = Array.from({ length: cols }, (_, c) => c).filter((c) => !important.has(c));
  const [aliveCol, deadCol] = unused;
  data[0 * cols + deadCol] = 0.05; // a dead column with some small importance
  const alive = new Array(cols).fill(false);
  alive[aliveCol] = true; // alive on the evaluation set although not on the one-hot batch
  const a = importanceArtifact({ rows, cols, data }, alive);
  assert.equal(a.components.length, important.size + 1);
  assert.ok(a.components.includes(aliveCol));
  assert.ok(!a.components.includes(deadCol));
  assert.equal(a.dropped, cols - a.components.length);
  assert.equal(a.droppedMax, 0.05);
  for (let i = 0; i < rows; i++) {
    assert.equal(a.values[i][i], 0.9, "greedy order puts row i's column at i");
  }
});

Deno.test("residual MLP artifacts: target and fitted neuron contributions per layer", () => {
  // 3 features, d_embed 2, d_mlp 2; mlp_in split into one rank-1 component per neuron.
  const embedding = { rows: 3, cols: 2, data: Float64Array.from([1, 0, 0, 1, 0.6, 0.8]) };
  const wIn = { rows: 2, cols: 2, data: Float64Array.from([1, 0.5, -0.5, 1]) };
  const wOut = { rows: 2, cols: 2, data: Float64Array.from([0.8, 0.1, 0.2, 0.9]) };
  const residTruth: GroundTruth = {
    features: null,
    ciPatterns: {},
    residual: {
      embedding,
      layers: [{ mlpIn: "layers.0.mlp_in", mlpOut: "layers.0.mlp_out", wIn, wOut }],
    },
  };
  // mlp_in components: c0 = W_in[:,0] e0ᵀ, c1 = W_in[:,1] e1ᵀ; mlp_out one component = W_out.
  const inComps = fromRankOneFactors(
    "layers.0.mlp_in",
    2,
    2,
    2,
    Float32Array.from([1, 0.5, -0.5, 1]),
    Float32Array.from([1, 0, 0, 1]),
  );
  const outComps = fromRankOneFactors(
    "layers.0.mlp_out",
    2,
    2,
    2,
    Float32Array.from([0.8, 0.1, 0.2, 0.9]),
    Float32Array.from([1, 0, 0, 1]),
  );
  const result: MethodResult = {
    status: "completed",
    stepsDone: 1,
    curve: [],
    components: [inComps, outComps],
    importanceOneHot: {},
    alive: {},
    l0: {},
    losses: {},
    parameterCount: 0,
  };
  const a = runArtifacts(residTruth, result);
  assert.equal(a.cosine, null);
  assert.equal(a.neuronContributions.length, 1);
  const nc = a.neuronContributions[0];
  assert.equal(nc.layer, "layers.0.mlp_in");
  assert.equal(nc.nFeatures, 3);
  assert.equal(nc.dMlp, 2);
  assert.equal(nc.dropped, 0);
  assert.equal(nc.target.length, 6);
  const target = targetNeuronContributions(embedding, wIn, wOut);
  assert.deepEqual(nc.target, Array.from(target.data, round4));
  assert.deepEqual(nc.feature, [0, 0, 1, 1, 2, 2]);
  assert.deepEqual(nc.neuron, [0, 1, 0, 1, 0, 1]);
  assert.equal(nc.chosen.length, 3);
  assert.equal(nc.fittedPaired, undefined);

  // The same factors as components spanning both matrices: component c's own mlp_out part is
  // W_out[:, c] written onto embedding dim c, so feature i's out-connection through c is
  // W_out[n, c]·W_E[i, c]. Best per feature: f0 → c0 [1·0.8, 0], f1 → c1 [0, 1·0.9],
  // f2 → c1 [0, (0.5·0.6 + 0.8)·(0.9·0.8)] = [0, 0.792] (c0 gives only [0.2·0.48, 0] there).
  const spanning = runArtifacts(residTruth, { ...result, componentsSpanLayers: true });
  assert.deepEqual(spanning.neuronContributions[0].fittedPaired, [0.8, 0, 0, 0.9, 0, 0.792]);
  assert.deepEqual(spanning.neuronContributions[0].fitted, nc.fitted);
});
