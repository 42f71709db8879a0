/**
 * APD's ablation tests on the residual MLPs (apd.md §7.2: the reference's
 * per-feature losses and scrubbing test), measured against the target's
 * output rather than the labels, so 0 means the decomposition reproduces the
 * target:
 *
 * - **top-1 error per feature.** On inputs where only feature i is active
 *   (its value uniform on `[lo, hi)`, as in training), the sparse pass keeps
 *   the one component of largest attribution per datapoint. The error is
 *   `Σ (f_top1 − f_target)²` over those datapoints and all outputs divided by
 *   `Σ f_target²` (0: exact; 1: as far off as a zero output). A feature whose
 *   computation is split over several components gets a high error.
 * - **scrubbing.** Each feature's component is its top-1 on the one-hot batch.
 *   On training-distribution inputs every component is on with probability ½,
 *   then the components of the datapoint's active features are forced on
 *   (scrubbed) or off (anti-scrubbed); MSE to the target over the batch and
 *   the outputs, minimality's normalisation. Scrubbed ≪ anti-scrubbed when
 *   each feature's computation lives in its own components.
 *
 * Streams: `eval-top1`, `eval-scrub-data`, `eval-scrub-mask` (seed 0), so
 * every method run is measured on the same inputs.
 *
 * @module
 */
import { sampleSparseFeatures, type SparseFeatureSpec } from "../../data/sparse_features.ts";
import { targetLayer, type TargetModel } from "../../models/target_model.ts";
import { tf } from "../../runtime/backend.ts";
import { rngStream } from "../../runtime/rng.ts";
import { gradientAttributions } from "./attributions.ts";
import type { ApdConfig } from "./config.ts";
import { maskedLayers } from "./losses.ts";
import type { ApdParams } from "./params.ts";
import { perSampleTopkMask } from "./topk.ts";

/** Single-feature datapoints per feature in the top-1 test. */
export const TOP1_DATAPOINTS_PER_FEATURE = 32;
/** Training-distribution datapoints in the scrubbing test. */
export const SCRUB_DATAPOINTS = 2048;

/** What {@linkcode apdAblations} measures. */
export interface ApdAblations {
  /** Per feature: relative error of the per-sample top-1 pass on inputs with only that feature active. */
  readonly top1RelativeError: Float64Array;
  /** MSE to the target with the active features' components forced on, the rest on with probability ½. */
  readonly scrubbedMse: number;
  /** The same with the active features' components forced off. */
  readonly antiScrubbedMse: number;
}

/**
 * Runs both tests. `featureComponent[i]` is feature i's component (top-1 on
 * the one-hot batch); chunks have the training batch size.
 */
export async function apdAblations(
  model: TargetModel,
  params: ApdParams,
  cfg: ApdConfig,
  data: SparseFeatureSpec,
  featureComponent: Int32Array,
): Promise<ApdAblations> {
  const { nFeatures: n, lo, hi } = data;
  const C = params.C;
  const chunk = cfg.batchSize;

  // Top-1 per feature: datapoint d of feature i is row i·S + d.
  const S = TOP1_DATAPOINTS_PER_FEATURE;
  const values = rngStream(0, "eval-top1").fillUniform(new Float32Array(n * S), lo, hi);
  const err = new Float64Array(n), energy = new Float64Array(n);
  for (let start = 0; start < n * S; start += chunk) {
    const rows = Math.min(chunk, n * S - start);
    const xs = new Float32Array(rows * n);
    for (let r = 0; r < rows; r++) xs[r * n + Math.floor((start + r) / S)] = values[start + r];
    const perRow = tf.tidy(() => {
      const x = tf.tensor2d(xs, [rows, n]);
      const mask = perSampleTopkMask(
        gradientAttributions(model, params, x, cfg.attributionSource),
        1,
      );
      const target = model.forward(x, targetLayer);
      const sparse = model.forward(x, maskedLayers(params, mask));
      return tf.stack([
        tf.sum(tf.squaredDifference(sparse, target), 1),
        tf.sum(tf.square(target), 1),
      ]);
    });
    const sums = await perRow.data();
    perRow.dispose();
    for (let r = 0; r < rows; r++) {
      const i = Math.floor((start + r) / S);
      err[i] += sums[r];
      energy[i] += sums[rows + r];
    }
  }
  const top1RelativeError = err.map((e, i) => energy[i] > 0 ? e / energy[i] : 0);

  // Scrubbing.
  const dataRng = rngStream(0, "eval-scrub-data"), maskRng = rngStream(0, "eval-scrub-mask");
  let scrubbed = 0, antiScrubbed = 0, entries = 0;
  for (let start = 0; start < SCRUB_DATAPOINTS; start += chunk) {
    const rows = Math.min(chunk, SCRUB_DATAPOINTS - start);
    const xs = sampleSparseFeatures(data, rows, dataRng);
    const random = maskRng.fillUniform(new Float32Array(rows * C));
    const on = new Float32Array(rows * C), off = new Float32Array(rows * C);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < C; c++) on[r * C + c] = off[r * C + c] = random[r * C + c] < 0.5 ? 1 : 0;
      for (let i = 0; i < n; i++) {
        if (xs[r * n + i] === 0) continue;
        on[r * C + featureComponent[i]] = 1;
        off[r * C + featureComponent[i]] = 0;
      }
    }
    const x = tf.tensor2d(xs, [rows, n]);
    const target = tf.tidy(() => model.forward(x, targetLayer));
    const squaredError = async (mask: Float32Array) => {
      const sum = tf.tidy(() =>
        tf.sum(
          tf.squaredDifference(
            model.forward(x, maskedLayers(params, tf.tensor2d(mask, [rows, C]))),
            target,
          ),
        )
      );
      const [v] = await sum.data();
      sum.dispose();
      return v;
    };
    scrubbed += await squaredError(on);
    antiScrubbed += await squaredError(off);
    entries += rows * model.nOutputs;
    tf.dispose([x, target]);
  }
  return {
    top1RelativeError,
    scrubbedMse: scrubbed / entries,
    antiScrubbedMse: antiScrubbed / entries,
  };
}
