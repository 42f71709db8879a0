/**
 * The run record: one JSON line per run, the unit every later tool (merge,
 * compare, report) reads. Deterministic fields (config, target, status,
 * metrics, curve, and `artifacts` when present) are covered by `resultHash`;
 * `timing` and `provenance` describe the execution and differ between runs of
 * the same job.
 *
 * @module
 */
import type { RunArtifacts } from "../metrics/artifacts.ts";
import type { Metric } from "../metrics/score.ts";
import { configWithDefaults, type CurvePoint } from "../methods/method.ts";
import { hashOf } from "../toys/trained_target.ts";

/** Version of the record layout. Bump on any incompatible change. */
export const SCHEMA_VERSION = 1;
/** Version of the suite; records of different suite versions are never mixed. */
export const SUITE_VERSION = "0.1.0";

/** Where and with what a run was produced. */
export interface Provenance {
  /** `git rev-parse HEAD`, or null outside a repository or before the first commit. */
  gitCommit: string | null;
  /** Uncommitted changes present (untracked files count); null if unknown. */
  gitDirty: boolean | null;
  /** Deno version. */
  deno: string;
  /** V8 version. */
  v8: string;
  /** TypeScript version. */
  typescript: string;
  /** TensorFlow.js version. */
  tfjs: string;
  /** OS name and release. */
  os: string;
  /** CPU architecture. */
  arch: string;
  /** CPU model name, or null if unavailable. */
  cpuModel: string | null;
  /** Logical cores visible to the process. */
  cpuCores: number;
  /** Host name. */
  hostname: string;
  /**
   * Plugin modules loaded for the run (`--plugin`), each with the SHA-256 of
   * its entry file (null for a module that is not a local file); absent
   * when none was.
   */
  plugins?: readonly { path: string; sha256: string | null }[];
}

/**
 * Run outcome. "partial": training was stopped early on purpose (`bench
 * --stop-at`) and scored as it stood; the job is not finished and resumes from
 * its checkpoint.
 */
export type RunStatus = "completed" | "diverged" | "partial" | "failed";

/** Every {@linkcode RunStatus}, best first (the order `merge` prefers). */
export const RUN_STATUSES: readonly RunStatus[] = ["completed", "diverged", "partial", "failed"];

/** Which target a run decomposed. */
export interface TargetInfo {
  /** Target seed requested. */
  readonly seedRequested: number;
  /** Target seed used after the health-check rule. */
  readonly seedUsed: number;
  /** SHA-256 of the target tensors. */
  readonly hash: string;
  /** Every training attempt: seed, health, failures and measures. */
  readonly attempts: readonly {
    seed: number;
    healthy: boolean;
    failures: readonly string[];
    measures: Readonly<Record<string, number>>;
  }[];
}

/** Execution facts (not deterministic). */
export interface Timing {
  /** ISO time the run started. */
  readonly startedAt: string;
  /** Wall time of training and evaluation, seconds. */
  readonly wallTimeS: number;
  /** Training steps per second (training loop only). */
  readonly stepsPerSecond: number;
  /** Optimiser steps applied. */
  readonly stepsDone: number;
  /**
   * Set when the run resumed from a checkpoint: the updates already applied
   * then. Wall time and steps per second then span every segment.
   */
  readonly resumedFromStep?: number;
}

/** One run of one method on one toy with one seed. */
export interface RunRecord {
  /** {@linkcode SCHEMA_VERSION} at write time. */
  readonly schemaVersion: number;
  /** {@linkcode SUITE_VERSION} at write time. */
  readonly suiteVersion: string;
  /** `toy__method__s<seed>__<configHash[0:12]>__<backend>`. */
  readonly runId: string;
  /** Toy id. */
  readonly toy: string;
  /** Method id. */
  readonly method: string;
  /** Decomposition seed. */
  readonly seed: number;
  /** Resolved method config, every default written out. */
  readonly config: Readonly<Record<string, unknown>>;
  /** SHA-256 of `{toy, method, config, targetSeed}`: the job's identity apart from the seed. */
  readonly configHash: string;
  /** The decomposed target. */
  readonly target: TargetInfo | null;
  /** TF.js backend the run used. */
  readonly backend: string;
  /** Outcome. */
  readonly status: RunStatus;
  /** Error message of a failed run, else null. */
  readonly error: string | null;
  /** Scores by name, each with its direction. */
  readonly metrics: Readonly<Record<string, Metric>>;
  /** Sampled training curve. */
  readonly curve: readonly CurvePoint[];
  /**
   * Matrices for reports (one-hot importances, cosine matrix, neuron
   * contributions) of a completed run. Optional: records written before it
   * existed, and failed or diverged runs, have none.
   */
  readonly artifacts?: RunArtifacts;
  /**
   * SHA-256 of the deterministic fields (config, target, status, metrics,
   * curve, and artifacts when present: a record without artifacts hashes as
   * it did before the field existed).
   */
  readonly resultHash: string;
  /** Execution facts. */
  readonly timing: Timing;
  /** Code, runtime and machine. */
  readonly provenance: Provenance;
}

/** The job identity hashed into `configHash`. */
export function configHash(
  toy: string,
  method: string,
  config: Readonly<Record<string, unknown>>,
  targetSeed: number,
): string {
  return hashOf({ toy, method, config, targetSeed });
}

/**
 * The `configHash` today's code gives a record's job: its config with the
 * registered method's defaults filled in ({@link configWithDefaults}). A record
 * written before a config field existed shares it with records that state the
 * field's default, so group runs of one setup by this, not by `configHash`.
 * A record without target information keeps its `configHash`.
 */
export function setupHash(record: RunRecord): string {
  if (record.target === null) return record.configHash;
  const config = configWithDefaults(record.method, record.config);
  return configHash(record.toy, record.method, config, record.target.seedRequested);
}

/** Builds a record, filling schema, suite version, run id and result hash. */
export function makeRecord(
  fields: Omit<RunRecord, "schemaVersion" | "suiteVersion" | "runId" | "resultHash">,
): RunRecord {
  const resultHash = hashOf(encodeNonFinite({
    config: fields.config,
    target: fields.target?.hash ?? null,
    status: fields.status,
    metrics: fields.metrics,
    curve: fields.curve,
    ...(fields.artifacts === undefined ? {} : { artifacts: fields.artifacts }),
  }));
  const runId = [
    fields.toy,
    fields.method,
    `s${fields.seed}`,
    fields.configHash.slice(0, 12),
    fields.backend,
  ].join("__");
  return {
    schemaVersion: SCHEMA_VERSION,
    suiteVersion: SUITE_VERSION,
    runId,
    resultHash,
    ...fields,
  };
}

/** Replaces non-finite numbers by the strings "Infinity", "-Infinity", "NaN" (JSON has none). */
export function encodeNonFinite<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v) => {
    if (typeof v === "number" && !Number.isFinite(v)) return String(v);
    return v;
  }));
}

const NON_FINITE = ["Infinity", "-Infinity", "NaN"];

/** Inverse of {@linkcode encodeNonFinite} for one value. */
function decodeNumber(v: unknown): unknown {
  return typeof v === "string" && NON_FINITE.includes(v) ? Number(v) : v;
}

function decodeMetric(name: string, raw: unknown): Metric {
  const m = raw as Record<string, unknown>;
  const v = decodeNumber(m?.value);
  if (typeof v !== "number") throw new Error(`record: metric '${name}' has no numeric value`);
  if (!["higher", "lower", "target"].includes(m.direction as string)) {
    throw new Error(
      `record: metric '${name}' direction must be one of higher, lower, target; got '${m.direction}'`,
    );
  }
  return m.target === undefined
    ? { value: v, direction: m.direction as Metric["direction"] }
    : { value: v, direction: m.direction as Metric["direction"], target: m.target as number };
}

/**
 * Validates a parsed JSON record at the boundary: schema version, required
 * fields and their types. Throws an Error naming the field at fault.
 */
export function parseRunRecord(json: unknown): RunRecord {
  const o = json as Record<string, unknown>;
  if (!o || typeof o !== "object") throw new Error("record: not an object");
  if (o.schemaVersion !== SCHEMA_VERSION) {
    throw new Error(`record: schemaVersion must be ${SCHEMA_VERSION}, got ${o.schemaVersion}`);
  }
  for (
    const key of ["suiteVersion", "runId", "toy", "method", "configHash", "backend", "resultHash"]
  ) {
    if (typeof o[key] !== "string") throw new Error(`record: '${key}' must be a string`);
  }
  if (!Number.isInteger(o.seed)) throw new Error("record: 'seed' must be an integer");
  if (!RUN_STATUSES.includes(o.status as RunStatus)) {
    throw new Error(
      `record: 'status' must be one of ${RUN_STATUSES.join(", ")}; got '${o.status}'`,
    );
  }
  if (!o.config || typeof o.config !== "object") {
    throw new Error("record: 'config' must be an object");
  }
  if (!o.metrics || typeof o.metrics !== "object") {
    throw new Error("record: 'metrics' must be an object");
  }
  const metrics = Object.fromEntries(
    Object.entries(o.metrics as Record<string, unknown>).map(([k, v]) => [k, decodeMetric(k, v)]),
  );
  if (!o.timing || typeof o.timing !== "object") {
    throw new Error("record: 'timing' must be an object");
  }
  if (!o.provenance || typeof o.provenance !== "object") {
    throw new Error("record: 'provenance' must be an object");
  }
  const curve = decodeCurve(o.curve, "record");
  const artifacts = o.artifacts === undefined ? undefined : parseArtifacts(o.artifacts);
  const record = { ...(o as unknown as RunRecord), metrics, curve };
  return artifacts === undefined ? record : { ...record, artifacts };
}

/**
 * Validates a JSON curve (as {@linkcode encodeNonFinite} wrote it) and
 * restores its non-finite losses; errors start with `where`.
 */
export function decodeCurve(raw: unknown, where: string): CurvePoint[] {
  if (!Array.isArray(raw)) throw new Error(`${where}: 'curve' must be an array`);
  return (raw as CurvePoint[]).map((p, i) => {
    if (!p || typeof p.losses !== "object") {
      throw new Error(`${where}: curve[${i}] has no 'losses'`);
    }
    const losses = Object.fromEntries(
      Object.entries(p.losses).map(([k, v]) => [k, decodeNumber(v) as number]),
    );
    return { ...p, losses };
  });
}

/** Restores non-finite numbers inside arrays and objects. */
function decodeDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeDeep);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeDeep(x)]));
  }
  return decodeNumber(v);
}

/** Validates the optional `artifacts` field (its layout version and main parts). */
function parseArtifacts(raw: unknown): RunArtifacts {
  const a = raw as Record<string, unknown>;
  if (!a || typeof a !== "object") throw new Error("record: 'artifacts' must be an object");
  if (a.version !== 1) throw new Error(`record: artifacts.version must be 1, got ${a.version}`);
  if (!a.importanceOneHot || typeof a.importanceOneHot !== "object") {
    throw new Error("record: 'artifacts.importanceOneHot' must be an object");
  }
  for (const [layer, m] of Object.entries(a.importanceOneHot as Record<string, unknown>)) {
    const imp = m as Record<string, unknown>;
    if (!Array.isArray(imp?.components) || !Array.isArray(imp.values)) {
      throw new Error(
        `record: artifacts.importanceOneHot['${layer}'] needs 'components' and 'values' arrays`,
      );
    }
  }
  if (
    a.cosine !== null && (typeof a.cosine !== "object" || !Array.isArray(
      (a.cosine as Record<string, unknown>).values,
    ))
  ) {
    throw new Error("record: 'artifacts.cosine' must be null or an object with 'values'");
  }
  if (!Array.isArray(a.neuronContributions)) {
    throw new Error("record: 'artifacts.neuronContributions' must be an array");
  }
  return decodeDeep(a) as RunArtifacts;
}
