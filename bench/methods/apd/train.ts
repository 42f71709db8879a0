/**
 * The APD training loop (apd.md §5.3): every step optionally renormalises the
 * A columns, sets the learning rate (linear warmup from 0, then constant or the
 * quarter cosine), draws a fresh batch, runs the clean target pass, takes the
 * gradient attributions, builds the batch top-k mask, and takes one Adam step
 * (eps 1e-8, no weight decay) on the weighted loss terms. Losses are read back
 * only every `logEvery` steps. With `checkpoint` the loop saves its state
 * whenever `shouldSave` says so and can start from a saved state (exact resume).
 *
 * @module
 */
import { sampleSparseFeatures, type SparseFeatureSpec } from "../../data/sparse_features.ts";
import { decomposedParamCount, targetLayer, type TargetModel } from "../../models/target_model.ts";
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
import type { CurvePoint, OnProgress, TrainStatus } from "../method.ts";
import { gradientAttributions } from "./attributions.ts";
import { type ApdConfig, topkCount, warmupSteps } from "./config.ts";
import { APD_LOSS_NAMES, apdLosses, passWithActivations } from "./losses.ts";
import { type ApdParams, initApdParams, normaliseAColumns, projectAGradient } from "./params.ts";
import { batchTopkMask } from "./topk.ts";

/** What APD training produced. */
export interface ApdTrainResult {
  /** Trained parameters; the caller disposes them. */
  readonly params: ApdParams;
  /** How training ended (see {@linkcode TrainStatus}). */
  readonly status: TrainStatus;
  /** Updates applied. */
  readonly stepsDone: number;
  /** Loss samples every `logEvery` steps, and at the end. */
  readonly curve: readonly CurvePoint[];
}

/**
 * Trains APD on `model` under `seed`. Streams: `data` (batches) and
 * `apd-init:*` (factors); top-k has no randomness. Same inputs, same backend:
 * same bits.
 */
export async function trainApd(
  model: TargetModel,
  data: SparseFeatureSpec,
  cfg: ApdConfig,
  seed: number,
  onProgress?: OnProgress,
  checkpoint?: Checkpointing,
): Promise<ApdTrainResult> {
  const params = initApdParams(model, cfg.C, cfg.rank, cfg.initGain, cfg.initInstances, seed);
  let dataRng = rngStream(seed, "data");
  const vars = [...params.variables];
  const adam = new Adam(vars);
  const nParams = decomposedParamCount(model);
  const B = cfg.batchSize;
  const k = topkCount(cfg.topk, B);
  const xs = new Float32Array(B * data.nFeatures);
  const schedule = { kind: cfg.schedule, lr: cfg.lr, warmupSteps: warmupSteps(cfg) };
  const projected = new Set(params.layers.flatMap((l) => l.aVar ? [l.aVar.name] : []));
  const curve: CurvePoint[] = [];
  let status: TrainStatus = "completed";
  let stepsDone = 0;
  if (checkpoint?.resume) {
    dataRng = restoreTrainState(checkpoint.resume, cfg.steps, vars, adam, ["data"]).data;
    stepsDone = checkpoint.resume.stepsDone;
    curve.push(...checkpoint.resume.curve);
  }

  const save = async () => {
    await checkpoint!.save(
      await captureTrainState(stepsDone, vars, adam, { data: dataRng }, curve),
    );
  };
  const end = stopStep(checkpoint, cfg.steps);
  for (let step = stepsDone; step < end; step++) {
    if (cfg.unitNormA) normaliseAColumns(params);
    const lr = learningRate(schedule, step, cfg.steps);
    const log = step % cfg.logEvery === 0 || step === cfg.steps - 1;
    sampleSparseFeatures(data, B, dataRng, xs);
    let terms: tf.Tensor | null = null;
    const grads = tf.tidy(() => {
      const x = tf.tensor2d(xs, [B, data.nFeatures]);
      const target = passWithActivations(model, x, targetLayer);
      const attr = gradientAttributions(model, params, x, cfg.attributionSource);
      const mask = batchTopkMask(attr, k);
      const { grads } = tf.variableGrads(() => {
        const t = apdLosses(model, params, cfg, x, target, mask, nParams);
        if (log) terms = tf.keep(tf.stack(APD_LOSS_NAMES.map((n) => t[n])));
        return t.total;
      }, vars);
      return vars.map((v) =>
        cfg.unitNormA && projected.has(v.name)
          ? projectAGradient(v as tf.Tensor2D, grads[v.name] as tf.Tensor2D)
          : grads[v.name]
      );
    });
    adam.step(grads, lr);
    grads.forEach((g) => g.dispose());
    stepsDone = step + 1;
    let point: CurvePoint | undefined;
    if (terms !== null) {
      const logged: tf.Tensor = terms;
      const values = await logged.data();
      logged.dispose();
      point = {
        step,
        lr,
        losses: Object.fromEntries(APD_LOSS_NAMES.map((n, i) => [n, values[i]])),
      };
      curve.push(point);
      if (!values.every(Number.isFinite)) {
        status = "diverged";
        onProgress?.(stepsDone, cfg.steps, point);
        break;
      }
    }
    onProgress?.(stepsDone, cfg.steps, point);
    if (isSaveStep(checkpoint, stepsDone, end)) await save();
  }
  if (status === "completed" && stepsDone < cfg.steps) {
    status = "partial";
    await save();
  }
  adam.dispose();
  return { params, status, stepsDone, curve };
}
