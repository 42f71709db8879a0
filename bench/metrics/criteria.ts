/**
 * Written success criteria on ground truth: named checks on a record's
 * metrics, so "solved" means the same thing in every table and test.
 *
 * @module
 */
import type { Metric } from "./score.ts";

/** One check: a metric compared with a bound. */
export interface Check {
  /** Metric name. */
  readonly metric: string;
  /** Comparison. */
  readonly op: ">=" | "<=" | "==";
  /** Bound. */
  readonly value: number;
}

/** A check that did not hold, with the value seen (undefined when the metric is missing). */
export interface FailedCheck extends Check {
  /** The metric's value in the run. */
  readonly got: number | undefined;
}

/** A named success criterion: every check must hold. */
export interface Criterion {
  /** Short name. */
  readonly name: string;
  /** Where the bounds come from. */
  readonly source: string;
  /** The checks. */
  readonly checks: readonly Check[];
}

/**
 * TMS solved: the ground truth is recovered (spd.md §7.1–§7.5 and §13, apd.md
 * §7.1): MMCS ≥ 0.99, CI-pattern error 0, exactly n_features `linear1`
 * components alive, each ≥ 10× the norm of every other component. Shrinkage
 * (ML2R) is not part of it: it is scored on its own, against each method's
 * paper value (SPD ≈ 1, APD ≈ 0.89–0.94).
 */
export function tmsSolved(nFeatures: number): Criterion {
  return {
    name: "tms_solved",
    source: "spd.md §7.1-§7.5, §13; apd.md §7.1 (MMCS ≥ 0.99; ML2R scored separately)",
    checks: [
      { metric: "mmcs", op: ">=", value: 0.99 },
      { metric: "ci_pattern_error", op: "==", value: 0 },
      { metric: "alive.linear1", op: "==", value: nFeatures },
      { metric: "alive_norm_ratio", op: ">=", value: 10 },
    ],
  };
}

/** Residual MLP solved (spd.md §7.4): CI-pattern error 0 on every layer. */
export function residSolved(): Criterion {
  return {
    name: "resid_solved",
    source: "spd.md §7.4 (a solved run has CI-pattern error 0)",
    checks: [{ metric: "ci_pattern_error", op: "==", value: 0 }],
  };
}

/** Result of checking a criterion: pass, and the checks that failed (with the value seen). */
export interface CriterionResult {
  /** True when every check holds. */
  readonly pass: boolean;
  /** Failed checks, e.g. `ml2r <= 1.03 (got 1.0412)`; a missing metric fails. */
  readonly failures: readonly string[];
  /** The checks behind `failures`, in the criterion's order, with the values seen. */
  readonly failedChecks: readonly FailedCheck[];
}

/** Checks `metrics` against `criterion`. */
export function checkCriterion(
  criterion: Criterion,
  metrics: Readonly<Record<string, Metric>>,
): CriterionResult {
  const failures: string[] = [];
  const failedChecks: FailedCheck[] = [];
  for (const c of criterion.checks) {
    const v = metrics[c.metric]?.value;
    const ok = v !== undefined &&
      (c.op === ">=" ? v >= c.value : c.op === "<=" ? v <= c.value : v === c.value);
    const seen = v === undefined ? "missing" : Number.isFinite(v) ? String(+v.toPrecision(6)) : v;
    if (!ok) {
      failures.push(`${c.metric} ${c.op} ${c.value} (got ${seen})`);
      failedChecks.push({ ...c, got: v });
    }
  }
  return { pass: failures.length === 0, failures, failedChecks };
}

/**
 * Whether a run succeeded: it completed (a diverged or failed run never
 * counts) and its metrics meet `criterion`. The one rule behind every
 * "solved" count: robustness cells, report tables and the summary task.
 */
export function runSolved(
  run: { readonly status: string; readonly metrics: Readonly<Record<string, Metric>> },
  criterion: Criterion,
): boolean {
  return run.status === "completed" && checkCriterion(criterion, run.metrics).pass;
}

/**
 * A run's verdict in words: `pass`, or `fail: ` followed by every unmet
 * condition (as in `fail: mmcs >= 0.99 (got 0.974)`); a partial run's as it
 * stood, prefixed `partial: `; otherwise its status (diverged, failed).
 */
export function runVerdict(
  run: { readonly status: string; readonly metrics: Readonly<Record<string, Metric>> },
  criterion: Criterion,
): string {
  if (run.status !== "completed" && run.status !== "partial") return run.status;
  const c = checkCriterion(criterion, run.metrics);
  const verdict = c.pass ? "pass" : `fail: ${c.failures.join("; ")}`;
  return run.status === "partial" ? `partial: ${verdict}` : verdict;
}
