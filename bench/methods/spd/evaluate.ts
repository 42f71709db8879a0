/**
 * Measures a trained SPD decomposition: causal importances on the one-hot
 * 0.75 batch (spd.md §7.3), alive and L0 statistics on a fixed evaluation set
 * (§7.5), final loss terms, and the learned components in common form.
 *
 * @module
 */
import {
  oneHotBatch,
  sampleSparseFeatures,
  type SparseFeatureSpec,
} from "../../data/sparse_features.ts";
import { foldZeroRows, unfoldedBatch } from "../../data/zero_row_fold.ts";
import type { Matrix } from "../../linalg/matrix.ts";
import { decomposedParamCount, type TargetModel, targetPass } from "../../models/target_model.ts";
import { tf } from "../../runtime/backend.ts";
import { rngStream } from "../../runtime/rng.ts";
import type { LayerComponents } from "../components.ts";
import type { SpdConfig } from "./config.ts";
import {
  causalImportances,
  importanceSum,
  rowWeightsOf,
  SPD_LOSS_NAMES,
  spdLosses,
  uniformNoise,
} from "./losses.ts";
import { spdComponents, type SpdParams } from "./params.ts";

/** Datapoints in the fixed evaluation set (the same for every run and seed). */
export const EVAL_DATAPOINTS = 16384;
/** Evaluation chunk size (bounds memory); smaller when the config sets `microBatch`. */
export const EVAL_CHUNK = 4096;
/** A subcomponent is alive when its lower-leaky CI exceeds this on some input (spd.md §7.5). */
export const ALIVE_THRESHOLD = 0.1;

/** What {@linkcode evaluateSpd} measures. */
export interface SpdEvaluation {
  /** Learned components, common form. */
  readonly components: LayerComponents[];
  /** Lower-leaky CI on the one-hot 0.75 batch, per layer (`nFeatures × C`). */
  readonly ciOneHot: Readonly<Record<string, Matrix>>;
  /** Per layer, per subcomponent: CI > 0.1 on some evaluation or one-hot input. */
  readonly alive: Readonly<Record<string, boolean[]>>;
  /** Per layer: mean over evaluation datapoints of #(CI > 0.1). */
  readonly ciL0: Readonly<Record<string, number>>;
  /** Loss terms averaged over the evaluation set (fixed mask noise). */
  readonly losses: Readonly<Record<(typeof SPD_LOSS_NAMES)[number], number>>;
  /**
   * Per layer: its share of `losses.importanceMinimality`, the mean over evaluation
   * datapoints of Σ_c g_up^p (the shares sum to the total).
   */
  readonly importanceByLayer: Readonly<Record<string, number>>;
}

/** Evaluates a trained decomposition on the fixed evaluation set. */
export async function evaluateSpd(
  model: TargetModel,
  params: SpdParams,
  cfg: SpdConfig,
  data: SparseFeatureSpec,
): Promise<SpdEvaluation> {
  const names = params.layers.map((l) => l.target.name);
  const C = cfg.C;
  const alive: Record<string, boolean[]> = Object.fromEntries(
    names.map((n) => [n, new Array(C).fill(false)]),
  );
  const l0Sum: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const lossSum = new Float64Array(SPD_LOSS_NAMES.length);
  const importanceTotal = new Float64Array(names.length);
  const dataRng = rngStream(0, "eval-data");
  const maskRng = rngStream(0, "eval-mask");
  const nParams = decomposedParamCount(model);
  // Evaluate in chunks no larger than the training micro-batch, so a config that needs
  // micro-batching to fit in memory also fits here.
  const chunk = cfg.microBatch > 0 ? Math.min(cfg.microBatch, EVAL_CHUNK) : EVAL_CHUNK;
  const fold = model.zeroInputGivesZeroActivations ? foldZeroRows : unfoldedBatch;

  /** Marks alive subcomponents; with `weights`, adds each row's count times its weight to L0. */
  const markAlive = (lower: Float32Array, rows: number, layer: string, weights?: Float32Array) => {
    const flags = alive[layer];
    for (let b = 0; b < rows; b++) {
      for (let c = 0; c < C; c++) {
        if (lower[b * C + c] > ALIVE_THRESHOLD) {
          flags[c] = true;
          if (weights) l0Sum[layer] += weights[b];
        }
      }
    }
  };

  for (let start = 0; start < EVAL_DATAPOINTS; start += chunk) {
    const size = Math.min(chunk, EVAL_DATAPOINTS - start);
    const batch = fold(sampleSparseFeatures(data, size, dataRng), size, data.nFeatures);
    const rows = batch.rows;
    const full = uniformNoise(maskRng, names.length, rows, C);
    const layerwise = uniformNoise(maskRng, names.length, rows, C);
    const weights = rowWeightsOf(batch);
    const [lower, terms, byLayer] = tf.tidy(() => {
      const x = tf.tensor2d(batch.xs, [rows, data.nFeatures]);
      const { output, inputs, outputs } = targetPass(model, x);
      const noise = { full, layerwise };
      const t = spdLosses(
        model,
        params,
        cfg,
        x,
        output,
        inputs,
        noise,
        nParams,
        weights,
        outputs,
      );
      return [
        t.ci.map((c) => c.lower),
        tf.stack(SPD_LOSS_NAMES.map((n) => t[n])),
        tf.stack(t.ci.map((c) => importanceSum(c.upper, cfg.pNorm, weights))),
      ] as const;
    });
    for (const t of [...full, ...layerwise]) t.dispose();
    for (let i = 0; i < names.length; i++) {
      markAlive(await lower[i].data() as Float32Array, rows, names[i], batch.weights);
      lower[i].dispose();
    }
    const tv = await terms.data();
    terms.dispose();
    tv.forEach((v, i) => lossSum[i] += v * (batch.datapoints / EVAL_DATAPOINTS));
    (await byLayer.data()).forEach((v, i) => importanceTotal[i] += v / EVAL_DATAPOINTS);
    byLayer.dispose();
  }

  const n = data.nFeatures;
  const oneHot = tf.tidy(() => {
    const x = tf.tensor2d(oneHotBatch(n), [n, n]);
    return causalImportances(params, targetPass(model, x).inputs, cfg.leakAlpha).map((c) =>
      c.lower
    );
  });
  const ciOneHot: Record<string, Matrix> = {};
  for (let i = 0; i < names.length; i++) {
    const values = await oneHot[i].data() as Float32Array;
    oneHot[i].dispose();
    markAlive(values, n, names[i]);
    ciOneHot[names[i]] = { rows: n, cols: C, data: values };
  }
  const ciL0 = Object.fromEntries(names.map((nm) => [nm, l0Sum[nm] / EVAL_DATAPOINTS]));
  const losses = Object.fromEntries(SPD_LOSS_NAMES.map((nm, i) => [nm, lossSum[i]]));
  return {
    components: await spdComponents(params),
    ciOneHot,
    alive,
    ciL0,
    losses: losses as SpdEvaluation["losses"],
    importanceByLayer: Object.fromEntries(names.map((nm, i) => [nm, importanceTotal[i]])),
  };
}
