/**
 * Measures a trained APD decomposition in the common form: loss terms and
 * batch top-k selections on the fixed evaluation set (chunks of the training
 * batch size, since top-k is a per-batch rule), and per-layer relative
 * attributions on the one-hot 0.75 batch; on models with hidden ReLUs (the
 * residual MLPs) also the ablation tests of {@linkcode apdAblations}.
 *
 * @module
 */
import {
  oneHotBatch,
  sampleSparseFeatures,
  type SparseFeatureSpec,
} from "../../data/sparse_features.ts";
import type { Matrix } from "../../linalg/matrix.ts";
import { decomposedParamCount, targetLayer, type TargetModel } from "../../models/target_model.ts";
import { tf } from "../../runtime/backend.ts";
import { rngStream } from "../../runtime/rng.ts";
import type { LayerComponents } from "../components.ts";
import { EVAL_DATAPOINTS } from "../spd/evaluate.ts";
import { type ApdAblations, apdAblations } from "./ablations.ts";
import { gradientAttributions } from "./attributions.ts";
import { type ApdConfig, topkCount } from "./config.ts";
import { APD_LOSS_NAMES, apdLosses, passWithActivations } from "./losses.ts";
import { apdComponents, type ApdParams } from "./params.ts";
import { batchTopkMask } from "./topk.ts";

/** What {@linkcode evaluateApd} measures. */
export interface ApdEvaluation {
  /** Learned components, common form. */
  readonly components: LayerComponents[];
  /**
   * Per layer, `nFeatures × C`: each component's attribution on the one-hot
   * 0.75 batch divided by the row's largest (1 = the component that matters
   * most for that input; 0 for an all-zero row). An APD component spans every
   * layer and has one attribution, so every layer gets the same matrix. (The
   * attribution through one layer alone is no substitute: through TMS's tied
   * `linear2`, a feature's neighbours pick up first-order interference terms
   * of ~10% of its own component's, although they are not needed.)
   */
  readonly relativeAttributionOneHot: Readonly<Record<string, Matrix>>;
  /** Per component (the same for every layer): selected by batch top-k on some evaluation datapoint. */
  readonly alive: Readonly<Record<string, boolean[]>>;
  /** Per layer: mean number of selected components per evaluation datapoint. */
  readonly l0: Readonly<Record<string, number>>;
  /** Loss terms averaged over the evaluation set. */
  readonly losses: Readonly<Record<(typeof APD_LOSS_NAMES)[number], number>>;
  /** Top-1 and scrubbing tests (models with hidden ReLUs only; otherwise null). */
  readonly ablations: ApdAblations | null;
}

/** Divides every row of `m` by its largest entry (rows with max 0 stay 0). */
export function rowMaxNormalised(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) {
    let max = 0;
    for (let j = 0; j < cols; j++) max = Math.max(max, data[i * cols + j]);
    if (max > 0) { for (let j = 0; j < cols; j++) out[i * cols + j] = data[i * cols + j] / max; }
  }
  return out;
}

/** Per row, the column of its largest entry (the first on ties). */
export function rowArgmax(data: Float32Array, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 1; j < cols; j++) if (data[i * cols + j] > data[i * cols + out[i]]) out[i] = j;
  }
  return out;
}

/** Evaluates a trained decomposition on the fixed evaluation set. */
export async function evaluateApd(
  model: TargetModel,
  params: ApdParams,
  cfg: ApdConfig,
  data: SparseFeatureSpec,
): Promise<ApdEvaluation> {
  const C = cfg.C;
  const names = params.layers.map((l) => l.target.name);
  const selected = new Array<boolean>(C).fill(false);
  let selections = 0;
  const lossSum = new Float64Array(APD_LOSS_NAMES.length);
  const dataRng = rngStream(0, "eval-data");
  const nParams = decomposedParamCount(model);
  const chunk = Math.min(cfg.batchSize, EVAL_DATAPOINTS);

  for (let start = 0; start < EVAL_DATAPOINTS; start += chunk) {
    const rows = Math.min(chunk, EVAL_DATAPOINTS - start);
    const xs = sampleSparseFeatures(data, rows, dataRng);
    const [maskT, termsT] = tf.tidy(() => {
      const x = tf.tensor2d(xs, [rows, data.nFeatures]);
      const target = passWithActivations(model, x, targetLayer);
      const attr = gradientAttributions(model, params, x, cfg.attributionSource);
      const mask = batchTopkMask(attr, Math.max(1, topkCount(cfg.topk, rows)));
      const t = apdLosses(model, params, cfg, x, target, mask, nParams);
      return [mask, tf.stack(APD_LOSS_NAMES.map((n) => t[n]))];
    });
    const mask = await maskT.data();
    const terms = await termsT.data();
    maskT.dispose();
    termsT.dispose();
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] > 0) {
        selected[i % C] = true;
        selections++;
      }
    }
    terms.forEach((v, i) => lossSum[i] += v * (rows / EVAL_DATAPOINTS));
  }

  const n = data.nFeatures;
  const oneHot = tf.tidy(() =>
    gradientAttributions(model, params, tf.tensor2d(oneHotBatch(n), [n, n]), cfg.attributionSource)
  );
  const relative = rowMaxNormalised(await oneHot.data() as Float32Array, n, C);
  oneHot.dispose();
  const hasHiddenRelu = tf.tidy(() =>
    passWithActivations(model, tf.zeros([1, n]), targetLayer).hidden.length > 0
  );
  const ablations = hasHiddenRelu
    ? await apdAblations(model, params, cfg, data, rowArgmax(relative, n, C))
    : null;
  const relativeAttributionOneHot: Record<string, Matrix> = Object.fromEntries(
    names.map((name) => [name, { rows: n, cols: C, data: relative }]),
  );
  return {
    components: await apdComponents(params),
    relativeAttributionOneHot,
    alive: Object.fromEntries(names.map((name) => [name, [...selected]])),
    l0: Object.fromEntries(names.map((name) => [name, selections / EVAL_DATAPOINTS])),
    losses: Object.fromEntries(
      APD_LOSS_NAMES.map((name, i) => [name, lossSum[i]]),
    ) as ApdEvaluation[
      "losses"
    ],
    ablations,
  };
}
