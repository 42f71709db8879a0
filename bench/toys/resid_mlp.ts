/**
 * Residual MLPs doing compressed computation (spd.md §6.3): a fixed random
 * unit-norm embedding W_E, `r ← r + ReLU(r·W_in)·W_out` per layer with no
 * biases, read-off through W_U = W_Eᵀ, trained to output x + ReLU(x).
 * Ground truth: one `mlp_in` subcomponent per feature (identity CI pattern)
 * and d_mlp dense `mlp_out` subcomponents per layer.
 *
 * @module
 */
import { sampleSparseFeatures } from "../data/sparse_features.ts";
import { matrix } from "../linalg/matrix.ts";
import { residSolved } from "../metrics/criteria.ts";
import {
  type ActivationFn,
  type LayerFn,
  type LinearLayer,
  targetLayer,
  type TargetModel,
} from "../models/target_model.ts";
import { tf, variableFrom } from "../runtime/backend.ts";
import { rngStream } from "../runtime/rng.ts";
import { trainByMse } from "./target_training.ts";
import type { CiPattern, GroundTruth, Toy } from "./toy.ts";
import type { NamedArray, TargetHealth } from "./trained_target.ts";

/** Everything that defines a residual-MLP target and how it is trained. */
export interface ResidMlpConfig {
  /** Number of features. */
  readonly nFeatures: number;
  /** Residual-stream width. */
  readonly dEmbed: number;
  /** Neurons per MLP layer. */
  readonly dMlp: number;
  /** Number of MLP layers. */
  readonly nLayers: number;
  /** Feature activation probability (values uniform on [−1, 1]). */
  readonly featureProb: number;
  /** AdamW peak learning rate (quarter-period cosine decay). */
  readonly lr: number;
  /** AdamW decoupled weight decay. */
  readonly weightDecay: number;
  /** Training steps. */
  readonly steps: number;
  /** Batch size. */
  readonly batchSize: number;
}

/** Reference final target MSE of the retrained [M] targets (spd.md §6.3, [I#95]). */
export const RESID_REFERENCE_LOSS: Readonly<Record<number, number>> = {
  1: 0.000696,
  2: 0.00069,
  3: 0.000658,
};

/**
 * Health: the eval MSE must be below this fraction of p/6, the loss of a
 * model that only passes x through (E[ReLU(v)²] = 1/6 for v ~ U[−1, 1]).
 * The reference targets reach ≈ 0.42 of it.
 */
export const RESID_MAX_LOSS_FRACTION = 0.75;
/** Datapoints in the fixed evaluation batch of the health check. */
export const RESID_EVAL_BATCH = 8192;

const TARGET_CODE_VERSION = "resid-mlp-target-1";

/** p/6: the MSE of outputting x instead of x + ReLU(x). */
export function residPassThroughLoss(featureProb: number): number {
  return featureProb / 6;
}

/** Labels x + ReLU(x), row-major. */
function labels(x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(x, tf.relu(x));
}

/** W_E: i.i.d. N(0, 1) rows normalised to unit length (frozen). */
function embedding(cfg: ResidMlpConfig, seed: number): Float32Array {
  const rng = rngStream(seed, "target-embedding");
  const w = rng.fillNormal(new Float32Array(cfg.nFeatures * cfg.dEmbed));
  for (let i = 0; i < cfg.nFeatures; i++) {
    const row = w.subarray(i * cfg.dEmbed, (i + 1) * cfg.dEmbed);
    let s = 0;
    for (const v of row) s += v * v;
    const inv = 1 / Math.sqrt(s);
    for (let e = 0; e < row.length; e++) row[e] *= inv;
  }
  return w;
}

function residForward(
  x: tf.Tensor2D,
  wE: tf.Tensor2D,
  wU: tf.Tensor2D,
  layers: readonly { wIn: tf.Tensor2D; wOut: tf.Tensor2D }[],
): tf.Tensor2D {
  let r = tf.matMul(x, wE);
  for (const { wIn, wOut } of layers) r = tf.add(r, tf.matMul(tf.relu(tf.matMul(r, wIn)), wOut));
  return tf.matMul(r, wU);
}

async function trainResid(cfg: ResidMlpConfig, seed: number): Promise<Record<string, NamedArray>> {
  const { nFeatures: n, dEmbed: d, dMlp: m } = cfg;
  const init = rngStream(seed, "target-init");
  const dataRng = rngStream(seed, "target-data");
  const wEData = embedding(cfg, seed);
  const wE = tf.tensor2d(wEData, [n, d]);
  const wU = tf.transpose(wE) as tf.Tensor2D;
  const layers = Array.from({ length: cfg.nLayers }, () => {
    const inBound = 1 / Math.sqrt(d), outBound = 1 / Math.sqrt(m);
    return {
      wIn: variableFrom(
        tf.tensor2d(init.fillUniform(new Float32Array(d * m), -inBound, inBound), [d, m]),
      ),
      wOut: variableFrom(
        tf.tensor2d(init.fillUniform(new Float32Array(m * d), -outBound, outBound), [m, d]),
      ),
    };
  });
  const vars = layers.flatMap((l) => [l.wIn, l.wOut]);
  trainByMse({
    vars,
    data: { nFeatures: n, featureProb: cfg.featureProb, lo: -1, hi: 1 },
    batchSize: cfg.batchSize,
    steps: cfg.steps,
    schedule: { kind: "cosine_quarter", lr: cfg.lr, warmupSteps: 0 },
    weightDecay: cfg.weightDecay,
    rng: dataRng,
    predict: (x) => residForward(x, wE, wU, layers),
    label: labels,
  });
  const tensors: Record<string, NamedArray> = { W_E: { shape: [n, d], data: wEData } };
  for (const [i, l] of layers.entries()) {
    tensors[`layers.${i}.mlp_in`] = { shape: [d, m], data: await l.wIn.data() as Float32Array };
    tensors[`layers.${i}.mlp_out`] = { shape: [m, d], data: await l.wOut.data() as Float32Array };
  }
  for (const v of vars) v.dispose();
  wE.dispose();
  wU.dispose();
  return tensors;
}

function residModel(
  cfg: ResidMlpConfig,
  tensors: Readonly<Record<string, NamedArray>>,
): TargetModel {
  const { nFeatures: n, dEmbed: d, dMlp: m } = cfg;
  const wE = tf.tensor2d(tensors.W_E.data, [n, d]);
  const wU = tf.transpose(wE) as tf.Tensor2D;
  const blocks = Array.from({ length: cfg.nLayers }, (_, i) => {
    const mlpIn: LinearLayer = {
      name: `layers.${i}.mlp_in`,
      dIn: d,
      dOut: m,
      weight: tf.tensor2d(tensors[`layers.${i}.mlp_in`].data, [d, m]),
      bias: null,
    };
    const mlpOut: LinearLayer = {
      name: `layers.${i}.mlp_out`,
      dIn: m,
      dOut: d,
      weight: tf.tensor2d(tensors[`layers.${i}.mlp_out`].data, [m, d]),
      bias: null,
    };
    return { mlpIn, mlpOut };
  });
  /** The blocks and the unembedding, from the residual stream after the embedding. */
  const fromEmbedded = (r0: tf.Tensor2D, layerFn: LayerFn, act: ActivationFn = tf.relu) => {
    let r = r0;
    for (const b of blocks) {
      r = tf.add(r, layerFn(b.mlpOut, act(layerFn(b.mlpIn, r)))) as tf.Tensor2D;
    }
    return tf.matMul(r, wU) as tf.Tensor2D;
  };
  return {
    layers: blocks.flatMap((b) => [b.mlpIn, b.mlpOut]),
    ties: {},
    zeroInputGivesZeroActivations: true,
    nInputs: n,
    nOutputs: n,
    forward: (x, layerFn, act) => fromEmbedded(tf.matMul(x, wE) as tf.Tensor2D, layerFn, act),
    forwardFromFirstLayer: fromEmbedded,
    // Only the last block's mlp_out is followed by nothing but the residual add and W_U.
    linearReadout: (name) => name === blocks[blocks.length - 1].mlpOut.name ? wU : null,
    dispose() {
      wE.dispose();
      wU.dispose();
      for (const b of blocks) {
        b.mlpIn.weight.dispose();
        b.mlpOut.weight.dispose();
      }
    },
  };
}

async function residHealth(
  cfg: ResidMlpConfig,
  tensors: Readonly<Record<string, NamedArray>>,
): Promise<TargetHealth> {
  const xs = sampleSparseFeatures(
    { nFeatures: cfg.nFeatures, featureProb: cfg.featureProb, lo: -1, hi: 1 },
    RESID_EVAL_BATCH,
    rngStream(0, "target-eval"),
  );
  const model = residModel(cfg, tensors);
  const lossT = tf.tidy(() => {
    const x = tf.tensor2d(xs, [RESID_EVAL_BATCH, cfg.nFeatures]);
    return tf.mean(tf.squaredDifference(
      model.forward(x, targetLayer),
      labels(x),
    ));
  });
  const evalLoss = (await lossT.data())[0];
  lossT.dispose();
  model.dispose();
  const passThrough = residPassThroughLoss(cfg.featureProb);
  const healthy = evalLoss < RESID_MAX_LOSS_FRACTION * passThrough;
  return {
    healthy,
    failures: healthy ? [] : [
      `loss ${evalLoss.toExponential(3)} >= ${RESID_MAX_LOSS_FRACTION} x pass-through ${
        passThrough.toExponential(3)
      }`,
    ],
    measures: {
      evalLoss,
      passThroughLoss: passThrough,
      referenceLoss: RESID_REFERENCE_LOSS[cfg.nLayers] ?? NaN,
    },
  };
}

function residGroundTruth(
  cfg: ResidMlpConfig,
  tensors: Readonly<Record<string, NamedArray>>,
): GroundTruth {
  const { nFeatures: n, dEmbed: d, dMlp: m } = cfg;
  const ciPatterns: Record<string, CiPattern> = {};
  const layers = [];
  for (let i = 0; i < cfg.nLayers; i++) {
    const mlpIn = `layers.${i}.mlp_in`, mlpOut = `layers.${i}.mlp_out`;
    ciPatterns[mlpIn] = { kind: "identity" };
    ciPatterns[mlpOut] = { kind: "dense", k: m };
    if (tensors[mlpIn] && tensors[mlpOut]) {
      layers.push({
        mlpIn,
        mlpOut,
        wIn: matrix(d, m, tensors[mlpIn].data),
        wOut: matrix(m, d, tensors[mlpOut].data),
      });
    }
  }
  const residual = tensors.W_E ? { embedding: matrix(n, d, tensors.W_E.data), layers } : null;
  return { features: null, ciPatterns, residual };
}

/** Builds a residual-MLP {@linkcode Toy} from its config. */
export function residMlpToy(id: string, description: string, cfg: ResidMlpConfig): Toy {
  return {
    id,
    description,
    data: { nFeatures: cfg.nFeatures, featureProb: cfg.featureProb, lo: -1, hi: 1 },
    targetConfig: { ...cfg },
    targetCodeVersion: TARGET_CODE_VERSION,
    trainTarget: (seed) => trainResid(cfg, seed),
    checkHealth: (tensors) => residHealth(cfg, tensors),
    buildModel: (tensors) => residModel(cfg, tensors),
    groundTruth: (tensors) => residGroundTruth(cfg, tensors),
    success: residSolved(),
  };
}

const RESID_COMMON = {
  dEmbed: 1000,
  featureProb: 0.01,
  lr: 3e-3,
  weightDecay: 0.01,
  batchSize: 2048,
} as const;

/** 1 layer: 100 features, d_mlp 50, 1,000 steps (spd.md §6.3). */
export const RESID_MLP_1: ResidMlpConfig = {
  ...RESID_COMMON,
  nFeatures: 100,
  dMlp: 50,
  nLayers: 1,
  steps: 1000,
};
/** 2 layers: 100 features, d_mlp 25 per layer, 1,000 steps. */
export const RESID_MLP_2: ResidMlpConfig = {
  ...RESID_COMMON,
  nFeatures: 100,
  dMlp: 25,
  nLayers: 2,
  steps: 1000,
};
/** 3 layers: 102 features, d_mlp 17 per layer, 10,000 steps. */
export const RESID_MLP_3: ResidMlpConfig = {
  ...RESID_COMMON,
  nFeatures: 102,
  dMlp: 17,
  nLayers: 3,
  steps: 10_000,
};
