/**
 * Job planning: the deterministic, sorted list of (toy, method, config, seed)
 * jobs a benchmark invocation or a sweep stands for, its stable shards, and
 * the identity used to skip finished jobs and to dedupe records.
 *
 * @module
 */
import type { Method } from "../methods/method.ts";
import { type Profile, profileConfig } from "../profiles/profiles.ts";
import { configHash } from "../records/record.ts";
import { hashOf } from "../toys/trained_target.ts";
import { getToy } from "../toys/toy.ts";

/** One unit of work. */
export interface JobSpec {
  /** Toy id. */
  readonly toy: string;
  /** Method id. */
  readonly method: string;
  /** Decomposition seed. */
  readonly seed: number;
  /** Target seed requested. */
  readonly targetSeed: number;
  /** Resolved method config. */
  readonly config: Readonly<Record<string, unknown>>;
  /** `configHash(toy, method, config, targetSeed)`, as in the run record. */
  readonly configHash: string;
  /** SHA-256 of `{configHash, seed}`: the job's identity. */
  readonly jobId: string;
  /** Label of the grid cell for sweeps (`lr=0.001,pNorm=2`), "" otherwise. */
  readonly cell: string;
}

/** The identity of a job, also computable from a record's `configHash` and `seed`. */
export function jobKey(configHash: string, seed: number): string {
  return hashOf({ configHash, seed });
}

/** Builds a {@linkcode JobSpec}, resolving and validating the config through the method. */
export function makeJob(
  method: Method,
  toy: string,
  seed: number,
  targetSeed: number,
  fields: Readonly<Record<string, unknown>>,
  cell = "",
): JobSpec {
  getToy(toy);
  const config = method.resolveConfig(method.defaults, fields) as Record<string, unknown>;
  const hash = configHash(toy, method.id, config, targetSeed);
  return {
    toy,
    method: method.id,
    seed,
    targetSeed,
    config,
    configHash: hash,
    jobId: jobKey(hash, seed),
    cell,
  };
}

/** Sorts jobs by toy, method, cell, config hash, then seed (the canonical order). */
export function sortJobs(jobs: readonly JobSpec[]): JobSpec[] {
  return [...jobs].sort((a, b) =>
    a.toy.localeCompare(b.toy) || a.method.localeCompare(b.method) ||
    a.cell.localeCompare(b.cell) || a.configHash.localeCompare(b.configHash) || a.seed - b.seed
  );
}

/** What {@linkcode planProfileJobs} needs. */
export interface ProfilePlan {
  /** Toys to run. */
  readonly toys: readonly string[];
  /** Methods to run. */
  readonly methods: readonly Method[];
  /** Decomposition seeds. */
  readonly seeds: readonly number[];
  /** Target seed. */
  readonly targetSeed: number;
  /** Config source. */
  readonly profile: Profile;
  /** Field overrides applied on top of the profile. */
  readonly overrides: Readonly<Record<string, unknown>>;
}

/**
 * Every (toy, method, seed) job the profile has a config for, sorted. Pairs
 * the profile lacks are returned in `skipped` as "toy/method".
 */
export function planProfileJobs(plan: ProfilePlan): { jobs: JobSpec[]; skipped: string[] } {
  const jobs: JobSpec[] = [];
  const skipped: string[] = [];
  for (const toy of plan.toys) {
    for (const method of plan.methods) {
      const fields = profileConfig(plan.profile, toy, method.id);
      if (!fields) {
        skipped.push(`${toy}/${method.id}`);
        continue;
      }
      for (const seed of plan.seeds) {
        jobs.push(makeJob(method, toy, seed, plan.targetSeed, { ...fields, ...plan.overrides }));
      }
    }
  }
  return { jobs: sortJobs(jobs), skipped };
}

/** The ways a sweep's values can be combined into cells. */
export const SWEEP_DESIGNS = ["grid", "axes"] as const;

/**
 * How a sweep's values are combined: `grid`, every combination (the Cartesian
 * product); `axes`, one field at a time around the centre (the base config):
 * the centre itself, then each listed value of each field with every other
 * swept field at its centre value.
 */
export type SweepDesign = typeof SWEEP_DESIGNS[number];

/** A hyperparameter sweep, as data. */
export interface Sweep {
  /** Name, used in reports. */
  readonly name: string;
  /** Toy id. */
  readonly toy: string;
  /** Method id. */
  readonly method: string;
  /** Profile whose config is the base of every cell (default "paper"). */
  readonly profile?: string;
  /** Fixed overrides applied to every cell (e.g. fewer steps). */
  readonly fixed?: Readonly<Record<string, unknown>>;
  /** Field → values; combined into cells as `design` says. */
  readonly grid: Readonly<Record<string, readonly unknown[]>>;
  /** How `grid` becomes cells (default `grid`, the Cartesian product). */
  readonly design?: SweepDesign;
  /** Seeds run in every cell. */
  readonly seeds: readonly number[];
  /** Target seed (default 0). */
  readonly targetSeed?: number;
}

/** The fields a sweep file may have (those of {@linkcode Sweep}). */
export const SWEEP_FIELDS = [
  "name",
  "toy",
  "method",
  "profile",
  "fixed",
  "grid",
  "design",
  "seeds",
  "targetSeed",
] as const;

/**
 * Validates a parsed sweep, naming the field at fault. An unknown field is an
 * error: a misspelt `profile` or `seeds` would otherwise be ignored in silence.
 */
export function parseSweep(json: unknown, name = "sweep"): Sweep {
  const s = json as Record<string, unknown>;
  if (!s || typeof s !== "object" || Array.isArray(s)) {
    throw new Error(`${name}: must be an object`);
  }
  for (const key of Object.keys(s)) {
    if (!(SWEEP_FIELDS as readonly string[]).includes(key)) {
      throw new Error(`${name}: unknown field '${key}'; allowed: ${SWEEP_FIELDS.join(", ")}`);
    }
  }
  for (const key of ["name", "toy", "method"]) {
    if (typeof s[key] !== "string") throw new Error(`${name}: '${key}' must be a string`);
  }
  if (s.profile !== undefined && typeof s.profile !== "string") {
    throw new Error(`${name}: 'profile' must be a string`);
  }
  if (
    s.fixed !== undefined && (!s.fixed || typeof s.fixed !== "object" || Array.isArray(s.fixed))
  ) {
    throw new Error(`${name}: 'fixed' must be an object of field -> value`);
  }
  if (!s.grid || typeof s.grid !== "object" || Array.isArray(s.grid)) {
    throw new Error(`${name}: 'grid' must be an object of field -> array of values`);
  }
  for (const [field, values] of Object.entries(s.grid as Record<string, unknown>)) {
    if (!Array.isArray(values) || values.length === 0) {
      throw new Error(`${name}: grid '${field}' must be a non-empty array`);
    }
  }
  if (s.design !== undefined && !SWEEP_DESIGNS.includes(s.design as SweepDesign)) {
    const got = JSON.stringify(s.design);
    throw new Error(`${name}: 'design' must be one of ${SWEEP_DESIGNS.join(", ")}; got ${got}`);
  }
  if (!Array.isArray(s.seeds) || !s.seeds.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new Error(`${name}: 'seeds' must be an array of integers >= 0`);
  }
  if (
    s.targetSeed !== undefined && !(Number.isInteger(s.targetSeed) && Number(s.targetSeed) >= 0)
  ) {
    throw new Error(`${name}: 'targetSeed' must be an integer >= 0`);
  }
  return s as unknown as Sweep;
}

/** Every grid point of a sweep as a field → value map, in a fixed order. */
export function gridCells(
  grid: Readonly<Record<string, readonly unknown[]>>,
): Record<string, unknown>[] {
  let cells: Record<string, unknown>[] = [{}];
  for (const field of Object.keys(grid).sort()) {
    cells = cells.flatMap((c) => grid[field].map((v) => ({ ...c, [field]: v })));
  }
  return cells;
}

/**
 * The cells of an `axes` design: the centre (every swept field at its value in
 * `centre`), then, field by field in sorted order, each listed value that
 * differs from the centre's with the other fields at the centre. Throws when
 * `centre` has no value for a swept field.
 */
export function axesCells(
  grid: Readonly<Record<string, readonly unknown[]>>,
  centre: Readonly<Record<string, unknown>>,
): Record<string, unknown>[] {
  const fields = Object.keys(grid).sort();
  const middle: Record<string, unknown> = {};
  for (const field of fields) {
    if (centre[field] === undefined) {
      throw new Error(`design 'axes': the base config has no value for '${field}' to centre on`);
    }
    middle[field] = centre[field];
  }
  const cells = [middle];
  for (const field of fields) {
    for (const value of grid[field]) {
      if (value !== middle[field]) cells.push({ ...middle, [field]: value });
    }
  }
  return cells;
}

/** The label of a grid cell: `field=value` pairs in field order. */
export function cellLabel(cell: Readonly<Record<string, unknown>>): string {
  return Object.keys(cell).sort().map((k) => `${k}=${cell[k]}`).join(",");
}

/**
 * Expands a sweep into its sorted job list (cells × seeds). The base of every
 * cell is the profile's config with the sweep's `fixed` fields; for the
 * `axes` design it is also the centre, with the method's defaults for fields
 * it leaves out.
 */
export function planSweepJobs(sweep: Sweep, method: Method, profile: Profile): JobSpec[] {
  const base = profileConfig(profile, sweep.toy, sweep.method);
  if (!base) {
    throw new Error(
      `sweep '${sweep.name}': profile has no '${sweep.method}' config for '${sweep.toy}'`,
    );
  }
  let cells: Record<string, unknown>[];
  try {
    cells = (sweep.design ?? "grid") === "grid"
      ? gridCells(sweep.grid)
      : axesCells(sweep.grid, { ...method.defaults, ...base, ...sweep.fixed });
  } catch (err) {
    throw new Error(`sweep '${sweep.name}': ${(err as Error).message}`);
  }
  const jobs: JobSpec[] = [];
  for (const cell of cells) {
    for (const seed of sweep.seeds) {
      const fields = { ...base, ...sweep.fixed, ...cell };
      jobs.push(makeJob(method, sweep.toy, seed, sweep.targetSeed ?? 0, fields, cellLabel(cell)));
    }
  }
  return uniqueJobs(jobs);
}

/**
 * The jobs with distinct ids, in canonical order: a job that two plans share
 * (a sweep cell at the paper's values and the paper runs) is run once.
 */
export function uniqueJobs(jobs: readonly JobSpec[]): JobSpec[] {
  const seen = new Set<string>();
  return sortJobs(jobs).filter((j) => !seen.has(j.jobId) && seen.add(j.jobId));
}

/** Parses `i/n` (0 ≤ i < n): shard i of n. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) {
    throw new RangeError(`--shard: '${text}' must be i/n with integers 0 <= i < n`);
  }
  return { index, count };
}

/**
 * Shard `index` of `count`: the jobs at positions index, index + count, … of
 * the canonical order. The same list and n always give the same shards; the
 * shards are disjoint and together are the whole list.
 */
export function shardJobs(jobs: readonly JobSpec[], index: number, count: number): JobSpec[] {
  return sortJobs(jobs).filter((_, i) => i % count === index);
}
