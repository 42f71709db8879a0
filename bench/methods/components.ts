/**
 * The common form of a learned decomposition: per decomposed matrix, a list of
 * components, each a product of factors `left [dIn, rank] · right [rank, dOut]`.
 * SPD subcomponents have rank 1; APD components have a chosen inner rank.
 * Scores read only this form, so any method that exports it can be compared.
 *
 * @module
 */
import type { Matrix } from "../linalg/matrix.ts";

/** The components a method learned for one decomposed matrix. */
export interface LayerComponents {
  /** Layer name, as in the target model. */
  readonly layer: string;
  /** Input width of the matrix. */
  readonly dIn: number;
  /** Output width of the matrix. */
  readonly dOut: number;
  /** Number of components. */
  readonly count: number;
  /** Inner rank of every component. */
  readonly rank: number;
  /** Left factors, component-major: entry (c, i, r) at `(c * dIn + i) * rank + r`. */
  readonly left: Float32Array;
  /** Right factors, component-major: entry (c, r, o) at `(c * rank + r) * dOut + o`. */
  readonly right: Float32Array;
}

/** Row `i` of component `c`'s weight (`left_c[i, :] · right_c`), a vector of length dOut. */
export function componentRow(lc: LayerComponents, c: number, i: number): Float64Array {
  const { dIn, dOut, rank, left, right } = lc;
  const out = new Float64Array(dOut);
  for (let r = 0; r < rank; r++) {
    const a = left[(c * dIn + i) * rank + r];
    if (a === 0) continue;
    const base = (c * rank + r) * dOut;
    for (let o = 0; o < dOut; o++) out[o] += a * right[base + o];
  }
  return out;
}

/** Component `c`'s full weight `[dIn, dOut]`. */
export function componentWeight(lc: LayerComponents, c: number): Matrix {
  const data = new Float64Array(lc.dIn * lc.dOut);
  for (let i = 0; i < lc.dIn; i++) data.set(componentRow(lc, c, i), i * lc.dOut);
  return { rows: lc.dIn, cols: lc.dOut, data };
}

/** Builds the rank-1 form from SPD factors V `[dIn, C]` and U `[C, dOut]` (row-major). */
export function fromRankOneFactors(
  layer: string,
  dIn: number,
  dOut: number,
  count: number,
  v: Float32Array,
  u: Float32Array,
): LayerComponents {
  const left = new Float32Array(count * dIn);
  for (let i = 0; i < dIn; i++) {
    for (let c = 0; c < count; c++) left[c * dIn + i] = v[i * count + c];
  }
  return { layer, dIn, dOut, count, rank: 1, left, right: Float32Array.from(u) };
}
