/**
 * SPD's trainable state: factors V `[dIn, C]` and U `[C, dOut]` per decomposed
 * matrix (tied matrices share storage, transposed), and one causal-importance
 * MLP per subcomponent, all initialised as the paper-time code does
 * (spd.md §1.3, §1.6, §2.1).
 *
 * @module
 */
import type { LinearLayer, TargetModel } from "../../models/target_model.ts";
import type { AdamTie } from "../../optim/adam.ts";
import { tf, variableFrom } from "../../runtime/backend.ts";
import { rngStream } from "../../runtime/rng.ts";
import { fromRankOneFactors, type LayerComponents } from "../components.ts";
import { ciMlpFused } from "./ci_mlp.ts";
import type { TiedAdamStates } from "./config.ts";

/** The parameters of all C causal-importance MLPs of one matrix, batched over C. */
export interface CiMlpParams {
  /** First-layer weights `[C, dGate]` (init N(0, 2)). */
  readonly w1: tf.Variable;
  /** First-layer biases `[C, dGate]` (init 0). */
  readonly b1: tf.Variable;
  /** Second-layer weights `[C, dGate]` (init N(0, 1/dGate)). */
  readonly w2: tf.Variable;
  /** Output biases `[C]` (init 0). */
  readonly b2: tf.Variable;
}

/** One decomposed matrix's SPD parameters. */
export interface SpdLayer {
  /** The frozen target layer. */
  readonly target: LinearLayer;
  /** V `[dIn, C]`; for a tied layer, the transpose of its source's U. */
  readonly v: () => tf.Tensor2D;
  /** U `[C, dOut]`; for a tied layer, the transpose of its source's V. */
  readonly u: () => tf.Tensor2D;
  /** Its causal-importance MLPs. */
  readonly ci: CiMlpParams;
}

/** All SPD parameters of a decomposition. */
export interface SpdParams {
  /** Per decomposed matrix, in model order. */
  readonly layers: readonly SpdLayer[];
  /** Every trainable variable (with `separate` tied states, a tied layer's own copies too). */
  readonly variables: readonly tf.Variable[];
  /**
   * With `separate` tied states: which variables are transposed copies of
   * which (indices into `variables`), for {@linkcode Adam}; empty otherwise.
   */
  readonly ties: readonly AdamTie[];
  /** Trainable parameters, tied storage counted once. */
  readonly parameterCount: number;
  /** Frees every variable. */
  dispose(): void;
}

/**
 * Projection init (spd.md §1.3): V columns and U rows drawn normal and
 * normalised to unit length, then U row c scaled by `s_c = v̂_cᵀ W û_c`, the
 * projection of the target onto the unit rank-1 direction.
 */
export function projectionInit(
  weight: Float32Array,
  dIn: number,
  dOut: number,
  C: number,
  seed: number,
  layer: string,
): { v: Float32Array; u: Float32Array } {
  const rng = rngStream(seed, `spd-init:${layer}:factors`);
  const v = rng.fillNormal(new Float32Array(dIn * C));
  const u = rng.fillNormal(new Float32Array(C * dOut));
  for (let c = 0; c < C; c++) {
    let nv = 0, nu = 0;
    for (let i = 0; i < dIn; i++) nv += v[i * C + c] ** 2;
    for (let o = 0; o < dOut; o++) nu += u[c * dOut + o] ** 2;
    nv = Math.sqrt(nv);
    nu = Math.sqrt(nu);
    for (let i = 0; i < dIn; i++) v[i * C + c] /= nv;
    for (let o = 0; o < dOut; o++) u[c * dOut + o] /= nu;
    let s = 0;
    for (let i = 0; i < dIn; i++) {
      const vi = v[i * C + c];
      for (let o = 0; o < dOut; o++) s += vi * u[c * dOut + o] * weight[i * dOut + o];
    }
    for (let o = 0; o < dOut; o++) u[c * dOut + o] *= s;
  }
  return { v, u };
}

function initCiMlp(C: number, dGate: number, seed: number, layer: string): CiMlpParams {
  const rng = rngStream(seed, `spd-init:${layer}:ci`);
  const w1 = rng.fillNormal(new Float32Array(C * dGate), 0, Math.SQRT2);
  const w2 = rng.fillNormal(new Float32Array(C * dGate), 0, 1 / Math.sqrt(dGate));
  return {
    w1: variableFrom(tf.tensor2d(w1, [C, dGate])),
    b1: variableFrom(tf.zeros([C, dGate])),
    w2: variableFrom(tf.tensor2d(w2, [C, dGate])),
    b2: variableFrom(tf.zeros([C])),
  };
}

/**
 * Creates and initialises SPD parameters for every decomposable layer of
 * `model`. A tied layer reads its source's factors, transposed: through the
 * same variables (`shared`), or through copies of them that `Adam` keeps
 * equal to the transposes while giving them their own moments (`separate`).
 */
export async function initSpdParams(
  model: TargetModel,
  C: number,
  dGate: number,
  seed: number,
  tiedAdamStates: TiedAdamStates = "shared",
): Promise<SpdParams> {
  const factors = new Map<string, { v: tf.Variable; u: tf.Variable }>();
  const variables: tf.Variable[] = [];
  const ties: AdamTie[] = [];
  for (const layer of model.layers) {
    if (model.ties[layer.name]) continue;
    const weight = await layer.weight.data() as Float32Array;
    const init = projectionInit(weight, layer.dIn, layer.dOut, C, seed, layer.name);
    const v = variableFrom(tf.tensor2d(init.v, [layer.dIn, C]));
    const u = variableFrom(tf.tensor2d(init.u, [C, layer.dOut]));
    factors.set(layer.name, { v, u });
    variables.push(v, u);
  }
  const layers: SpdLayer[] = model.layers.map((target) => {
    const ci = initCiMlp(C, dGate, seed, target.name);
    variables.push(ci.w1, ci.b1, ci.w2, ci.b2);
    const source = model.ties[target.name];
    if (source) {
      const f = factors.get(source);
      if (!f) throw new Error(`tied layer '${target.name}': source '${source}' is not decomposed`);
      if (tiedAdamStates === "separate") {
        const v = variableFrom(tf.transpose(f.u));
        const u = variableFrom(tf.transpose(f.v));
        ties.push(
          { source: variables.indexOf(f.u), view: variables.push(v) - 1 },
          { source: variables.indexOf(f.v), view: variables.push(u) - 1 },
        );
        return { target, v: () => v as tf.Tensor2D, u: () => u as tf.Tensor2D, ci };
      }
      return {
        target,
        v: () => tf.transpose(f.u as tf.Tensor2D),
        u: () => tf.transpose(f.v as tf.Tensor2D),
        ci,
      };
    }
    const f = factors.get(target.name)!;
    return { target, v: () => f.v as tf.Tensor2D, u: () => f.u as tf.Tensor2D, ci };
  });
  const views = new Set(ties.map((t) => t.view));
  return {
    layers,
    variables,
    ties,
    parameterCount: variables.reduce((n, v, i) => views.has(i) ? n : n + v.size, 0),
    dispose() {
      for (const v of variables) v.dispose();
    },
  };
}

/**
 * Raw causal-importance MLP output for inner activations `h [B, C]`:
 * `w2 · GELU(w1·h + b1) + b2` per subcomponent, vectorised over C, with the
 * fused hand-written gradient of {@linkcode ciMlpFused}.
 */
export function ciMlpRaw(ci: CiMlpParams, h: tf.Tensor2D): tf.Tensor2D {
  return ciMlpFused(
    h,
    ci.w1 as tf.Tensor2D,
    ci.b1 as tf.Tensor2D,
    ci.w2 as tf.Tensor2D,
    ci.b2 as tf.Tensor1D,
  );
}

/** Exports the learned factors in the common rank-1 form. */
export async function spdComponents(params: SpdParams): Promise<LayerComponents[]> {
  const out: LayerComponents[] = [];
  for (const l of params.layers) {
    const [v, u] = tf.tidy(() => [tf.clone(l.v()), tf.clone(l.u())]);
    const C = v.shape[1];
    out.push(
      fromRankOneFactors(
        l.target.name,
        l.target.dIn,
        l.target.dOut,
        C,
        await v.data() as Float32Array,
        await u.data() as Float32Array,
      ),
    );
    v.dispose();
    u.dispose();
  }
  return out;
}
