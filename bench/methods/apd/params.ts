/**
 * APD's trainable state (apd.md §1): per decomposed matrix, the C components'
 * factors stacked side by side, A `[dIn, C·m]` and B `[C·m, dOut]`, so that
 * component c is `A[:, c·m:(c+1)·m] · B[c·m:(c+1)·m, :]` and the sum over all
 * components is the single product `A · B`. A tied matrix (TMS `linear2 =
 * linear1ᵀ`) reuses its source's factors transposed, so a component always
 * covers both uses of W.
 *
 * @module
 */
import type { LinearLayer, TargetModel } from "../../models/target_model.ts";
import { tf, variableFrom } from "../../runtime/backend.ts";
import { rngStream } from "../../runtime/rng.ts";
import type { LayerComponents } from "../components.ts";

/** One decomposed matrix's APD factors. */
export interface ApdLayer {
  /** The frozen target layer. */
  readonly target: LinearLayer;
  /** Stacked A `[dIn, C·m]`; for a tied layer, the transpose of its source's B. */
  readonly a: () => tf.Tensor2D;
  /** Stacked B `[C·m, dOut]`; for a tied layer, the transpose of its source's A. */
  readonly b: () => tf.Tensor2D;
  /** The variable behind `a` when this layer owns it (null for a tied layer). */
  readonly aVar: tf.Variable | null;
}

/** All APD parameters of a decomposition. */
export interface ApdParams {
  /** Components. */
  readonly C: number;
  /** Inner rank of every component. */
  readonly rank: number;
  /** Per decomposed matrix, in model order. */
  readonly layers: readonly ApdLayer[];
  /** Every trainable variable (tied factors appear once). */
  readonly variables: readonly tf.Variable[];
  /** Frees every variable. */
  dispose(): void;
}

/**
 * Standard deviation of torch's `xavier_normal_` on a 4-D tensor
 * `[nInstances, C, d1, d2]`, whose fans torch takes as C·d1·d2 and
 * nInstances·d1·d2 (apd.md §1.3): `gain · sqrt(2 / ((nInstances + C) · d1 · d2))`.
 */
export function xavierStd(
  gain: number,
  nInstances: number,
  C: number,
  d1: number,
  d2: number,
): number {
  return gain * Math.sqrt(2 / ((nInstances + C) * d1 * d2));
}

function initFactor(seed: number, name: string, rows: number, cols: number, std: number) {
  const data = rngStream(seed, `apd-init:${name}`).fillNormal(new Float32Array(rows * cols));
  for (let i = 0; i < data.length; i++) data[i] *= std;
  return variableFrom(tf.tensor2d(data, [rows, cols]));
}

/**
 * Initialises A and B of every untied decomposed matrix with the reference's
 * Xavier-normal scale. Streams: `apd-init:<layer>:A` and `…:B`.
 */
export function initApdParams(
  model: TargetModel,
  C: number,
  rank: number,
  gain: number,
  nInstances: number,
  seed: number,
): ApdParams {
  const own = new Map<string, { a: tf.Variable; b: tf.Variable }>();
  const variables: tf.Variable[] = [];
  for (const layer of model.layers) {
    if (model.ties[layer.name]) continue;
    const a = initFactor(
      seed,
      `${layer.name}:A`,
      layer.dIn,
      C * rank,
      xavierStd(gain, nInstances, C, layer.dIn, rank),
    );
    const b = initFactor(
      seed,
      `${layer.name}:B`,
      C * rank,
      layer.dOut,
      xavierStd(gain, nInstances, C, rank, layer.dOut),
    );
    own.set(layer.name, { a, b });
    variables.push(a, b);
  }
  const layers = model.layers.map((target): ApdLayer => {
    const source = model.ties[target.name];
    if (!source) {
      const { a, b } = own.get(target.name)!;
      return { target, a: () => a as tf.Tensor2D, b: () => b as tf.Tensor2D, aVar: a };
    }
    const src = own.get(source);
    if (!src) throw new Error(`apd: tied layer '${target.name}' names unknown source '${source}'`);
    return {
      target,
      a: () => tf.transpose(src.b) as tf.Tensor2D,
      b: () => tf.transpose(src.a) as tf.Tensor2D,
      aVar: null,
    };
  });
  return {
    C,
    rank,
    layers,
    variables,
    dispose: () => variables.forEach((v) => v.dispose()),
  };
}

/** Rescales every column of each owned A to unit L2 norm (over dIn; apd.md §5.3 step 1). */
export function normaliseAColumns(params: ApdParams): void {
  tf.tidy(() => {
    for (const { aVar } of params.layers) {
      // Not tf.norm: its pow(|a|, 2) is ~10x slower than square on wasm for the [1000, 6500] A.
      if (aVar) aVar.assign(tf.div(aVar, tf.sqrt(tf.sum(tf.square(aVar), 0, true))));
    }
  });
}

/** Removes from an A gradient its part along each (unit) A column: g − a·(aᵀg) (§5.3 step 13). */
export function projectAGradient(a: tf.Tensor2D, grad: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.sub(grad, tf.mul(a, tf.sum(tf.mul(grad, a), 0, true))));
}

/** The learned components in common form (left = A_c `[dIn, m]`, right = B_c `[m, dOut]`). */
export async function apdComponents(params: ApdParams): Promise<LayerComponents[]> {
  const { C, rank } = params;
  const out: LayerComponents[] = [];
  for (const l of params.layers) {
    const [aT, bT] = tf.tidy(() => [tf.clone(l.a()), tf.clone(l.b())]);
    const a = await aT.data() as Float32Array;
    const right = Float32Array.from(await bT.data() as Float32Array);
    aT.dispose();
    bT.dispose();
    const { dIn, dOut } = l.target;
    const left = new Float32Array(C * dIn * rank);
    for (let i = 0; i < dIn; i++) {
      for (let c = 0; c < C; c++) {
        for (let r = 0; r < rank; r++) {
          left[(c * dIn + i) * rank + r] = a[i * C * rank + c * rank + r];
        }
      }
    }
    out.push({ layer: l.target.name, dIn, dOut, count: C, rank, left, right });
  }
  return out;
}
