/**
 * The SPD training loop (spd.md §3.2, §5.1): a fresh batch every step, clean
 * target pass, fresh mask noise per stochastic loss, Adam with the configured
 * schedule. Losses are read back only every `logEvery` steps. On a target
 * that maps zero input to zero activations, the all-zero datapoints of each
 * batch are folded into one weighted row (exact; `data/zero_row_fold.ts`), and
 * mask noise is drawn for the folded rows only. With `checkpoint` the loop
 * saves its state whenever `shouldSave` says so and can start from a saved state;
 * the resumed run ends with the bits of an unbroken one.
 *
 * @module
 */
import { sampleSparseFeatures, type SparseFeatureSpec } from "../../data/sparse_features.ts";
import { foldZeroRows, sliceFoldedBatch, unfoldedBatch } from "../../data/zero_row_fold.ts";
import { decomposedParamCount, type TargetModel, targetPass } from "../../models/target_model.ts";
import { Adam } from "../../optim/adam.ts";
import { learningRate } from "../../optim/schedule.ts";
import { tf } from "../../runtime/backend.ts";
import { rngStream } from "../../runtime/rng.ts";
import {
  captureTrainState,
  type Checkpointing,
  isSaveStep,
  restoreTrainState,
  stopStep,
} from "../checkpoint.ts";
import type { TrainStatus } from "../method.ts";
import type { SpdConfig } from "./config.ts";
import { rowWeightsOf, SPD_LOSS_NAMES, spdLosses, uniformNoise } from "./losses.ts";
import { initSpdParams, type SpdParams } from "./params.ts";

/** One sampled point of the training curve. */
export interface LossSample {
  /** Optimiser step after which the losses were measured (0 = before the first update). */
  readonly step: number;
  /** Learning rate used at that step. */
  readonly lr: number;
  /** Loss terms by name (see `SPD_LOSS_NAMES`). */
  readonly losses: Readonly<Record<(typeof SPD_LOSS_NAMES)[number], number>>;
}

/** Progress callback: `step` updates done of `total`, with the latest sample when one was taken. */
export type ProgressFn = (step: number, total: number, sample?: LossSample) => void;

/** What SPD training produced. */
export interface SpdTrainResult {
  /** Trained parameters; the caller disposes them. */
  readonly params: SpdParams;
  /** How training ended (see {@linkcode TrainStatus}). */
  readonly status: TrainStatus;
  /** Updates applied. */
  readonly stepsDone: number;
  /** Loss samples every `logEvery` steps, and at the end. */
  readonly curve: readonly LossSample[];
}

/**
 * Trains SPD on `model` under `seed`. Streams: `data` (batches), `mask`
 * (noise), `spd-init:*` (parameters). Same inputs, same backend: same bits.
 */
export async function trainSpd(
  model: TargetModel,
  data: SparseFeatureSpec,
  cfg: SpdConfig,
  seed: number,
  onProgress?: ProgressFn,
  checkpoint?: Checkpointing,
): Promise<SpdTrainResult> {
  const params = await initSpdParams(model, cfg.C, cfg.dGate, seed, cfg.tiedAdamStates);
  let dataRng = rngStream(seed, "data");
  let maskRng = rngStream(seed, "mask");
  const vars = [...params.variables];
  const adam = new Adam(vars, {}, params.ties);
  const nParams = decomposedParamCount(model);
  const B = cfg.batchSize;
  const L = params.layers.length;
  const xs = new Float32Array(B * data.nFeatures);
  const schedule = { kind: cfg.schedule, lr: cfg.lr, warmupSteps: cfg.warmupSteps };
  const curve: LossSample[] = [];
  let status: TrainStatus = "completed";
  let stepsDone = 0;
  if (checkpoint?.resume) {
    const streams = restoreTrainState(checkpoint.resume, cfg.steps, vars, adam, ["data", "mask"]);
    [dataRng, maskRng] = [streams.data, streams.mask];
    stepsDone = checkpoint.resume.stepsDone;
    curve.push(...(checkpoint.resume.curve as LossSample[]));
  }

  const save = async () => {
    const rngs = { data: dataRng, mask: maskRng };
    await checkpoint!.save(await captureTrainState(stepsDone, vars, adam, rngs, curve));
  };
  const chunk = cfg.microBatch > 0 ? cfg.microBatch : Infinity;
  const fold = model.zeroInputGivesZeroActivations ? foldZeroRows : unfoldedBatch;
  const nF = data.nFeatures;

  const end = stopStep(checkpoint, cfg.steps);
  for (let step = stepsDone; step < end; step++) {
    const lr = learningRate(schedule, step, cfg.steps);
    const log = step % cfg.logEvery === 0 || step === cfg.steps - 1;
    sampleSparseFeatures(data, B, dataRng, xs);
    const batch = fold(xs, B, nF);
    const N = batch.rows;
    const full = uniformNoise(maskRng, L, N, cfg.C);
    const layerwise = uniformNoise(maskRng, L, N, cfg.C);
    const logged: { terms: tf.Tensor | null } = { terms: null };
    let gradSum: tf.Tensor[] | null = null;
    for (let start = 0; start < N; start += chunk) {
      const n = Math.min(chunk, N - start);
      const part = n === N ? batch : sliceFoldedBatch(batch, start, n);
      const weight = part.datapoints / B;
      const grads = tf.tidy(() => {
        const x = tf.tensor2d(part.xs, [n, nF]);
        const { output, inputs, outputs } = targetPass(model, x);
        const rowWeights = rowWeightsOf(part);
        const cut = (t: tf.Tensor2D) => n === N ? t : t.slice([start, 0], [n, cfg.C]);
        const noise = { full: full.map(cut), layerwise: layerwise.map(cut) };
        const { grads } = tf.variableGrads(() => {
          const t = spdLosses(
            model,
            params,
            cfg,
            x,
            output,
            inputs,
            noise,
            nParams,
            rowWeights,
            outputs,
          );
          if (log) {
            const terms = tf.mul(tf.stack(SPD_LOSS_NAMES.map((k) => t[k])), weight);
            const acc = logged.terms ? tf.add(logged.terms, terms) : terms;
            logged.terms?.dispose();
            logged.terms = tf.keep(acc);
          }
          return (weight === 1 ? t.total : tf.mul(t.total, weight)) as tf.Scalar;
        }, vars);
        const prev = gradSum;
        return vars.map((v, i) => prev ? tf.add(prev[i], grads[v.name]) : grads[v.name]);
      });
      gradSum?.forEach((g) => g.dispose());
      gradSum = grads;
    }
    adam.step(gradSum!, lr);
    gradSum!.forEach((g) => g.dispose());
    for (const t of [...full, ...layerwise]) t.dispose();
    stepsDone = step + 1;
    let sample: LossSample | undefined;
    if (logged.terms) {
      const values = await logged.terms.data();
      logged.terms.dispose();
      const losses = Object.fromEntries(SPD_LOSS_NAMES.map((k, i) => [k, values[i]]));
      sample = { step, lr, losses: losses as LossSample["losses"] };
      curve.push(sample);
      if (!values.every(Number.isFinite)) {
        status = "diverged";
        onProgress?.(stepsDone, cfg.steps, sample);
        break;
      }
    }
    onProgress?.(stepsDone, cfg.steps, sample);
    if (isSaveStep(checkpoint, stepsDone, end)) await save();
  }
  if (status === "completed" && stepsDone < cfg.steps) {
    status = "partial";
    await save();
  }
  adam.dispose();
  return { params, status, stepsDone, curve };
}
