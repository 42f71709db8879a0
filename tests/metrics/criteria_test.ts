import assert from "node:assert/strict";
import { checkCriterion, type Metric, runSolved, runVerdict, tmsSolved } from "../../mod.ts";

const m = (value: number): Metric => ({ value, direction: "higher" });
const solved = {
  mmcs: m(0.9999),
  ml2r: m(1.0056),
  ci_pattern_error: m(0),
  "alive.linear1": m(5),
  alive_norm_ratio: m(57),
};

Deno.test("a solved TMS 5-2 record passes tms_solved(5), with or without shrinkage", () => {
  assert.deepEqual(checkCriterion(tmsSolved(5), solved), {
    pass: true,
    failures: [],
    failedChecks: [],
  });
  const shrunk = { ...solved, ml2r: m(0.89) };
  assert.deepEqual(checkCriterion(tmsSolved(5), shrunk), {
    pass: true,
    failures: [],
    failedChecks: [],
  });
});

Deno.test("each violated check is reported with the value seen", () => {
  const r = checkCriterion(tmsSolved(5), {
    ...solved,
    mmcs: m(0.974),
    "alive.linear1": m(6),
    alive_norm_ratio: m(Infinity),
  });
  assert.equal(r.pass, false);
  assert.deepEqual(r.failures, ["mmcs >= 0.99 (got 0.974)", "alive.linear1 == 5 (got 6)"]);
  assert.deepEqual(r.failedChecks, [
    { metric: "mmcs", op: ">=", value: 0.99, got: 0.974 },
    { metric: "alive.linear1", op: "==", value: 5, got: 6 },
  ]);
  const missing = checkCriterion(tmsSolved(5), { mmcs: m(1) });
  assert.ok(missing.failures.includes("ci_pattern_error == 0 (got missing)"));
});

Deno.test("runSolved: a completed run meeting the criterion; diverged, partial or failed runs never count", () => {
  const c = tmsSolved(5);
  assert.equal(runSolved({ status: "completed", metrics: solved }, c), true);
  assert.equal(runSolved({ status: "diverged", metrics: solved }, c), false);
  assert.equal(runSolved({ status: "partial", metrics: solved }, c), false);
  assert.equal(runSolved({ status: "failed", metrics: solved }, c), false);
  assert.equal(runSolved({ status: "completed", metrics: { ...solved, mmcs: m(0.98) } }, c), false);
});

Deno.test("runVerdict: pass or every unmet condition, a partial run's so far, else the status", () => {
  const c = tmsSolved(5);
  assert.equal(runVerdict({ status: "completed", metrics: solved }, c), "pass");
  assert.equal(runVerdict({ status: "diverged", metrics: solved }, c), "diverged");
  assert.equal(runVerdict({ status: "partial", metrics: solved }, c), "partial: pass");
  assert.equal(
    runVerdict({ status: "completed", metrics: { ...solved, mmcs: m(0.98) } }, c),
    "fail: mmcs >= 0.99 (got 0.98)",
  );
});
