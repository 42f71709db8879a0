/**
 * A trained target in plain data form: what a toy's training produces, what
 * the disk cache stores, and what a decomposition is built from.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** A named array with its shape (row-major). */
export interface NamedArray {
  /** Shape, e.g. `[5, 2]`. */
  readonly shape: readonly number[];
  /** Row-major entries (float32 values). */
  readonly data: Float32Array;
}

/** Outcome of a target health check. */
export interface TargetHealth {
  /** True when every criterion passed. */
  readonly healthy: boolean;
  /** One line per failed criterion (empty when healthy). */
  readonly failures: readonly string[];
  /** The measured quantities the criteria looked at. */
  readonly measures: Readonly<Record<string, number>>;
}

/** One attempt at training a healthy target. */
export interface TargetAttempt {
  /** The target seed of this attempt. */
  readonly seed: number;
  /** Its health check. */
  readonly health: TargetHealth;
}

/** A trained, frozen target of a toy model. */
export interface TrainedTarget {
  /** The toy's id. */
  readonly toy: string;
  /** The target seed requested by the run. */
  readonly seedRequested: number;
  /** The target seed actually used (differs when earlier seeds failed the health check). */
  readonly seedUsed: number;
  /** Every attempt, in order; the last one is the target used. */
  readonly attempts: readonly TargetAttempt[];
  /** The trained tensors by name. */
  readonly tensors: Readonly<Record<string, NamedArray>>;
}

/**
 * Replaces −0 by +0 in every tensor (in place) and returns the tensors. JSON
 * has no negative zero, so a cached target would otherwise differ in bits
 * from the one trained in memory.
 */
export function canonicalZeros(
  tensors: Record<string, NamedArray>,
): Record<string, NamedArray> {
  for (const t of Object.values(tensors)) {
    for (let i = 0; i < t.data.length; i++) if (Object.is(t.data[i], -0)) t.data[i] = 0;
  }
  return tensors;
}

/** SHA-256 hex of a string. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** JSON with object keys sorted at every level: a canonical form for hashing. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]));
    }
    return v;
  });
}

/** SHA-256 of a value's canonical JSON. */
export function hashOf(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/**
 * SHA-256 over a target's tensors: names, shapes and float32 bits, with −0
 * hashed as +0 (JSON cannot keep the sign of zero, and no op tells them apart
 * except division by zero).
 */
export function targetHash(tensors: Readonly<Record<string, NamedArray>>): string {
  const h = createHash("sha256");
  for (const name of Object.keys(tensors).sort()) {
    const t = tensors[name];
    const data = t.data.map((v) => v === 0 ? 0 : v);
    h.update(`${name}:${t.shape.join("x")}:`);
    h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return h.digest("hex");
}

/** Serialisable form of a {@linkcode TrainedTarget} (typed arrays become number arrays). */
export function targetToJson(target: TrainedTarget): unknown {
  const tensors = Object.fromEntries(
    Object.entries(target.tensors).map((
      [k, t],
    ) => [k, { shape: t.shape, data: Array.from(t.data) }]),
  );
  return { ...target, tensors, hash: targetHash(target.tensors) };
}

/**
 * Rebuilds a {@linkcode TrainedTarget} from {@linkcode targetToJson} output and
 * checks it: shapes match the data, and the stored hash matches the tensors.
 */
export function targetFromJson(json: unknown): TrainedTarget {
  const o = json as Record<string, unknown>;
  if (!o || typeof o !== "object" || typeof o.toy !== "string" || !o.tensors) {
    throw new Error("cached target: not a target object (missing 'toy' or 'tensors')");
  }
  const raw = o.tensors as Record<string, { shape: number[]; data: number[] }>;
  const tensors: Record<string, NamedArray> = {};
  for (const [name, t] of Object.entries(raw)) {
    if (!Array.isArray(t?.shape) || !t.shape.every(Number.isInteger)) {
      throw new Error(`cached target: tensor '${name}' has no valid 'shape'`);
    }
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (!Array.isArray(t.data) || t.data.length !== size) {
      throw new Error(
        `cached target: tensor '${name}' has ${t.data?.length} entries, shape needs ${size}`,
      );
    }
    tensors[name] = { shape: t.shape, data: Float32Array.from(t.data) };
  }
  const hash = targetHash(tensors);
  if (hash !== o.hash) {
    throw new Error(
      `cached target: content hash ${hash.slice(0, 12)} != stored ${String(o.hash).slice(0, 12)}`,
    );
  }
  return {
    toy: o.toy,
    seedRequested: o.seedRequested as number,
    seedUsed: o.seedUsed as number,
    attempts: o.attempts as TargetAttempt[],
    tensors,
  };
}
