import assert from "node:assert/strict";
import {
  finishedKeys,
  jobKey,
  makeRecord,
  mergeRecords,
  type Provenance,
  type RunRecord,
} from "../../mod.ts";

const provenance = {} as Provenance;

function rec(
  seed: number,
  status: RunRecord["status"],
  hash = "a".repeat(64),
  startedAt = "t0",
): RunRecord {
  return makeRecord({
    toy: "tms_5-2",
    method: "spd",
    seed,
    config: {},
    configHash: hash,
    target: null,
    backend: "wasm",
    status,
    error: null,
    metrics: {},
    curve: [],
    timing: { startedAt, wallTimeS: 1, stepsPerSecond: 1, stepsDone: 1 },
    provenance,
  });
}

Deno.test("finished jobs are completed or diverged; failed ones are retried", () => {
  const keys = finishedKeys([rec(0, "completed"), rec(1, "diverged"), rec(2, "failed")]);
  assert.deepEqual([...keys].sort(), [jobKey("a".repeat(64), 0), jobKey("a".repeat(64), 1)].sort());
});

Deno.test("merge keeps one record per job, preferring completed, sorted; refuses mixed suite versions", () => {
  const merged = mergeRecords([
    [rec(1, "failed", undefined, "t1"), rec(0, "completed")],
    [
      rec(1, "completed", undefined, "t2"),
      rec(0, "completed", undefined, "t3"),
      rec(0, "completed", "b".repeat(64)),
    ],
  ]);
  assert.deepEqual(merged.map((r) => [r.configHash[0], r.seed, r.status, r.timing.startedAt]), [
    ["a", 0, "completed", "t0"],
    ["a", 1, "completed", "t2"],
    ["b", 0, "completed", "t0"],
  ]);
  const old = { ...rec(5, "completed"), suiteVersion: "0.0.1" };
  assert.throws(
    () => mergeRecords([[rec(0, "completed")], [old]]),
    /different suite versions \(0\.1\.0, 0\.0\.1\)/,
  );
});
