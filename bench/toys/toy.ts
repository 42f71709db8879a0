/**
 * The toy-model interface and its registry. A toy owns its data distribution,
 * how its target is trained, how a trained target is judged healthy, the
 * network built from it, and its ground truth.
 *
 * @module
 */
import type { SparseFeatureSpec } from "../data/sparse_features.ts";
import type { Matrix } from "../linalg/matrix.ts";
import type { Criterion } from "../metrics/criteria.ts";
import type { TargetModel } from "../models/target_model.ts";
import {
  canonicalZeros,
  type NamedArray,
  type TargetAttempt,
  type TargetHealth,
  type TrainedTarget,
} from "./trained_target.ts";

/** The causal-importance pattern a solved decomposition shows on one layer (spd.md §7.4). */
export type CiPattern =
  | { readonly kind: "identity" }
  | { readonly kind: "dense"; readonly k: number };

/** What a toy knows to be true about its target. */
export interface GroundTruth {
  /**
   * Feature directions to recover, when the toy has them: row j is feature j's
   * column of the named layer (TMS: the columns of W in `linear1`).
   */
  readonly features: { readonly layer: string; readonly vectors: Matrix } | null;
  /** Expected CI pattern per decomposed layer on the one-hot batch. */
  readonly ciPatterns: Readonly<Record<string, CiPattern>>;
  /**
   * For residual MLPs: the embedding and each layer's target weights, for the
   * neuron-contribution comparison (spd.md §7.6); null for other toys.
   */
  readonly residual: ResidualTruth | null;
}

/** What the neuron-contribution comparison needs from a residual-MLP target. */
export interface ResidualTruth {
  /** W_E `[nFeatures, dEmbed]`. */
  readonly embedding: Matrix;
  /** Per MLP layer: layer names and target weights (`[dEmbed, dMlp]`, `[dMlp, dEmbed]`). */
  readonly layers: readonly {
    readonly mlpIn: string;
    readonly mlpOut: string;
    readonly wIn: Matrix;
    readonly wOut: Matrix;
  }[];
}

/** A toy model: a ground truth generator with a target to decompose. */
export interface Toy {
  /** Registry id, e.g. `tms_5-2`. */
  readonly id: string;
  /** One-line description. */
  readonly description: string;
  /** Input distribution used for target training and decomposition. */
  readonly data: SparseFeatureSpec;
  /** Everything that determines the trained target; part of the cache key. */
  readonly targetConfig: Readonly<Record<string, unknown>>;
  /** Bumped whenever target training code changes meaning; part of the cache key. */
  readonly targetCodeVersion: string;
  /** Trains the target once with a seed. */
  trainTarget(seed: number): Promise<Record<string, NamedArray>>;
  /** Judges a trained target. */
  checkHealth(tensors: Readonly<Record<string, NamedArray>>): Promise<TargetHealth>;
  /** Builds the frozen target network (the caller disposes it). */
  buildModel(tensors: Readonly<Record<string, NamedArray>>): TargetModel;
  /** The ground truth of a trained target. */
  groundTruth(tensors: Readonly<Record<string, NamedArray>>): GroundTruth;
  /** What counts as recovering this toy's ground truth. */
  readonly success: Criterion;
}

/** How many target seeds {@linkcode trainHealthyTarget} tries before giving up. */
export const MAX_TARGET_ATTEMPTS = 10;

/**
 * Trains a target that passes the toy's health check. The rule is fixed and
 * recorded: try target seeds `seed, seed + 1, …` (at most
 * {@linkcode MAX_TARGET_ATTEMPTS}) and keep the first healthy one; every
 * attempt's health report goes into the result. Throws when none is healthy.
 */
export async function trainHealthyTarget(toy: Toy, seed: number): Promise<TrainedTarget> {
  const attempts: TargetAttempt[] = [];
  for (let k = 0; k < MAX_TARGET_ATTEMPTS; k++) {
    const tensors = canonicalZeros(await toy.trainTarget(seed + k));
    const health = await toy.checkHealth(tensors);
    attempts.push({ seed: seed + k, health });
    if (health.healthy) {
      return { toy: toy.id, seedRequested: seed, seedUsed: seed + k, attempts, tensors };
    }
  }
  const last = attempts[attempts.length - 1].health.failures.join("; ");
  throw new Error(
    `toy '${toy.id}': no healthy target in ${MAX_TARGET_ATTEMPTS} seeds from ${seed} (last: ${last})`,
  );
}

const registry = new Map<string, Toy>();

/** Adds a toy to the registry; throws if the id is taken. */
export function registerToy(toy: Toy): void {
  if (registry.has(toy.id)) throw new Error(`toy '${toy.id}' is already registered`);
  registry.set(toy.id, toy);
}

/** Ids of all registered toys, sorted. */
export function toyIds(): string[] {
  return [...registry.keys()].sort();
}

/** Looks a toy up; throws naming the allowed ids when it is unknown. */
export function getToy(id: string): Toy {
  const toy = registry.get(id);
  if (!toy) throw new RangeError(`toy: unknown value '${id}'; allowed: ${toyIds().join(", ")}`);
  return toy;
}
