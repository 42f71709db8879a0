/**
 * Ground-truth recovery scores on a matrix whose feature columns are known
 * (spd.md §7.1, apd.md §7.1): MMCS, ML2R, and component norms (§7.2). They read
 * only the common component form, so SPD and APD are scored identically.
 *
 * @module
 */
import { type Matrix, norm } from "../linalg/matrix.ts";
import { componentRow, type LayerComponents } from "../methods/components.ts";

const EPS = 1e-12;

/** Recovery of the known feature columns by the best-matching components. */
export interface Recovery {
  /** Mean over features of the best cosine similarity (1 = every feature found). */
  readonly mmcs: number;
  /** Standard deviation over features of the best cosine. */
  readonly mmcsStd: number;
  /** Mean over features of ‖best component's column‖ / ‖true column‖ (1 = no shrinkage). */
  readonly ml2r: number;
  /** Standard deviation over features of that ratio. */
  readonly ml2rStd: number;
  /** For each feature, the index of its best-matching component. */
  readonly bestComponent: readonly number[];
  /** `cosine[c][j]`: component c's column j against feature j. */
  readonly cosine: readonly Float64Array[];
}

function meanStd(xs: readonly number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
  return [m, Math.sqrt(v)];
}

/**
 * MMCS and ML2R of `components` against `features` (row j = feature j's true
 * column, length dOut). Component c's column for feature j is row j of its
 * weight; `cos = ⟨w_cj, f_j⟩ / ((‖w_cj‖ + ε)(‖f_j‖ + ε))`, ε = 1e-12. The
 * standard deviations are population (÷ n) over features, as the reference
 * analysis prints them.
 */
export function recovery(features: Matrix, components: LayerComponents): Recovery {
  const n = features.rows;
  if (components.dIn !== n || components.dOut !== features.cols) {
    throw new RangeError(
      `recovery: components are ${components.dIn}x${components.dOut}, features ${n}x${features.cols}`,
    );
  }
  const cosine: Float64Array[] = [];
  const ratios: Float64Array[] = [];
  const fNorms = Array.from(
    { length: n },
    (_, j) => norm(features.data.subarray(j * features.cols, (j + 1) * features.cols)),
  );
  for (let c = 0; c < components.count; c++) {
    const cos = new Float64Array(n);
    const ratio = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const w = componentRow(components, c, j);
      const f = features.data.subarray(j * features.cols, (j + 1) * features.cols);
      let dot = 0;
      for (let k = 0; k < w.length; k++) dot += w[k] * f[k];
      const wn = norm(w);
      cos[j] = dot / ((wn + EPS) * (fNorms[j] + EPS));
      ratio[j] = wn / fNorms[j];
    }
    cosine.push(cos);
    ratios.push(ratio);
  }
  const bestComponent: number[] = [];
  const best: number[] = [];
  const bestRatio: number[] = [];
  for (let j = 0; j < n; j++) {
    let arg = 0;
    for (let c = 1; c < components.count; c++) if (cosine[c][j] > cosine[arg][j]) arg = c;
    bestComponent.push(arg);
    best.push(cosine[arg][j]);
    bestRatio.push(ratios[arg][j]);
  }
  const [mmcs, mmcsStd] = meanStd(best);
  const [ml2r, ml2rStd] = meanStd(bestRatio);
  return { mmcs, mmcsStd, ml2r, ml2rStd, bestComponent, cosine };
}

/** Per component, the summed norm of its columns `Σ_j ‖w_cj‖` (spd.md §7.2's ranking). */
export function componentNorms(components: LayerComponents): Float64Array {
  const out = new Float64Array(components.count);
  for (let c = 0; c < components.count; c++) {
    for (let j = 0; j < components.dIn; j++) out[c] += norm(componentRow(components, c, j));
  }
  return out;
}

/**
 * How cleanly the alive components stand out by norm: the smallest norm among
 * `alive` components divided by the largest among the others (∞ when every
 * component is alive, 0 when none is).
 */
export function aliveNormRatio(norms: ArrayLike<number>, alive: readonly boolean[]): number {
  let minAlive = Infinity, maxDead = 0, anyAlive = false;
  for (let c = 0; c < norms.length; c++) {
    if (alive[c]) {
      anyAlive = true;
      minAlive = Math.min(minAlive, norms[c]);
    } else maxDead = Math.max(maxDead, norms[c]);
  }
  if (!anyAlive) return 0;
  return maxDead === 0 ? Infinity : minAlive / maxDead;
}
