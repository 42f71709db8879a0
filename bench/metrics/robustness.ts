/**
 * Robustness: how often a method recovers the ground truth across seeds and
 * hyperparameters. Records are grouped into grid cells by config (their
 * {@link setupHash}, so a record written before a config field existed joins
 * the cell that states the field's default); each cell gets a success rate
 * over its seeds with a Wilson score interval.
 *
 * @module
 */
import { configWithDefaults } from "../methods/method.ts";
import { outranks } from "../records/merge.ts";
import { type RunRecord, setupHash } from "../records/record.ts";
import { canonicalJson } from "../toys/trained_target.ts";
import { checkCriterion, type Criterion, runSolved } from "./criteria.ts";

/**
 * Wilson score interval for `successes` out of `n` at normal quantile `z`
 * (1.96 ≈ 95%). Returns [0, 1] for n = 0.
 */
export function wilsonInterval(successes: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = successes / n;
  const z2 = z * z;
  const center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

/** One grid cell: the runs of one config over seeds. */
export interface CellRobustness {
  /** Toy id. */
  readonly toy: string;
  /** Method id. */
  readonly method: string;
  /** The config fields that vary within this toy × method, as `field=value,…`. */
  readonly cell: string;
  /** The cell's {@link setupHash}. */
  readonly configHash: string;
  /** Runs (distinct seeds) in the cell. */
  readonly runs: number;
  /** Runs meeting the toy's success criterion. */
  readonly successes: number;
  /** successes / runs. */
  readonly rate: number;
  /** Wilson 95% interval of the rate. */
  readonly interval: [number, number];
  /** Mean ML2R over the cell's completed runs (NaN when the toy has none). */
  readonly ml2rMean: number;
  /**
   * Why runs were not solved: per failed check's metric (or `diverged` /
   * `failed` for runs that did not complete), how many runs and the range of
   * values they had. A run that fails two checks counts under both.
   */
  readonly failures: Readonly<Record<string, FailureCount>>;
}

/** Runs of a cell that missed one check, and the range of the values they had. */
export interface FailureCount {
  /** Number of runs. */
  readonly runs: number;
  /** Smallest value seen (NaN for a status or a missing metric). */
  readonly min: number;
  /** Largest value seen (NaN for a status or a missing metric). */
  readonly max: number;
}

/**
 * A cell's failures in words, most frequent first, each with the range of
 * values the runs had: `ci_pattern_error 4 (12–18), alive.linear1 3 (6–8),
 * diverged 1`; "" when every run was solved.
 */
export function formatFailures(failures: Readonly<Record<string, FailureCount>>): string {
  const num = (x: number) => String(+x.toPrecision(4));
  return Object.entries(failures)
    .sort((a, b) => b[1].runs - a[1].runs || a[0].localeCompare(b[0]))
    .map(([k, f]) => {
      if (Number.isNaN(f.min)) return `${k} ${f.runs}`;
      return `${k} ${f.runs} (${f.min === f.max ? num(f.min) : `${num(f.min)}–${num(f.max)}`})`;
    })
    .join(", ");
}

/** Per failed check's metric or non-completed status: the runs behind it and their values. */
function failureCounts(
  runs: readonly RunRecord[],
  criterion: Criterion,
): Record<string, FailureCount> {
  const seen = new Map<string, number[]>();
  for (const r of runs) {
    const reasons: [string, number][] = r.status === "completed"
      ? checkCriterion(criterion, r.metrics).failedChecks.map((c) => [c.metric, c.got ?? NaN])
      : [[r.status, NaN]];
    for (const [k, v] of reasons) seen.set(k, [...(seen.get(k) ?? []), v]);
  }
  const out: Record<string, FailureCount> = {};
  for (const [k, values] of seen) {
    const finite = values.filter((v) => !Number.isNaN(v));
    out[k] = {
      runs: values.length,
      min: finite.length ? Math.min(...finite) : NaN,
      max: finite.length ? Math.max(...finite) : NaN,
    };
  }
  return out;
}

/** One toy × method over its whole grid. */
export interface MethodRobustness {
  /** Toy id. */
  readonly toy: string;
  /** Method id. */
  readonly method: string;
  /** Grid cells. */
  readonly cells: number;
  /** Fraction of cells whose success rate is at least one half. */
  readonly gridFraction: number;
  /** Success rate over all runs of the grid. */
  readonly runRate: number;
  /** Minimum and maximum of the cells' mean ML2R: does shrinkage depend on the knobs? */
  readonly ml2rRange: [number, number];
}

/** Labels each config by the fields whose values differ within its group. */
function cellLabels(configs: readonly Readonly<Record<string, unknown>>[]): string[] {
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))].sort();
  const varying = keys.filter((k) => new Set(configs.map((c) => canonicalJson(c[k]))).size > 1);
  return configs.map((c) => varying.map((k) => `${k}=${c[k]}`).join(","));
}

/**
 * Groups records by toy × method × config, checks each completed run against
 * `criterionFor(toy)` (diverged and failed runs count as failures), and
 * summarises per cell and per toy × method. A seed that occurs twice in a
 * cell (a retried job, or the same job in two files) counts once, by the
 * record `merge` would keep; partial runs (`bench --stop-at`) are unfinished
 * and left out.
 */
export function robustness(
  records: readonly RunRecord[],
  criterionFor: (toy: string) => Criterion,
): { cells: CellRobustness[]; methods: MethodRobustness[] } {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = `${r.toy}\u0000${r.method}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const cells: CellRobustness[] = [];
  const methods: MethodRobustness[] = [];
  for (const recs of groups.values()) {
    const bySeed = new Map<string, Map<number, RunRecord>>();
    for (const r of recs) {
      if (r.status === "partial") continue;
      const hash = setupHash(r);
      const cell = bySeed.get(hash) ?? new Map<number, RunRecord>();
      const prev = cell.get(r.seed);
      if (!prev || outranks(r, prev)) cell.set(r.seed, r);
      bySeed.set(hash, cell);
    }
    const byConfig = new Map([...bySeed].map(([hash, cell]) => [hash, [...cell.values()]]));
    const hashes = [...byConfig.keys()];
    if (hashes.length === 0) continue; // only partial runs
    const labels = cellLabels(hashes.map((h) => {
      const first = byConfig.get(h)![0];
      return configWithDefaults(first.method, first.config);
    }));
    const groupCells = hashes.map((hash, i): CellRobustness => {
      const runs = byConfig.get(hash)!;
      const { toy, method } = runs[0];
      const ok = runs.filter((r) => runSolved(r, criterionFor(toy))).length;
      const ml2r = runs.map((r) => r.metrics.ml2r?.value).filter((v): v is number =>
        v !== undefined
      );
      return {
        toy,
        method,
        cell: labels[i],
        configHash: hash,
        runs: runs.length,
        successes: ok,
        rate: ok / runs.length,
        interval: wilsonInterval(ok, runs.length),
        ml2rMean: ml2r.length ? ml2r.reduce((a, b) => a + b, 0) / ml2r.length : NaN,
        failures: failureCounts(runs, criterionFor(toy)),
      };
    }).sort((a, b) => a.cell.localeCompare(b.cell));
    cells.push(...groupCells);
    const total = groupCells.reduce((n, c) => n + c.runs, 0);
    const means = groupCells.map((c) => c.ml2rMean).filter((v) => !Number.isNaN(v));
    methods.push({
      toy: groupCells[0].toy,
      method: groupCells[0].method,
      cells: groupCells.length,
      gridFraction: groupCells.filter((c) => c.rate >= 0.5).length / groupCells.length,
      runRate: groupCells.reduce((n, c) => n + c.successes, 0) / total,
      ml2rRange: means.length ? [Math.min(...means), Math.max(...means)] : [NaN, NaN],
    });
  }
  return { cells, methods };
}
