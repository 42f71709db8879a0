/**
 * The decomposition-method interface and its registry. A method trains on a
 * frozen target under a seed and reports its learned components in the
 * common form, plus per-layer importances on the one-hot batch; scores only
 * read that.
 *
 * @module
 */
import type { SparseFeatureSpec } from "../data/sparse_features.ts";
import type { Matrix } from "../linalg/matrix.ts";
import type { TargetModel } from "../models/target_model.ts";
import type { Checkpointing } from "./checkpoint.ts";
import type { LayerComponents } from "./components.ts";

/** One point of a training curve. */
export interface CurvePoint {
  /** Optimiser steps applied before the measurement. */
  readonly step: number;
  /** Learning rate at that step. */
  readonly lr: number;
  /** Loss terms by name. */
  readonly losses: Readonly<Record<string, number>>;
}

/** Progress callback: `done` updates of `total`, with a curve point when one was taken. */
export type OnProgress = (done: number, total: number, point?: CurvePoint) => void;

/**
 * How training ended: "completed" (every step), "diverged" (a loss became
 * non-finite) or "partial" (stopped early at `Checkpointing.stopAt`, its state
 * saved for a later resume; scored as it stands).
 */
export type TrainStatus = "completed" | "diverged" | "partial";

/** What a method run produces, in the common form. */
export interface MethodResult {
  /** How training ended. */
  readonly status: TrainStatus;
  /** Optimiser steps applied. */
  readonly stepsDone: number;
  /** Sampled training curve. */
  readonly curve: readonly CurvePoint[];
  /** Learned components per decomposed matrix. */
  readonly components: readonly LayerComponents[];
  /**
   * True when component c of every decomposed matrix is one and the same
   * parameter component (APD's components span all layers), so scores may pair
   * a component's parts across matrices; false or absent when each matrix has
   * components of its own (SPD's subcomponents).
   */
  readonly componentsSpanLayers?: boolean;
  /** Per layer: importance of each component on the one-hot 0.75 batch (`nFeatures × count`). */
  readonly importanceOneHot: Readonly<Record<string, Matrix>>;
  /** Per layer, per component: important on some evaluation input. */
  readonly alive: Readonly<Record<string, readonly boolean[]>>;
  /** Per layer: mean number of important components per evaluation datapoint. */
  readonly l0: Readonly<Record<string, number>>;
  /** Final loss terms on the fixed evaluation set. */
  readonly losses: Readonly<Record<string, number>>;
  /** Trainable parameters of the decomposition (tied storage counted once). */
  readonly parameterCount: number;
  /**
   * Further measurements of the method's own (APD's ablation tests on the
   * residual MLPs), by metric name, each with the direction in which it is
   * better; scores copy them as they are.
   */
  readonly extraMetrics?: Readonly<Record<string, ExtraMetric>>;
}

/** A method's own measurement, scored as it is. */
export interface ExtraMetric {
  /** The value. */
  readonly value: number;
  /** Which way it is better. */
  readonly direction: "higher" | "lower";
}

/** A decomposition method with a typed config. */
export interface Method<Config extends object = object> {
  /** Registry id, e.g. `spd`. */
  readonly id: string;
  /** One-line description. */
  readonly description: string;
  /**
   * The complete default config: every field with a value. Profile entries
   * and user overrides are merged on top of it and validated. A field added
   * later must default to the behaviour of the code before it, so records
   * written without it read as the same config ({@link configWithDefaults}).
   */
  readonly defaults: Readonly<Config>;
  /** Merges overrides into a base config and validates it (throws naming the field). */
  resolveConfig(base: Readonly<Config>, overrides: Readonly<Record<string, unknown>>): Config;
  /** Number of optimiser steps a config runs (for progress and throughput). */
  steps(config: Readonly<Config>): number;
  /**
   * True when `run` honours its `checkpoint` argument (saves, and resumes
   * to the bits of an unbroken run). Methods without it run from step 0.
   */
  readonly resumable?: boolean;
  /** Trains on a frozen target and evaluates the result. */
  run(
    model: TargetModel,
    data: SparseFeatureSpec,
    config: Readonly<Config>,
    seed: number,
    onProgress?: OnProgress,
    checkpoint?: Checkpointing,
  ): Promise<MethodResult>;
}

const registry = new Map<string, Method>();

/** Adds a method to the registry; throws if the id is taken. */
export function registerMethod<C extends object>(method: Method<C>): void {
  if (registry.has(method.id)) throw new Error(`method '${method.id}' is already registered`);
  registry.set(method.id, method as unknown as Method);
}

/** Ids of all registered methods, sorted. */
export function methodIds(): string[] {
  return [...registry.keys()].sort();
}

/**
 * A recorded config as its method resolves it today: the registered method's
 * defaults under the recorded fields, so a record written before a field
 * existed groups with one that states the field's default. The config of a
 * method that is not registered is returned as written.
 */
export function configWithDefaults(
  methodId: string,
  config: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const method = registry.get(methodId);
  return { ...method?.defaults, ...config };
}

/** Looks a method up; throws naming the allowed ids when it is unknown. */
export function getMethod(id: string): Method {
  const m = registry.get(id);
  if (!m) throw new RangeError(`method: unknown value '${id}'; allowed: ${methodIds().join(", ")}`);
  return m;
}
