/**
 * Toy models of superposition (TMS): x̂ = ReLU(Wᵀ (I) W x + b), with W tied
 * between `linear1` (W) and `linear2` (Wᵀ) and an optional fixed identity
 * hidden layer (spd.md §6.2). Ground truth: the feature columns of W, and for
 * the identity variant n_hidden dense subcomponents of the identity.
 *
 * @module
 */
import { oneHotBatch, sampleSparseFeatures } from "../data/sparse_features.ts";
import { matrix } from "../linalg/matrix.ts";
import { tmsSolved } from "../metrics/criteria.ts";
import type { LinearLayer, TargetModel } from "../models/target_model.ts";
import { tf, variableFrom } from "../runtime/backend.ts";
import { rngStream } from "../runtime/rng.ts";
import { trainByMse } from "./target_training.ts";
import type { GroundTruth, Toy } from "./toy.ts";
import type { NamedArray, TargetHealth } from "./trained_target.ts";

/** Everything that defines a TMS target and how it is trained (spd.md §6.2). */
export interface TmsConfig {
  /** Number of features (input and output width). */
  readonly nFeatures: number;
  /** Hidden width. */
  readonly nHidden: number;
  /** Insert a fixed, bias-free identity layer between W and Wᵀ. */
  readonly identityHidden: boolean;
  /** Feature activation probability. */
  readonly featureProb: number;
  /** Output bias init: torch `nn.Linear` default, or zero. */
  readonly biasInit: "default" | "zero";
  /** AdamW learning rate (constant). */
  readonly lr: number;
  /** AdamW decoupled weight decay. */
  readonly weightDecay: number;
  /** Training steps. */
  readonly steps: number;
  /** Batch size. */
  readonly batchSize: number;
}

/** Health criteria: every feature column of W must be at least this long. */
export const TMS_MIN_COLUMN_NORM = 0.5;
/** Health criteria: the eval loss must be below this fraction of the trivial (all-zero) loss. */
export const TMS_MAX_LOSS_FRACTION = 0.5;
/** Datapoints in the fixed evaluation batch used by the health check. */
export const TMS_EVAL_BATCH = 16384;

const TARGET_CODE_VERSION = "tms-target-1";

/** Trivial loss: the MSE of predicting 0, E[x²] = p·(lo² + lo·hi + hi²)/3 with values in [0, 1]. */
export function tmsTrivialLoss(featureProb: number): number {
  return featureProb / 3;
}

function tmsForward(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  identity: tf.Tensor2D | null,
): tf.Tensor2D {
  let h = tf.matMul(x, w);
  if (identity) h = tf.matMul(h, identity);
  return tf.relu(tf.add(tf.matMul(h, tf.transpose(w)), b));
}

/** Trains one TMS target with a seed: AdamW, constant lr, MSE against the input. */
async function trainTms(cfg: TmsConfig, seed: number): Promise<Record<string, NamedArray>> {
  const init = rngStream(seed, "target-init");
  const dataRng = rngStream(seed, "target-data");
  const { nFeatures: n, nHidden: m } = cfg;
  const wBound = 1 / Math.sqrt(n);
  const w0 = init.fillUniform(new Float32Array(n * m), -wBound, wBound);
  const b0 = new Float32Array(n);
  if (cfg.biasInit === "default") init.fillUniform(b0, -1 / Math.sqrt(m), 1 / Math.sqrt(m));
  const w = variableFrom(tf.tensor2d(w0, [n, m]));
  const b = variableFrom(tf.tensor1d(b0));
  const identity = cfg.identityHidden ? tf.eye(m) as tf.Tensor2D : null;
  trainByMse({
    vars: [w, b],
    data: { nFeatures: n, featureProb: cfg.featureProb, lo: 0, hi: 1 },
    batchSize: cfg.batchSize,
    steps: cfg.steps,
    schedule: { kind: "constant", lr: cfg.lr, warmupSteps: 0 },
    weightDecay: cfg.weightDecay,
    rng: dataRng,
    predict: (x) => tmsForward(x, w, b, identity),
    label: (x) => x,
  });
  const tensors: Record<string, NamedArray> = {
    W: { shape: [n, m], data: await w.data() as Float32Array },
    b: { shape: [n], data: await b.data() as Float32Array },
  };
  w.dispose();
  b.dispose();
  identity?.dispose();
  return tensors;
}

/** Checks a TMS target: no dead features, loss well below trivial. */
async function tmsHealth(
  cfg: TmsConfig,
  tensors: Readonly<Record<string, NamedArray>>,
): Promise<TargetHealth> {
  const { nFeatures: n, nHidden: m } = cfg;
  const W = tensors.W.data;
  let minNorm = Infinity;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < m; k++) s += W[j * m + k] ** 2;
    minNorm = Math.min(minNorm, Math.sqrt(s));
  }
  const evalX = sampleSparseFeatures(
    { nFeatures: n, featureProb: cfg.featureProb, lo: 0, hi: 1 },
    TMS_EVAL_BATCH,
    rngStream(0, "target-eval"),
  );
  const [loss, oneHotErr] = tf.tidy(() => {
    const w = tf.tensor2d(W, [n, m]);
    const b = tf.tensor1d(tensors.b.data);
    const id = cfg.identityHidden ? tf.eye(m) as tf.Tensor2D : null;
    const x = tf.tensor2d(evalX, [TMS_EVAL_BATCH, n]);
    const l = tf.mean(tf.squaredDifference(tmsForward(x, w, b, id), x));
    const oh = tf.tensor2d(oneHotBatch(n), [n, n]);
    const diag = tf.sum(tf.mul(tmsForward(oh, w, b, id), tf.eye(n)), 1);
    return [l, tf.max(tf.abs(tf.sub(diag, 0.75)))];
  });
  const evalLoss = (await loss.data())[0];
  const maxOneHotError = (await oneHotErr.data())[0];
  loss.dispose();
  oneHotErr.dispose();
  const trivialLoss = tmsTrivialLoss(cfg.featureProb);
  const failures: string[] = [];
  if (!(minNorm > TMS_MIN_COLUMN_NORM)) {
    failures.push(`dead feature: min column norm ${minNorm.toFixed(4)} <= ${TMS_MIN_COLUMN_NORM}`);
  }
  if (!(evalLoss < TMS_MAX_LOSS_FRACTION * trivialLoss)) {
    failures.push(
      `loss ${evalLoss.toExponential(3)} >= ${TMS_MAX_LOSS_FRACTION} x trivial ${
        trivialLoss.toExponential(3)
      }`,
    );
  }
  return {
    healthy: failures.length === 0,
    failures,
    measures: { minColumnNorm: minNorm, evalLoss, trivialLoss, maxOneHotError },
  };
}

function tmsModel(cfg: TmsConfig, tensors: Readonly<Record<string, NamedArray>>): TargetModel {
  const { nFeatures: n, nHidden: m } = cfg;
  const w = tf.tensor2d(tensors.W.data, [n, m]);
  const linear1: LinearLayer = { name: "linear1", dIn: n, dOut: m, weight: w, bias: null };
  const hidden: LinearLayer | null = cfg.identityHidden
    ? { name: "hidden_layers.0", dIn: m, dOut: m, weight: tf.eye(m) as tf.Tensor2D, bias: null }
    : null;
  const linear2: LinearLayer = {
    name: "linear2",
    dIn: m,
    dOut: n,
    weight: tf.transpose(w),
    bias: tf.tensor1d(tensors.b.data),
  };
  const layers = hidden ? [linear1, hidden, linear2] : [linear1, linear2];
  return {
    layers,
    ties: { linear2: "linear1" },
    zeroInputGivesZeroActivations: true,
    nInputs: n,
    nOutputs: n,
    forward(x, layerFn, act = tf.relu) {
      let h = layerFn(linear1, x);
      if (hidden) h = layerFn(hidden, h);
      return act(layerFn(linear2, h));
    },
    dispose() {
      for (const l of layers) {
        l.weight.dispose();
        l.bias?.dispose();
      }
    },
  };
}

function tmsGroundTruth(
  cfg: TmsConfig,
  tensors: Readonly<Record<string, NamedArray>>,
): GroundTruth {
  const ciPatterns: Record<string, { kind: "identity" } | { kind: "dense"; k: number }> = {
    linear1: { kind: "identity" },
    linear2: { kind: "identity" },
  };
  if (cfg.identityHidden) ciPatterns["hidden_layers.0"] = { kind: "dense", k: cfg.nHidden };
  return {
    features: { layer: "linear1", vectors: matrix(cfg.nFeatures, cfg.nHidden, tensors.W.data) },
    ciPatterns,
    residual: null,
  };
}

/** Builds a TMS {@linkcode Toy} from its config. */
export function tmsToy(id: string, description: string, cfg: TmsConfig): Toy {
  return {
    id,
    description,
    data: { nFeatures: cfg.nFeatures, featureProb: cfg.featureProb, lo: 0, hi: 1 },
    targetConfig: { ...cfg },
    targetCodeVersion: TARGET_CODE_VERSION,
    trainTarget: (seed) => trainTms(cfg, seed),
    checkHealth: (tensors) => tmsHealth(cfg, tensors),
    buildModel: (tensors) => tmsModel(cfg, tensors),
    groundTruth: (tensors) => tmsGroundTruth(cfg, tensors),
    success: tmsSolved(cfg.nFeatures),
  };
}

/** Paper target recipe for TMS 5-2 (spd.md §6.2): AdamW 5e-3, wd 0.01, 10k steps, batch 1024. */
export const TMS_5_2: TmsConfig = {
  nFeatures: 5,
  nHidden: 2,
  identityHidden: false,
  featureProb: 0.05,
  biasInit: "default",
  lr: 5e-3,
  weightDecay: 0.01,
  steps: 10_000,
  batchSize: 1024,
};

/** TMS 5-2 with the fixed identity hidden layer. */
export const TMS_5_2_ID: TmsConfig = { ...TMS_5_2, identityHidden: true };

/** Paper target recipe for TMS 40-10: as 5-2 with batch 8192 and a zero-initialised bias. */
export const TMS_40_10: TmsConfig = {
  ...TMS_5_2,
  nFeatures: 40,
  nHidden: 10,
  biasInit: "zero",
  batchSize: 8192,
};

/** TMS 40-10 with the fixed identity hidden layer. */
export const TMS_40_10_ID: TmsConfig = { ...TMS_40_10, identityHidden: true };
