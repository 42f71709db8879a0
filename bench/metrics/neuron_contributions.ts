/**
 * Residual-MLP neuron contributions of spd.md §7.6 ([P] §Compressed computation, [SP]
 * `resid_mlp_interp.py`), plus the "components per feature" count used to read the
 * causal-importance plots of spd.md §7.3 and the importance sweep of §7.7.
 *
 * The neuron contribution of feature i to MLP neuron n measures how strongly the feature is
 * written into the neuron (through W_E then W_in) times how strongly the neuron writes back onto
 * the feature's unembedding direction (through W_out then W_U = W_Eᵀ). A decomposition that
 * implements the same computation should reproduce this per-feature vector with a single W_in
 * component (plus the full summed decomposed W_out).
 *
 * Layout: this repo stores a linear layer as `[dIn, dOut]` and maps row vectors `x · W`, i.e. the
 * TRANSPOSE of torch's `nn.Linear.weight`. So W_E is `[nFeatures, dEmbed]`, W_in (layer
 * `layers.{i}.mlp_in`) is `[dEmbed, dMlp]` and W_out (layer `layers.{i}.mlp_out`) is
 * `[dMlp, dEmbed]`. Multi-layer models are scored per layer, with that layer's W_in and W_out.
 *
 * Pure functions on {@linkcode Matrix} and {@linkcode LayerComponents}; no tensors, no I/O. All
 * accumulation is in float64.
 *
 * @module
 */

import type { Matrix } from "../linalg/matrix.ts";
import { componentWeight, type LayerComponents } from "../methods/components.ts";
import { pearson } from "./stats.ts";

/** Default importance threshold for {@linkcode componentsPerFeature} (τ of spd.md §7.4). */
const DEFAULT_THRESHOLD = 0.1;

function shape(m: Matrix): string {
  return `${m.rows}x${m.cols}`;
}

function checkMatrix(fn: string, name: string, m: Matrix): void {
  if (
    !Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 0 ||
    m.data.length !== m.rows * m.cols
  ) {
    throw new RangeError(
      `${fn}: ${name} has shape ${shape(m)} but ${m.data.length} entries`,
    );
  }
}

function checkComponents(fn: string, name: string, lc: LayerComponents): void {
  const { dIn, dOut, count, rank, left, right } = lc;
  for (const [k, v] of [["dIn", dIn], ["dOut", dOut], ["count", count], ["rank", rank]] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`${fn}: ${name}.${k} must be a non-negative integer, got ${v}`);
    }
  }
  if (left.length !== count * dIn * rank) {
    throw new RangeError(
      `${fn}: ${name}.left has ${left.length} entries, expected count*dIn*rank = ` +
        `${count}*${dIn}*${rank} = ${count * dIn * rank}`,
    );
  }
  if (right.length !== count * rank * dOut) {
    throw new RangeError(
      `${fn}: ${name}.right has ${right.length} entries, expected count*rank*dOut = ` +
        `${count}*${rank}*${dOut} = ${count * rank * dOut}`,
    );
  }
}

/**
 * Out-connection out[i, n] = Σ_e wOut[n, e] · wE[i, e] (`[nFeatures, dMlp]`): how much neuron n
 * writes onto feature i's unembedding direction W_U[i, :] = W_E[i, :].
 */
function outConnections(wE: Matrix, wOut: Matrix): Float64Array {
  const nF = wE.rows, dE = wE.cols, dM = wOut.rows;
  const out = new Float64Array(nF * dM);
  for (let i = 0; i < nF; i++) {
    const eOff = i * dE;
    for (let n = 0; n < dM; n++) {
      const wOff = n * dE;
      let s = 0;
      for (let e = 0; e < dE; e++) s += wOut.data[wOff + e] * wE.data[eOff + e];
      out[i * dM + n] = s;
    }
  }
  return out;
}

/**
 * Target-model neuron contributions of spd.md §7.6, `[nFeatures, dMlp]`:
 *
 *   contrib[i, n] = (Σ_e W_E[i,e]·W_in[e,n]) · (Σ_e W_out[n,e]·W_E[i,e]).
 *
 * The first factor is the in-connection (feature i's embedding read by neuron n), the second the
 * out-connection (neuron n's output read back along W_U[i, :] = W_E[i, :]).
 *
 * Derivation from spd.md's code-layout formula: there, `mlp_in.weight` is torch's
 * `[d_mlp, d_embed]` and `mlp_out.weight` is `[d_embed, d_mlp]`, giving
 * contrib[i, n] = (Σ_e W_E[i,e]·W_in^torch[n,e]) · (Σ_e W_out^torch[e,n]·W_E[i,e]). This repo
 * stores the transposes, W_in = (W_in^torch)ᵀ `[dEmbed, dMlp]` and W_out = (W_out^torch)ᵀ
 * `[dMlp, dEmbed]`, so W_in^torch[n,e] = W_in[e,n] and W_out^torch[e,n] = W_out[n,e], which
 * gives the formula above. W_E `[nFeatures, dEmbed]` has the same layout in both.
 *
 * For a multi-layer model call it once per layer with that layer's W_in and W_out (spd.md §7.6).
 *
 * @param wE embedding W_E, `[nFeatures, dEmbed]`.
 * @param wIn the layer's `mlp_in` weight, `[dEmbed, dMlp]`.
 * @param wOut the layer's `mlp_out` weight, `[dMlp, dEmbed]`.
 * @returns contributions `[nFeatures, dMlp]`.
 * @throws {RangeError} when a data length does not match its shape, or the shapes disagree
 *   (naming the argument and both shapes).
 */
export function targetNeuronContributions(wE: Matrix, wIn: Matrix, wOut: Matrix): Matrix {
  const fn = "targetNeuronContributions";
  checkMatrix(fn, "wE", wE);
  checkMatrix(fn, "wIn", wIn);
  checkMatrix(fn, "wOut", wOut);
  const nF = wE.rows, dE = wE.cols, dM = wIn.cols;
  if (wIn.rows !== dE) {
    throw new RangeError(
      `${fn}: wIn has shape ${shape(wIn)} but needs ${dE} rows (dEmbed of wE ${shape(wE)})`,
    );
  }
  if (wOut.rows !== dM || wOut.cols !== dE) {
    throw new RangeError(
      `${fn}: wOut has shape ${shape(wOut)} but needs ${dM}x${dE} ` +
        `(dMlp of wIn ${shape(wIn)} x dEmbed of wE ${shape(wE)})`,
    );
  }
  const out = outConnections(wE, wOut);
  const data = new Float64Array(nF * dM);
  const inc = new Float64Array(dM);
  for (let i = 0; i < nF; i++) {
    inc.fill(0);
    for (let e = 0; e < dE; e++) {
      const a = wE.data[i * dE + e];
      if (a === 0) continue;
      const off = e * dM;
      for (let n = 0; n < dM; n++) inc[n] += a * wIn.data[off + n];
    }
    for (let n = 0; n < dM; n++) data[i * dM + n] = inc[n] * out[i * dM + n];
  }
  return { rows: nF, cols: dM, data };
}

/**
 * Where a component's out-connection comes from: one matrix for every `mlp_in` component (the
 * full summed decomposed W_out `[dMlp, dEmbed]`, spd.md §7.6), or the `mlp_out` components
 * themselves, paired by index with the `mlp_in` ones (a method whose component c spans every
 * decomposed matrix, as APD's; apd.md §7.2 "W_in,c and W_out,c").
 */
export type OutConnection = Matrix | LayerComponents;

function isComponents(out: OutConnection): out is LayerComponents {
  return "count" in out;
}

/**
 * Calls `visit(c, i, contrib)` with contrib = in_c[i, :] ⊙ out_c[i, :] (length dMlp, reused
 * between calls) for every component c of `inComponents` and feature i, after checking shapes.
 */
function visitContributions(
  fn: string,
  wE: Matrix,
  inComponents: LayerComponents,
  out: OutConnection,
  visit: (c: number, i: number, contrib: Float64Array) => void,
): void {
  checkMatrix(fn, "wE", wE);
  checkComponents(fn, "inComponents", inComponents);
  const nF = wE.rows, dE = wE.cols;
  const { dIn, dOut: dM, count, rank, left, right } = inComponents;
  if (dIn !== dE) {
    throw new RangeError(
      `${fn}: inComponents (${inComponents.layer}) has shape ${dIn}x${dM} but needs dIn = ${dE} ` +
        `(dEmbed of wE ${shape(wE)})`,
    );
  }
  if (count < 1) throw new RangeError(`${fn}: inComponents has no components (count 0)`);
  let outOf: (c: number) => Float64Array;
  if (isComponents(out)) {
    checkComponents(fn, "outComponents", out);
    if (out.count !== count || out.dIn !== dM || out.dOut !== dE) {
      throw new RangeError(
        `${fn}: outComponents (${out.layer}) has ${out.count} components of shape ` +
          `${out.dIn}x${out.dOut} but needs ${count} of ${dM}x${dE} (paired with inComponents)`,
      );
    }
    outOf = (c) => outConnections(wE, componentWeight(out, c));
  } else {
    checkMatrix(fn, "wOutSummed", out);
    if (out.rows !== dM || out.cols !== dE) {
      throw new RangeError(
        `${fn}: wOutSummed has shape ${shape(out)} but needs ${dM}x${dE} ` +
          `(dOut of inComponents ${dIn}x${dM} x dEmbed of wE ${shape(wE)})`,
      );
    }
    const shared = outConnections(wE, out);
    outOf = () => shared;
  }
  const proj = new Float64Array(rank);
  const contrib = new Float64Array(dM);
  for (let c = 0; c < count; c++) {
    const outC = outOf(c);
    for (let i = 0; i < nF; i++) {
      // proj = W_E[i, :] · left_c   ([rank])
      proj.fill(0);
      for (let e = 0; e < dE; e++) {
        const a = wE.data[i * dE + e];
        if (a === 0) continue;
        const off = (c * dIn + e) * rank;
        for (let r = 0; r < rank; r++) proj[r] += a * left[off + r];
      }
      // contrib = (proj · right_c) ⊙ out_c[i, :]
      contrib.fill(0);
      for (let r = 0; r < rank; r++) {
        const p = proj[r];
        if (p === 0) continue;
        const off = (c * rank + r) * dM;
        for (let n = 0; n < dM; n++) contrib[n] += p * right[off + n];
      }
      for (let n = 0; n < dM; n++) contrib[n] *= outC[i * dM + n];
      visit(c, i, contrib);
    }
  }
}

/** Largest entry of a contribution vector; −∞ when it holds a NaN. */
function maxContribution(contrib: Float32Array | Float64Array): number {
  let max = -Infinity;
  for (let n = 0; n < contrib.length; n++) max = Math.max(max, contrib[n]); // NaN propagates
  return Number.isNaN(max) ? -Infinity : max;
}

/**
 * Decomposition neuron contributions of spd.md §7.6, `[nFeatures, dMlp]`, with the component
 * chosen per feature.
 *
 * For feature i and component c of the `mlp_in` decomposition (weight W_c `[dEmbed, dMlp]`):
 * - in-connection: in_c[i, n] = Σ_e W_E[i,e]·W_c[e,n] (for SPD's rank-1 subcomponents this is
 *   Σ_e W_E[i,e]·V_in[e,c]·U_in[c,n], as spd.md writes it);
 * - out-connection: with a matrix, the **full summed** decomposed W_out (spd.md §7.6; see
 *   {@linkcode summedWeight}), out[i, n] = Σ_e wOutSummed[n,e]·W_E[i,e]; with the `mlp_out`
 *   components, component c's own W_out,c (apd.md §7.2, for components that span both matrices);
 * - contribution: in_c[i, :] ⊙ out_c[i, :].
 *
 * For each feature the component whose contribution vector has the largest maximum over neurons
 * is chosen (ties → the lowest c, strict comparison; a vector containing NaN scores −∞), and
 * row i of the result is that component's vector.
 * Compare the result with {@linkcode targetNeuronContributions} via
 * {@linkcode contributionAgreement}.
 *
 * in_c is computed through the factors, (W_E · left_c) · right_c, so the cost is
 * O(nFeatures · count · rank · (dEmbed + dMlp)), plus one out-connection per component when the
 * components are paired.
 *
 * @param wE embedding W_E, `[nFeatures, dEmbed]`.
 * @param inComponents the components of the layer's `mlp_in` (dIn = dEmbed, dOut = dMlp),
 *   count ≥ 1.
 * @param out the summed decomposed `mlp_out` weight `[dMlp, dEmbed]`, or the layer's `mlp_out`
 *   components paired by index with `inComponents` (same count, dIn = dMlp, dOut = dEmbed).
 * @returns `contributions` `[nFeatures, dMlp]` and `chosen[i]`, the component index for feature i.
 * @throws {RangeError} on data lengths that do not match shapes, count = 0, or shape mismatches.
 */
export function componentNeuronContributions(
  wE: Matrix,
  inComponents: LayerComponents,
  out: OutConnection,
): { contributions: Matrix; chosen: number[] } {
  const nF = wE.rows, dM = inComponents.dOut;
  const data = new Float64Array(nF * dM);
  const chosen = new Array<number>(nF).fill(0);
  const best = new Float64Array(nF).fill(-Infinity);
  visitContributions("componentNeuronContributions", wE, inComponents, out, (c, i, contrib) => {
    const score = maxContribution(contrib);
    if (c === 0 || score > best[i]) {
      best[i] = score;
      chosen[i] = c;
      data.set(contrib, i * dM);
    }
  });
  return { contributions: { rows: nF, cols: dM, data }, chosen };
}

/** apd.md §7.2's cutoff: component c represents feature i when max_n contribution > 0.04. */
export const REPRESENTATION_CUTOFF = 0.04;

function checkCutoff(fn: string, cutoff: number): void {
  if (typeof cutoff !== "number" || !Number.isFinite(cutoff)) {
    throw new RangeError(`${fn}: cutoff must be a finite number, got ${cutoff}`);
  }
}

/**
 * How many features each component represents, by apd.md §7.2's "subnet categories" ([HEAD]
 * `resid_mlp` plotting, `diag_relu_conns`): component c represents feature i when
 * max_n in_c[i, n] · out_c[i, n] exceeds `cutoff` (in- and out-connections as in
 * {@linkcode componentNeuronContributions}, so `out` is the summed W_out or the paired `mlp_out`
 * components).
 *
 * The APD paper's claims read off these counts: about one component per feature ("mono"), with
 * some carrying two ("duo") when top-k is too small, and some features spread over several
 * components when it is too large.
 *
 * @returns per component the number of features it represents (`featuresPer`), the counts of
 *   components representing none (dead), exactly 1, exactly 2 and more than 2 features, and the
 *   number of features represented by at least one component.
 * @throws {RangeError} as {@linkcode componentNeuronContributions}, and on a non-finite cutoff.
 */
export function representationCategories(
  wE: Matrix,
  inComponents: LayerComponents,
  out: OutConnection,
  cutoff: number = REPRESENTATION_CUTOFF,
): {
  featuresPer: number[];
  dead: number;
  mono: number;
  duo: number;
  poly: number;
  represented: number;
} {
  const fn = "representationCategories";
  checkCutoff(fn, cutoff);
  const featuresPer = new Array<number>(inComponents.count).fill(0);
  const covered = new Array<boolean>(wE.rows).fill(false);
  visitContributions(fn, wE, inComponents, out, (c, i, contrib) => {
    if (maxContribution(contrib) > cutoff) {
      featuresPer[c]++;
      covered[i] = true;
    }
  });
  const count = (pred: (k: number) => boolean) => featuresPer.filter(pred).length;
  return {
    featuresPer,
    dead: count((k) => k === 0),
    mono: count((k) => k === 1),
    duo: count((k) => k === 2),
    poly: count((k) => k > 2),
    represented: covered.filter(Boolean).length,
  };
}

/**
 * How many features the target itself represents at the categories' cutoff: the rows of its
 * neuron contributions ({@linkcode targetNeuronContributions}) whose largest entry exceeds
 * `cutoff`. This, not the feature count, is what a decomposition that copies the target's
 * per-feature mechanisms reaches in {@linkcode representationCategories}' `represented` (and
 * `mono`), so it is their ideal: in a multi-layer model a layer may carry only part of the
 * features (the 2-layer residual MLP's target represents 94 and 88 of its 100 features in layers
 * 0 and 1 at 0.04).
 *
 * @param contributions target contributions `[nFeatures, dMlp]`.
 * @param cutoff as in {@linkcode representationCategories}.
 * @throws {RangeError} on a non-finite cutoff, or a data length that does not match the shape.
 */
export function targetRepresentedFeatures(
  contributions: Matrix,
  cutoff: number = REPRESENTATION_CUTOFF,
): number {
  checkCutoff("targetRepresentedFeatures", cutoff);
  checkMatrix("targetRepresentedFeatures", "contributions", contributions);
  const { rows, cols, data } = contributions;
  let count = 0;
  for (let i = 0; i < rows; i++) {
    if (maxContribution(data.subarray(i * cols, (i + 1) * cols)) > cutoff) count++;
  }
  return count;
}

/**
 * The summed weight Σ_c W_c of a decomposition, `[dIn, dOut]` — e.g. the full summed
 * decomposed W_out that spd.md §7.6 uses as the out-connection in
 * {@linkcode componentNeuronContributions}.
 *
 * @param components the decomposition of one matrix.
 * @returns Σ_c left_c · right_c, `[dIn, dOut]`, in float64.
 * @throws {RangeError} when the factor lengths do not match count, dIn, dOut and rank.
 */
export function summedWeight(components: LayerComponents): Matrix {
  checkComponents("summedWeight", "components", components);
  const { dIn, dOut, count, rank, left, right } = components;
  const data = new Float64Array(dIn * dOut);
  for (let c = 0; c < count; c++) {
    for (let i = 0; i < dIn; i++) {
      const rowOff = i * dOut;
      for (let r = 0; r < rank; r++) {
        const a = left[(c * dIn + i) * rank + r];
        if (a === 0) continue;
        const off = (c * rank + r) * dOut;
        for (let o = 0; o < dOut; o++) data[rowOff + o] += a * right[off + o];
      }
    }
  }
  return { rows: dIn, cols: dOut, data };
}

/**
 * Agreement of fitted neuron contributions with the target ones (spd.md §7.6, whose figures
 * scatter target against subcomponent contributions and compare with y = x), over all entry
 * pairs (x = target[i, n], y = fitted[i, n]):
 *
 * - `pearson`: the Pearson correlation of x and y (NaN when either has zero variance, or
 *   n = 0). spd.md notes that the reference plot prints one but the paper does not state its
 *   value.
 * - `slope`: the least-squares slope of y on x **through the origin**, Σxy / Σx² (NaN when
 *   Σx² = 0). The ideal is y = x exactly — no intercept — so the slope is fitted without one:
 *   slope < 1 measures shrinkage of the fitted contributions, slope > 1 the upward skew the
 *   paper reports for 2 layers. A free intercept would let a constant offset hide in it.
 * - `n`: the number of pairs, rows · cols.
 *
 * All pairs are used, including those where the target entry is zero: a fitted contribution on
 * a neuron that the target leaves untouched is a real disagreement, and those pairs stay on the
 * y = x line only when the fitted entry is zero too. (Pairs with x = 0 do not change the
 * through-origin slope, but they do enter the correlation.)
 *
 * @param target target contributions, e.g. from {@linkcode targetNeuronContributions}.
 * @param fitted fitted contributions of the same shape, e.g. from
 *   {@linkcode componentNeuronContributions}.
 * @throws {RangeError} when the shapes differ or a data length does not match its shape.
 */
export function contributionAgreement(
  target: Matrix,
  fitted: Matrix,
): { pearson: number; slope: number; n: number } {
  const fn = "contributionAgreement";
  checkMatrix(fn, "target", target);
  checkMatrix(fn, "fitted", fitted);
  if (target.rows !== fitted.rows || target.cols !== fitted.cols) {
    throw new RangeError(
      `${fn}: fitted has shape ${shape(fitted)} but target has shape ${shape(target)}`,
    );
  }
  const x = target.data, y = fitted.data, n = x.length;
  let xy = 0, xx = 0;
  for (let k = 0; k < n; k++) {
    xy += x[k] * y[k];
    xx += x[k] * x[k];
  }
  const slope = xx > 0 ? xy / xx : NaN;
  return { pearson: pearson(x, y), slope, n };
}

/**
 * For each feature (row of an importance matrix computed on the one-hot batch of spd.md §7.3),
 * the number of components whose importance is strictly greater than `threshold`. A minimal
 * `mlp_in` decomposition has exactly 1 per feature (spd.md §7.3/§7.7); too small an importance
 * coefficient makes one feature activate many components.
 *
 * As in the §7.4 pattern errors, for Float32Array data the threshold is rounded to float32
 * before comparing (as torch does), so a float32 entry equal to `fround(threshold)` does not
 * count.
 *
 * @param importanceOneHot importances `[nFeatures, C]`, rows = one-hot inputs.
 * @param threshold activity threshold, a finite number (default 0.1).
 * @returns the count per feature, length nFeatures.
 * @throws {RangeError} on a non-finite threshold or a data length that does not match the shape.
 */
export function componentsPerFeature(
  importanceOneHot: Matrix,
  threshold: number = DEFAULT_THRESHOLD,
): number[] {
  const fn = "componentsPerFeature";
  checkMatrix(fn, "importanceOneHot", importanceOneHot);
  if (typeof threshold !== "number" || !Number.isFinite(threshold)) {
    throw new RangeError(`${fn}: threshold must be a finite number, got ${threshold}`);
  }
  const { rows, cols, data } = importanceOneHot;
  const t = data instanceof Float32Array ? Math.fround(threshold) : threshold;
  const counts = new Array<number>(rows).fill(0);
  for (let i = 0; i < rows; i++) {
    let k = 0;
    for (let j = 0; j < cols; j++) if (data[i * cols + j] > t) k++;
    counts[i] = k;
  }
  return counts;
}

/**
 * Mean over features of {@linkcode componentsPerFeature} (1 for a minimal `mlp_in`
 * decomposition, spd.md §7.3/§7.7).
 *
 * @param importanceOneHot importances `[nFeatures, C]`, rows = one-hot inputs, nFeatures ≥ 1.
 * @param threshold activity threshold (default 0.1).
 * @throws {RangeError} as {@linkcode componentsPerFeature}, and when there are no features.
 */
export function meanComponentsPerFeature(
  importanceOneHot: Matrix,
  threshold: number = DEFAULT_THRESHOLD,
): number {
  const counts = componentsPerFeature(importanceOneHot, threshold);
  if (counts.length === 0) {
    throw new RangeError(
      `meanComponentsPerFeature: importanceOneHot has shape ${
        shape(importanceOneHot)
      }, no features`,
    );
  }
  return counts.reduce((a, b) => a + b, 0) / counts.length;
}
