/**
 * The loop shared by the toys' target training: a fresh sparse batch every
 * step, MSE between the network's output and a label, AdamW under a
 * learning-rate schedule.
 *
 * @module
 */
import { sampleSparseFeatures, type SparseFeatureSpec } from "../data/sparse_features.ts";
import { Adam } from "../optim/adam.ts";
import { learningRate, type Schedule } from "../optim/schedule.ts";
import { tf } from "../runtime/backend.ts";
import type { Rng } from "../runtime/rng.ts";

/** What {@linkcode trainByMse} needs. */
export interface MseTraining {
  /** The trainable variables. */
  readonly vars: readonly tf.Variable[];
  /** The input distribution. */
  readonly data: SparseFeatureSpec;
  /** Datapoints per step. */
  readonly batchSize: number;
  /** Optimiser steps. */
  readonly steps: number;
  /** Learning-rate schedule. */
  readonly schedule: Schedule;
  /** AdamW decoupled weight decay. */
  readonly weightDecay: number;
  /** Stream for the batches. */
  readonly rng: Rng;
  /** The network's output for a batch. */
  readonly predict: (x: tf.Tensor2D) => tf.Tensor;
  /** The label for a batch. */
  readonly label: (x: tf.Tensor2D) => tf.Tensor;
}

/** Trains `vars` to minimise mean((predict(x) − label(x))²) over fresh batches. */
export function trainByMse(t: MseTraining): void {
  const adam = new Adam([...t.vars], { weightDecay: t.weightDecay });
  const n = t.data.nFeatures;
  const xs = new Float32Array(t.batchSize * n);
  for (let step = 0; step < t.steps; step++) {
    sampleSparseFeatures(t.data, t.batchSize, t.rng, xs);
    tf.tidy(() => {
      const x = tf.tensor2d(xs, [t.batchSize, n]);
      const { grads } = tf.variableGrads(
        () => tf.mean(tf.squaredDifference(t.predict(x), t.label(x))) as tf.Scalar,
        [...t.vars],
      );
      adam.step(t.vars.map((v) => grads[v.name]), learningRate(t.schedule, step, t.steps));
    });
  }
  adam.dispose();
}
