import assert from "node:assert/strict";
import { fromRows, type Matrix, matrix } from "../../bench/linalg/matrix.ts";
import { componentWeight, type LayerComponents } from "../../bench/methods/components.ts";
import {
  componentNeuronContributions,
  componentsPerFeature,
  contributionAgreement,
  meanComponentsPerFeature,
  representationCategories,
  summedWeight,
  targetNeuronContributions,
  targetRepresentedFeatures,
} from "../../bench/metrics/neuron_contributions.ts";

/** Rank-1 components: component c = lefts[c]ᵀ (a dIn column) · rights[c] (a dOut row). */
function rankOne(
  lefts: number[][],
  rights: number[][],
  layer = "layers.0.mlp_in",
): LayerComponents {
  const count = lefts.length, dIn = lefts[0].length, dOut = rights[0].length;
  return {
    layer,
    dIn,
    dOut,
    count,
    rank: 1,
    left: Float32Array.from(lefts.flat()),
    right: Float32Array.from(rights.flat()),
  };
}

function assertClose(actual: ArrayLike<number>, expected: number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  for (let k = 0; k < expected.length; k++) {
    assert.ok(
      Math.abs(actual[k] - expected[k]) <= tol,
      `entry ${k}: ${actual[k]} vs ${expected[k]}`,
    );
  }
}

// Hand case: 2 features, dEmbed 3, dMlp 2 (unit-norm W_E rows).
const handWE = fromRows([[1, 0, 0], [0, 0.6, 0.8]]);
const handWIn = fromRows([[1, -1], [2, 0], [0.5, 3]]); // [dEmbed, dMlp]
const handWOut = fromRows([[1, 0, 2], [-1, 1, 0.5]]); // [dMlp, dEmbed]

Deno.test("targetNeuronContributions: hand-computed 2-feature, dEmbed 3, dMlp 2 case", () => {
  // Feature 0 (W_E row [1, 0, 0]):
  //   in[n]  = Σ_e W_E[0,e]·W_in[e,n] = W_in[0,n]  = [1, -1]
  //   out[n] = Σ_e W_out[n,e]·W_E[0,e] = W_out[n,0] = [1, -1]
  //   contrib = [1·1, (−1)·(−1)] = [1, 1]
  // Feature 1 (W_E row [0, 0.6, 0.8]):
  //   in[0]  = 0.6·W_in[1,0] + 0.8·W_in[2,0] = 0.6·2 + 0.8·0.5 = 1.2 + 0.4 = 1.6
  //   in[1]  = 0.6·W_in[1,1] + 0.8·W_in[2,1] = 0.6·0 + 0.8·3   = 2.4
  //   out[0] = 0.6·W_out[0,1] + 0.8·W_out[0,2] = 0.6·0 + 0.8·2   = 1.6
  //   out[1] = 0.6·W_out[1,1] + 0.8·W_out[1,2] = 0.6·1 + 0.8·0.5 = 1.0
  //   contrib = [1.6·1.6, 2.4·1.0] = [2.56, 2.4]
  const t = targetNeuronContributions(handWE, handWIn, handWOut);
  assert.equal(t.rows, 2);
  assert.equal(t.cols, 2);
  assertClose(t.data, [1, 1, 2.56, 2.4]);
});

Deno.test("componentNeuronContributions: hand case, W_in split by rows, picks the largest max", () => {
  // Components c = 0, 1, 2: e_c (a one-hot dEmbed column) · W_in[c, :]; they sum to W_in.
  // Out-connection from the full W_out: feature 0 → [1, -1], feature 1 → [1.6, 1.0] (see above).
  // Feature 0: only component 0 reads embedding dim 0: in = [1, -1] → contrib [1, 1] (max 1);
  //   components 1 and 2 give [0, 0] (max 0) → chosen 0.
  // Feature 1: component 0 → in [0, 0] → [0, 0] (max 0);
  //   component 1 → in 0.6·[2, 0] = [1.2, 0]   → contrib [1.92, 0]   (max 1.92);
  //   component 2 → in 0.8·[0.5, 3] = [0.4, 2.4] → contrib [0.64, 2.4] (max 2.4) → chosen 2.
  const comps = rankOne([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, -1], [2, 0], [0.5, 3]]);
  const { contributions, chosen } = componentNeuronContributions(handWE, comps, handWOut);
  assert.deepEqual(chosen, [0, 2]);
  assert.equal(contributions.rows, 2);
  assert.equal(contributions.cols, 2);
  assertClose(contributions.data, [1, 1, 0.64, 2.4]);
});

Deno.test("componentNeuronContributions: chooses by maximum (not sum), ties → lowest c", () => {
  // W_E = I₂, W_out = all ones → out[i, n] = W_out[n, i] = 1, so contrib_c[i, :] = W_c[i, :].
  const wE = fromRows([[1, 0], [0, 1]]);
  const wOut = fromRows([[1, 1], [1, 1]]);
  // c0 = [1,0]ᵀ·[3,-10]: feature 0 → [3, -10] (max 3, sum −7); feature 1 → [0, 0].
  // c1 = [1,1]ᵀ·[2, 2]:  feature 0 → [2, 2]  (max 2, sum 4);  feature 1 → [2, 2] (max 2).
  // c2 = [0,1]ᵀ·[2,-1]:  feature 0 → [0, 0];                   feature 1 → [2, -1] (max 2, tie).
  const comps = rankOne([[1, 0], [1, 1], [0, 1]], [[3, -10], [2, 2], [2, -1]]);
  const { contributions, chosen } = componentNeuronContributions(wE, comps, wOut);
  assert.deepEqual(chosen, [0, 1]);
  assertClose(contributions.data, [3, -10, 2, 2]);
});

// Exact-reproduction case: W_E = first 2 rows of I₃, so feature i reads embedding dim i.
const idWE = fromRows([[1, 0, 0], [0, 1, 0]]);
const idWIn = fromRows([[1, -2], [0.5, 3], [4, 1]]);
const idWOut = fromRows([[2, 0.5, 1], [-1, 1, 0]]);

Deno.test("rank-1 components equal to the rows of W_in reproduce the target exactly", () => {
  // target[i, n] = W_in[i, n] · W_out[n, i]:
  //   feature 0: [1·2, (−2)·(−1)] = [2, 2];   feature 1: [0.5·0.5, 3·1] = [0.25, 3].
  const target = targetNeuronContributions(idWE, idWIn, idWOut);
  assertClose(target.data, [2, 2, 0.25, 3]);
  const comps = rankOne([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, -2], [0.5, 3], [4, 1]]);
  const wOutSummed = idWOut; // W_out decomposed exactly
  const { contributions, chosen } = componentNeuronContributions(idWE, comps, wOutSummed);
  assert.deepEqual(chosen, [0, 1]); // component i is the only one feature i reads
  assert.deepEqual(Array.from(contributions.data), Array.from(target.data));
  const agree = contributionAgreement(target, contributions);
  assert.equal(agree.n, 4);
  assert.equal(agree.slope, 1);
  assert.ok(Math.abs(agree.pearson - 1) < 1e-12, `pearson ${agree.pearson}`);
});

Deno.test("components scaled by 0.9 give slope 0.9 and pearson 1", () => {
  const target = targetNeuronContributions(idWE, idWIn, idWOut);
  // Factors are float32, so 0.9·w is stored as fround(0.9·w): agreement to ~1e-7.
  const comps = rankOne(
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    [[1, -2], [0.5, 3], [4, 1]].map((r) => r.map((w) => 0.9 * w)),
  );
  const { contributions, chosen } = componentNeuronContributions(idWE, comps, idWOut);
  assert.deepEqual(chosen, [0, 1]);
  assertClose(contributions.data, [1.8, 1.8, 0.225, 2.7], 1e-6);
  const agree = contributionAgreement(target, contributions);
  assert.ok(Math.abs(agree.slope - 0.9) < 1e-6, `slope ${agree.slope}`);
  assert.ok(Math.abs(agree.pearson - 1) < 1e-12, `pearson ${agree.pearson}`);
});

Deno.test("contributionAgreement: hand-built non-collinear pair", () => {
  // x = [1, 2, 3], y = [1, 3, 2]; means 2, 2; dx = [−1, 0, 1], dy = [−1, 1, 0].
  // Σdx·dy = 1, Σdx² = 2, Σdy² = 2 → pearson = 1/√(2·2) = 0.5.
  // Through-origin slope = Σxy/Σx² = (1 + 6 + 6)/(1 + 4 + 9) = 13/14.
  const r = contributionAgreement(fromRows([[1, 2, 3]]), fromRows([[1, 3, 2]]));
  assert.equal(r.n, 3);
  assert.ok(Math.abs(r.pearson - 0.5) < 1e-12, `pearson ${r.pearson}`);
  assert.ok(Math.abs(r.slope - 13 / 14) < 1e-12, `slope ${r.slope}`);
});

Deno.test("contributionAgreement: zero-target pairs count (pearson) but leave the slope alone", () => {
  // x = [0, 1], y = [5, 1]: slope = (0·5 + 1·1)/(0 + 1) = 1; dx = [−.5, .5], dy = [2, −2] → −1.
  const r = contributionAgreement(fromRows([[0], [1]]), fromRows([[5], [1]]));
  assert.equal(r.n, 2);
  assert.equal(r.slope, 1);
  assert.ok(Math.abs(r.pearson + 1) < 1e-12, `pearson ${r.pearson}`);
  // Degenerate inputs give NaN rather than a misleading number.
  const flat = contributionAgreement(fromRows([[2, 2]]), fromRows([[1, 3]]));
  assert.ok(Number.isNaN(flat.pearson));
  assert.equal(flat.slope, 1); // (2 + 6)/(4 + 4)
  assert.ok(Number.isNaN(contributionAgreement(fromRows([[0, 0]]), fromRows([[1, 3]])).slope));
  const empty = contributionAgreement(matrix(0, 0, new Float64Array()), fromRows([]));
  assert.equal(empty.n, 0);
  assert.ok(Number.isNaN(empty.pearson) && Number.isNaN(empty.slope));
});

Deno.test("summedWeight: sums rank-2 components and matches componentWeight", () => {
  // c0: left [[1,0],[0,1]], right [[1,2,3],[4,5,6]] → W0 = [[1,2,3],[4,5,6]]
  // c1: left [[1,1],[0,2]], right [[1,0,0],[0,0,1]] → W1 = [[1,0,1],[0,0,2]]
  // Σ = [[2,2,4],[4,5,8]]
  const lc: LayerComponents = {
    layer: "layers.0.mlp_out",
    dIn: 2,
    dOut: 3,
    count: 2,
    rank: 2,
    left: Float32Array.from([1, 0, 0, 1, 1, 1, 0, 2]),
    right: Float32Array.from([1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 0, 1]),
  };
  const s = summedWeight(lc);
  assert.equal(s.rows, 2);
  assert.equal(s.cols, 3);
  assert.deepEqual(Array.from(s.data), [2, 2, 4, 4, 5, 8]);
  const w0 = componentWeight(lc, 0), w1 = componentWeight(lc, 1);
  assert.deepEqual(Array.from(s.data), Array.from(w0.data, (v, k) => v + w1.data[k]));
});

Deno.test("componentNeuronContributions: rank-2 component uses both factors", () => {
  // W_E = I₂, out from W_out = all ones → 1, so contrib_c[i, :] = W_c[i, :] (W0, W1 above,
  // restricted to dOut = dMlp = 3). wOutSummed is [dMlp = 3, dEmbed = 2] of ones.
  // Feature 0: W0 row [1,2,3] (max 3) vs W1 row [1,0,1] (max 1) → c0.
  // Feature 1: W0 row [4,5,6] (max 6) vs W1 row [0,0,2] (max 2) → c0.
  const lc: LayerComponents = {
    layer: "layers.0.mlp_in",
    dIn: 2,
    dOut: 3,
    count: 2,
    rank: 2,
    left: Float32Array.from([1, 0, 0, 1, 1, 1, 0, 2]),
    right: Float32Array.from([1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 0, 1]),
  };
  const ones = fromRows([[1, 1], [1, 1], [1, 1]]);
  const { contributions, chosen } = componentNeuronContributions(
    fromRows([[1, 0], [0, 1]]),
    lc,
    ones,
  );
  assert.deepEqual(chosen, [0, 0]);
  assert.deepEqual(Array.from(contributions.data), [1, 2, 3, 4, 5, 6]);
});

Deno.test("componentsPerFeature and meanComponentsPerFeature", () => {
  // Row 0: 0.95 > 0.1 only (0.1 is not > 0.1) → 1.  Row 1: 0.2, 0.5, 0.11 → 3.  Mean 2.
  const imp = fromRows([[0.95, 0.05, 0.1], [0.2, 0.5, 0.11]]);
  assert.deepEqual(componentsPerFeature(imp), [1, 3]);
  assert.equal(meanComponentsPerFeature(imp), 2);
  // Threshold 0.3: row 0 → 1 (0.95), row 1 → 1 (0.5); mean 1.
  assert.deepEqual(componentsPerFeature(imp, 0.3), [1, 1]);
  assert.equal(meanComponentsPerFeature(imp, 0.3), 1);
  // Float32 data: the threshold is rounded to float32, so fround(0.1) is not above it.
  const f32 = matrix(1, 3, Float32Array.from([0.1, 0.5, 0.0999]));
  assert.deepEqual(componentsPerFeature(f32), [1]);
  // Float64 data equal to fround(0.1) (> 0.1 in float64) does count.
  assert.deepEqual(componentsPerFeature(fromRows([[Math.fround(0.1)]])), [1]);
});

Deno.test("shape and argument errors are RangeErrors naming the argument", () => {
  const m = (r: number, c: number): Matrix => matrix(r, c, new Float64Array(r * c));
  assert.throws(() => targetNeuronContributions(m(2, 3), m(4, 2), m(2, 3)), {
    name: "RangeError",
    message: /wIn has shape 4x2.*wE 2x3/,
  });
  assert.throws(() => targetNeuronContributions(m(2, 3), m(3, 2), m(3, 2)), {
    name: "RangeError",
    message: /wOut has shape 3x2 but needs 2x3/,
  });
  assert.throws(
    () =>
      targetNeuronContributions({ rows: 2, cols: 3, data: new Float64Array(5) }, m(3, 2), m(2, 3)),
    { name: "RangeError", message: /wE has shape 2x3 but 5 entries/ },
  );
  const comps = rankOne([[1, 0, 0], [0, 1, 0]], [[1, 1], [1, 1]]); // dIn 3, dOut 2
  assert.throws(() => componentNeuronContributions(m(2, 4), comps, m(2, 4)), {
    name: "RangeError",
    message: /inComponents.*needs dIn = 4/,
  });
  assert.throws(() => componentNeuronContributions(m(2, 3), comps, m(3, 2)), {
    name: "RangeError",
    message: /wOutSummed has shape 3x2 but needs 2x3/,
  });
  const none: LayerComponents = {
    ...comps,
    count: 0,
    left: new Float32Array(),
    right: new Float32Array(),
  };
  assert.throws(() => componentNeuronContributions(m(2, 3), none, m(2, 3)), {
    name: "RangeError",
    message: /no components/,
  });
  assert.throws(() => summedWeight({ ...comps, rank: 2 }), {
    name: "RangeError",
    message: /components\.left has 6 entries, expected/,
  });
  assert.throws(() => contributionAgreement(m(2, 3), m(3, 2)), {
    name: "RangeError",
    message: /fitted has shape 3x2 but target has shape 2x3/,
  });
  assert.throws(() => componentsPerFeature(m(1, 2), NaN), {
    name: "RangeError",
    message: /threshold/,
  });
  assert.throws(() => meanComponentsPerFeature(m(0, 3)), {
    name: "RangeError",
    message: /importanceOneHot has shape 0x3/,
  });
});

// Categories case: W_E = I₃, so in_c[i, n] = left_c[i]·right_c[n] and out[i, n] = W_out[n, i].
const catWE = fromRows([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
const catWOut = fromRows([[1, 1, 0], [1, 1, 1], [0, 0, 1]]); // out[0] = out[1] = [1,1,0], out[2] = [0,1,1]
const catIn = rankOne(
  [[1, 1, 0], [0, 0, 1], [0, 0, 1], [1, 1, 1], [1, 0, 0]],
  [[1, 0, 0], [0, 0, 1], [0, 0, 0.01], [0, 1, 0], [-1, 0, 0]],
);

Deno.test("representationCategories: features per component by apd.md §7.2's 0.04 cutoff", () => {
  // c0 reads features 0 and 1 into neuron 0: contrib [1,0,0] for both (duo); feature 2 reads 0.
  // c1 reads feature 2 into neuron 2: [0,0,1]·[0,1,1] → max 1 (mono).
  // c2 the same at 0.01: max 0.01 ≤ 0.04 (dead).
  // c3 reads every feature into neuron 1, which writes back onto all three: poly (3).
  // c4 is negative: contrib [−1,0,0], max 0 (dead: the maximum, not the magnitude, counts).
  const cat = representationCategories(catWE, catIn, catWOut);
  assert.deepEqual(cat, {
    featuresPer: [2, 1, 0, 3, 0],
    dead: 2,
    mono: 1,
    duo: 1,
    poly: 1,
    represented: 3,
  });
  // A cutoff of 0.005 counts c2 too (a second mono); 1 drops every contribution, all ≤ 1.
  assert.equal(representationCategories(catWE, catIn, catWOut, 0.005).mono, 2);
  assert.equal(representationCategories(catWE, catIn, catWOut, 1).represented, 0);
  assert.throws(
    () => representationCategories(catWE, catIn, catWOut, NaN),
    /cutoff must be a finite number/,
  );
});

Deno.test("targetRepresentedFeatures: rows whose largest contribution exceeds the cutoff", () => {
  // Rows: max 0.5 (in), max exactly 0.04 (out: the cutoff is strict), max 0.05 beside a large
  // negative entry (in: the maximum, not the magnitude, counts), all negative (out).
  const c = fromRows([[0.5, 0.1], [0.04, -0.3], [-2, 0.05], [-0.2, -0.1]]);
  assert.equal(targetRepresentedFeatures(c), 2);
  assert.equal(targetRepresentedFeatures(c, 0.03), 3);
  assert.equal(targetRepresentedFeatures(c, -0.15), 4);
  // The categories' `represented` on the target's own per-feature pieces reaches exactly this:
  // with W_E = I₃ the component for feature i is e_i · W_in[i, :], read through the full W_out.
  // Feature 2 reads into neuron 0 (0.03), which writes nothing back onto it, and into neuron 2
  // only at 0.01: the target does not represent it.
  const wInRows = [[1, 0.02, 0], [0, 0.5, 0.01], [0.03, 0, 0.01]];
  const target = targetNeuronContributions(catWE, fromRows(wInRows), catWOut);
  const pieces = rankOne([[1, 0, 0], [0, 1, 0], [0, 0, 1]], wInRows);
  assert.equal(targetRepresentedFeatures(target), 2);
  assert.equal(representationCategories(catWE, pieces, catWOut).represented, 2);
  assert.throws(() => targetRepresentedFeatures(c, Infinity), /cutoff must be a finite number/);
  assert.throws(
    () => targetRepresentedFeatures({ rows: 2, cols: 2, data: new Float64Array(3) }),
    /contributions/,
  );
});

Deno.test("paired out-connections: each in-component is read with its own W_out part", () => {
  // Out parts: c0's neuron 0 writes onto embedding dim 0 only, c1's neuron 2 onto dim 2, the
  // rest are zero. So c0 represents feature 0 alone (its feature-1 out-connection is 0), c1
  // feature 2, and c3 (no out part) nothing.
  const catOut = rankOne(
    [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0]],
    [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0]],
    "layers.0.mlp_out",
  );
  const cat = representationCategories(catWE, catIn, catOut);
  assert.deepEqual(cat.featuresPer, [1, 1, 0, 0, 0]);
  assert.equal(cat.mono, 2);
  assert.equal(cat.represented, 2);
  const { contributions, chosen } = componentNeuronContributions(catWE, catIn, catOut);
  assert.equal(chosen[0], 0);
  assert.equal(chosen[2], 1);
  assertClose(contributions.data.subarray(0, 3), [1, 0, 0]);
  assertClose(contributions.data.subarray(6, 9), [0, 0, 1]);
  // Pairing needs one out part per in-component, of shape dMlp x dEmbed.
  const short = {
    ...catOut,
    count: 4,
    left: catOut.left.slice(0, 12),
    right: catOut.right.slice(0, 12),
  };
  assert.throws(
    () => representationCategories(catWE, catIn, short),
    /outComponents \(layers.0.mlp_out\) has 4 components of shape 3x3 but needs 5 of 3x3/,
  );
});
