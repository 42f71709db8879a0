/**
 * Regression comparison of two sets of run records (a base and a current
 * run of the suite): per job config and metric, has the current run moved in
 * the metric's bad direction beyond a tolerance, optionally confirmed by a
 * one-sided Welch t-test across seeds?
 *
 * Pure: no I/O. `tasks/compare.ts` is the CLI around it.
 *
 * @module
 */
import type { Direction } from "../metrics/score.ts";
import { mean, welchTest } from "../metrics/stats.ts";
import { configWithDefaults } from "../methods/method.ts";
import { canonicalJson } from "../toys/trained_target.ts";
import { type RunRecord, setupHash } from "./record.ts";

/**
 * How far a metric may move in its bad direction before it counts as a
 * regression. The allowed move is `max(abs ?? 0, (rel ?? 0) · |base|)`,
 * where `base` is the base side's mean over seeds (the relative part is
 * dropped when `base` is not finite). With `test: "welch"` and at least two
 * seeds on each side, a move beyond the tolerance additionally has to be
 * significant in a one-sided Welch t-test at level `alpha` (default 0.05).
 */
export interface Tolerance {
  /** Absolute tolerance, in the metric's units (≥ 0). */
  abs?: number;
  /** Relative tolerance, a fraction of `|base|` (≥ 0). */
  rel?: number;
  /** Significance test across seeds; none when absent. */
  test?: "welch";
  /** Level of the test, in (0, 1); default 0.05. */
  alpha?: number;
}

/** Which metrics to compare and with what tolerance. */
export interface ComparePolicy {
  /** Tolerance for every metric without an entry in `perMetric`. */
  default: Tolerance;
  /**
   * Per-metric tolerances, merged field by field over `default`. Looked up by
   * the exact metric name, then by its dotted prefixes, longest first
   * (`loss.total` falls back to `loss`; `ci_pattern_error.linear1` to
   * `ci_pattern_error`).
   */
  perMetric?: Record<string, Tolerance>;
  /**
   * Metrics to compare. Default: every metric that some completed base record
   * of the config has (a metric only the current side has is new, not
   * compared). A listed metric that the base side lacks is skipped.
   */
  metrics?: string[];
}

/**
 * The default policy: 1 % relative tolerance with a 1e-6 absolute floor
 * (so a metric whose base is 0, such as a solved run's `ci_pattern_error`,
 * regresses on any increase above float noise; counts such as `alive.*`
 * regress when their mean over seeds moves by 1 % or more; losses by 1 %).
 * MMCS and ML2R live next to 1 where 1 % is their whole success margin
 * (MMCS ≥ 0.99, ML2R within 1 ± 0.03), so they get an absolute 1e-3 and no
 * relative part. No significance test: records of one config and seed are
 * deterministic, so a shift beyond float noise is a real change; pass
 * `test: "welch"` to demand significance across seeds.
 */
export const DEFAULT_POLICY: ComparePolicy = {
  default: { abs: 1e-6, rel: 0.01 },
  perMetric: {
    mmcs: { abs: 1e-3, rel: 0 },
    ml2r: { abs: 1e-3, rel: 0 },
  },
};

/** Verdict for one (config, metric). */
export type CompareStatus = "ok" | "improved" | "regressed";

/** One (config, metric) comparison. */
export interface CompareRow {
  /** Toy id. */
  readonly toy: string;
  /** Method id. */
  readonly method: string;
  /** The config's hash (the group key). */
  readonly configHash: string;
  /** Metric name, or `"status"` for the run outcomes. */
  readonly metric: string;
  /** The metric's direction (`"higher"` for `"status"`: completed runs). */
  readonly direction: Direction;
  /** Base mean over seeds (for `"status"`: completed runs). */
  readonly base: number;
  /** Current mean over seeds (NaN when missing; for `"status"`: completed runs). */
  readonly current: number;
  /** `current − base`. */
  readonly delta: number;
  /** Verdict. */
  readonly status: CompareStatus;
  /** Seeds whose values entered each side's mean (for `"status"`: every seed). */
  readonly seeds: { readonly base: readonly number[]; readonly current: readonly number[] };
  /** Why (tolerance used, test statistics, missing metric, run outcomes). */
  readonly reason: string;
}

/** Result of {@linkcode compareRecords}. */
export interface Comparison {
  /** Every compared (config, metric), sorted by toy, method, config hash, metric. */
  readonly rows: CompareRow[];
  /** Rows with status `"regressed"`. */
  readonly regressions: number;
  /** Rows with status `"improved"`. */
  readonly improved: number;
  /** Number of configs (groups) compared. */
  readonly configs: number;
}

// ---------------------------------------------------------------------------
// Statistics

// ---------------------------------------------------------------------------
// Comparison

interface Group {
  readonly toy: string;
  readonly method: string;
  readonly configHash: string;
  readonly base: RunRecord[];
  readonly current: RunRecord[];
}

/** The tolerance for `metric`: `default` overlaid with the exact or longest dotted-prefix entry. */
export function toleranceFor(policy: ComparePolicy, metric: string): Tolerance {
  const parts = metric.split(".");
  for (let n = parts.length; n > 0; n--) {
    const entry = policy.perMetric?.[parts.slice(0, n).join(".")];
    if (entry) return { ...policy.default, ...entry };
  }
  return { ...policy.default };
}

function validateTolerance(where: string, t: Tolerance): void {
  for (const key of ["abs", "rel"] as const) {
    const v = t[key];
    if (v !== undefined && !(v >= 0 && Number.isFinite(v))) {
      throw new Error(`compare: ${where}.${key} must be a finite number ≥ 0, got ${v}`);
    }
  }
  if (t.alpha !== undefined && !(t.alpha > 0 && t.alpha < 1)) {
    throw new Error(`compare: ${where}.alpha must be in (0, 1), got ${t.alpha}`);
  }
  if (t.test !== undefined && t.test !== "welch") {
    throw new Error(`compare: ${where}.test must be "welch", got '${t.test}'`);
  }
}

/** Goodness of a value: larger is better, NaN is worst. */
function goodness(v: number, direction: Direction, target: number | undefined): number {
  if (Number.isNaN(v)) return -Infinity;
  if (direction === "higher") return v;
  if (direction === "lower") return -v;
  return -Math.abs(v - (target ?? NaN));
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/**
 * Validates the inputs and groups both sides by {@link setupHash} (so a base
 * written before a config field existed still meets a current run that states
 * the field's default); throws on any refusal.
 */
function groupRecords(base: readonly RunRecord[], current: readonly RunRecord[]): Group[] {
  const problems: string[] = [];
  const suites = new Set([...base, ...current].map((r) => r.suiteVersion));
  if (suites.size > 1) {
    problems.push(`suite versions differ: ${[...suites].sort().join(", ")}`);
  }
  const identity = new Map<string, { text: string; runId: string }>();
  const groups = new Map<string, Group>();
  for (const [side, records] of [["base", base], ["current", current]] as const) {
    const seen = new Set<string>();
    for (const r of records) {
      const configHash = setupHash(r);
      const config = configWithDefaults(r.method, r.config);
      const text = canonicalJson({ toy: r.toy, method: r.method, config });
      const first = identity.get(configHash);
      if (!first) identity.set(configHash, { text, runId: r.runId });
      else if (first.text !== text) {
        problems.push(
          `configs differ under configHash ${configHash.slice(0, 12)}: ` +
            `${first.runId} vs ${side} ${r.runId}`,
        );
      }
      const key = `${configHash}\u0000${r.seed}`;
      if (seen.has(key)) {
        problems.push(
          `duplicate seed ${r.seed} for configHash ${configHash.slice(0, 12)} on ${side} side ` +
            `(${r.runId})`,
        );
      }
      seen.add(key);
      let g = groups.get(configHash);
      if (!g) {
        g = { toy: r.toy, method: r.method, configHash, base: [], current: [] };
        groups.set(configHash, g);
      }
      g[side].push(r);
    }
  }
  for (const g of groups.values()) {
    for (const [side, other] of [["base", "current"], ["current", "base"]] as const) {
      if (g[side].length > 0 && g[other].length === 0) {
        problems.push(
          `config ${g.toy}/${g.method} ${g.configHash.slice(0, 12)} is only on the ${side} side`,
        );
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(`compare: refusing to compare:\n  ${[...new Set(problems)].join("\n  ")}`);
  }
  return [...groups.values()].sort((a, b) =>
    a.toy.localeCompare(b.toy) || a.method.localeCompare(b.method) ||
    a.configHash.localeCompare(b.configHash)
  );
}

/** The "status" row: did runs that completed on base stop completing? */
function statusRow(g: Group): CompareRow {
  const baseBySeed = new Map(g.base.map((r) => [r.seed, r]));
  const anyBaseCompleted = g.base.some((r) => r.status === "completed");
  const worse: string[] = [];
  const better: string[] = [];
  for (const r of g.current) {
    const b = baseBySeed.get(r.seed);
    const baseDone = b ? b.status === "completed" : anyBaseCompleted;
    if (r.status !== "completed" && baseDone) worse.push(`s${r.seed} ${r.status}`);
    if (r.status === "completed" && !baseDone) better.push(`s${r.seed} completed`);
  }
  const nb = g.base.filter((r) => r.status === "completed").length;
  const nc = g.current.filter((r) => r.status === "completed").length;
  const status: CompareStatus = worse.length > 0
    ? "regressed"
    : better.length > 0
    ? "improved"
    : "ok";
  return {
    toy: g.toy,
    method: g.method,
    configHash: g.configHash,
    metric: "status",
    direction: "higher",
    base: nb,
    current: nc,
    delta: nc - nb,
    status,
    seeds: { base: g.base.map((r) => r.seed), current: g.current.map((r) => r.seed) },
    reason: worse.length > 0
      ? `not completed: ${worse.join(", ")}`
      : better.length > 0
      ? `now completed: ${better.join(", ")}`
      : `${nc}/${g.current.length} completed`,
  };
}

function metricRow(
  g: Group,
  metric: string,
  baseDone: readonly RunRecord[],
  curDone: readonly RunRecord[],
  tol: Tolerance,
): CompareRow | null {
  const baseHas = baseDone.filter((r) => r.metrics[metric] !== undefined);
  if (baseHas.length === 0) return null;
  const def = baseHas[0].metrics[metric];
  const curHas = curDone.filter((r) => r.metrics[metric] !== undefined);
  for (const r of [...baseHas, ...curHas]) {
    const m = r.metrics[metric];
    if (m.direction !== def.direction || m.target !== def.target) {
      throw new Error(
        `compare: refusing to compare: metric '${metric}' of ${g.toy}/${g.method} ` +
          `${g.configHash.slice(0, 12)} changes definition ` +
          `(${def.direction}${def.target ?? ""} vs ${m.direction}${m.target ?? ""} in ${r.runId})`,
      );
    }
  }
  const baseVals = baseHas.map((r) => r.metrics[metric].value);
  const baseMean = mean(baseVals);
  const row = {
    toy: g.toy,
    method: g.method,
    configHash: g.configHash,
    metric,
    direction: def.direction,
    base: baseMean,
    seeds: { base: baseHas.map((r) => r.seed), current: curHas.map((r) => r.seed) },
  };
  const missing = curDone.filter((r) => r.metrics[metric] === undefined);
  if (missing.length > 0) {
    return {
      ...row,
      current: NaN,
      delta: NaN,
      status: "regressed",
      reason: `missing on current (${missing.map((r) => `s${r.seed}`).join(", ")})`,
    };
  }
  const curVals = curHas.map((r) => r.metrics[metric].value);
  const curMean = mean(curVals);
  const allowed = Math.max(
    tol.abs ?? 0,
    Number.isFinite(baseMean) ? (tol.rel ?? 0) * Math.abs(baseMean) : 0,
  );
  const gBase = goodness(baseMean, def.direction, def.target);
  const gCur = goodness(curMean, def.direction, def.target);
  let status: CompareStatus = gCur < gBase - allowed
    ? "regressed"
    : gCur > gBase + allowed
    ? "improved"
    : "ok";
  let reason = `tol ${fmt(allowed)}`;
  const sameSeeds = canonicalJson([...row.seeds.base].sort((a, b) => a - b)) ===
    canonicalJson([...row.seeds.current].sort((a, b) => a - b));
  if (!sameSeeds) reason += "; seed sets differ";
  if (tol.test === "welch" && baseVals.length >= 2 && curVals.length >= 2) {
    const gb = baseVals.map((v) => goodness(v, def.direction, def.target));
    const gc = curVals.map((v) => goodness(v, def.direction, def.target));
    const w = [...gb, ...gc].every(Number.isFinite) ? welchTest(gb, gc) : null;
    if (w === null) {
      reason += "; welch n/a (zero variance or non-finite), tolerance rule";
    } else {
      const alpha = tol.alpha ?? 0.05;
      // gb − gc > 0 means current is worse.
      const p = status === "improved" ? w.pLess : w.pGreater;
      reason += `; welch t=${fmt(w.t)} df=${fmt(w.df)} p=${fmt(p)} (alpha ${alpha})`;
      if (status !== "ok" && !(p < alpha)) {
        status = "ok";
        reason += ", not significant";
      }
    }
  }
  return { ...row, current: curMean, delta: curMean - baseMean, status, reason };
}

/**
 * Compares current records with base records, one group per `configHash`
 * (records in a group differ only by seed). Per group it emits a `"status"`
 * row (a current run not completed where the base run of its seed completed
 * is a regression) and one row per metric, computed over completed runs
 * only: the means over seeds of each side, judged by the metric's
 * direction and the {@linkcode Tolerance} of the policy. A regression is a
 * move beyond the tolerance in the bad direction — `higher`: cur < base − tol;
 * `lower`: cur > base + tol; `target`: |cur − target| > |base − target| + tol
 * — and, when the tolerance asks for a Welch test and each side has ≥ 2
 * seeds, a significant one (the test runs on per-seed values, for `target`
 * on the per-seed distance to the target; with zero variance on both sides
 * the tolerance rule alone decides). A metric of base that a completed
 * current run lacks is a regression. NaN counts as the worst value.
 *
 * @throws {Error} Refusing to compare, listing every problem, when a
 *   configHash appears on one side only, suite versions differ between any
 *   records, records sharing a configHash differ in toy, method or config,
 *   a (configHash, seed) repeats within one side, a metric changes
 *   direction or target, or the policy is invalid (a tolerance out of range,
 *   or a metric named in `metrics` that no base record has).
 */
export function compareRecords(
  base: readonly RunRecord[],
  current: readonly RunRecord[],
  policy: ComparePolicy = DEFAULT_POLICY,
): Comparison {
  validateTolerance("default", policy.default);
  for (const [name, t] of Object.entries(policy.perMetric ?? {})) {
    validateTolerance(`perMetric.${name}`, t);
  }
  if (policy.metrics) {
    const known = new Set(base.flatMap((r) => Object.keys(r.metrics)));
    const unknown = policy.metrics.filter((m) => !known.has(m));
    if (unknown.length > 0) {
      throw new Error(
        `compare: metric ${unknown.map((m) => `'${m}'`).join(", ")} is in no base record; ` +
          `allowed: ${[...known].sort().join(", ")}`,
      );
    }
  }
  const groups = groupRecords(base, current);
  const rows: CompareRow[] = [];
  for (const g of groups) {
    rows.push(statusRow(g));
    const baseDone = g.base.filter((r) => r.status === "completed");
    const curDone = g.current.filter((r) => r.status === "completed");
    if (curDone.length === 0) continue; // The status row already carries it.
    const names = policy.metrics ??
      [...new Set(baseDone.flatMap((r) => Object.keys(r.metrics)))];
    for (const metric of [...names].sort()) {
      const row = metricRow(g, metric, baseDone, curDone, toleranceFor(policy, metric));
      if (row) rows.push(row);
    }
  }
  return {
    rows,
    regressions: rows.filter((r) => r.status === "regressed").length,
    improved: rows.filter((r) => r.status === "improved").length,
    configs: groups.length,
  };
}

/** A GitHub Markdown table with `|` escaped in cells. */
function markdownTable(headers: readonly string[], rows: readonly string[][]): string {
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(headers), `|${headers.map(() => " --- ").join("|")}|`, ...rows.map(line)].join(
    "\n",
  );
}

function seedsCell(s: CompareRow["seeds"]): string {
  return s.base.length === s.current.length
    ? String(s.base.length)
    : `${s.base.length}→${s.current.length}`;
}

/**
 * A Markdown summary: `N regressions, M improvements over K configs`, a table
 * of the rows that are not ok (regressions first), and the count of ok rows.
 */
export function comparisonMarkdown(c: Comparison): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const lines = [
    `${plural(c.regressions, "regression")}, ${plural(c.improved, "improvement")} over ${
      plural(c.configs, "config")
    }`,
  ];
  const notOk = c.rows.filter((r) => r.status !== "ok").sort((a, b) =>
    (a.status === "regressed" ? 0 : 1) - (b.status === "regressed" ? 0 : 1)
  );
  if (notOk.length > 0) {
    lines.push(
      "",
      markdownTable(
        [
          "status",
          "toy",
          "method",
          "config",
          "metric",
          "base",
          "current",
          "delta",
          "seeds",
          "reason",
        ],
        notOk.map((r) => [
          r.status,
          r.toy,
          r.method,
          r.configHash.slice(0, 12),
          r.metric,
          fmt(r.base),
          fmt(r.current),
          fmt(r.delta),
          seedsCell(r.seeds),
          r.reason,
        ]),
      ),
    );
  }
  const ok = c.rows.length - notOk.length;
  lines.push("", `${plural(ok, "row")} ok (within tolerance).`);
  return lines.join("\n") + "\n";
}
