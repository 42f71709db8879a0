import assert from "node:assert/strict";
import {
  configHash,
  finishedKeys,
  getMethod,
  getProfile,
  jobKey,
  makeJob,
  makeRecord,
  mergeRecords,
  profileConfig,
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

Deno.test("finished jobs are completed or diverged; failed and partial ones run again", () => {
  const keys = finishedKeys([
    rec(0, "completed"),
    rec(1, "diverged"),
    rec(2, "failed"),
    rec(3, "partial"),
  ]);
  assert.deepEqual([...keys].sort(), [jobKey("a".repeat(64), 0), jobKey("a".repeat(64), 1)].sort());
});

Deno.test("merge: partial below diverged and above failed; of two partial runs, the further", () => {
  const at = (status: RunRecord["status"], stepsDone: number, startedAt: string) => {
    const r = rec(0, status, undefined, startedAt);
    return { ...r, timing: { ...r.timing, stepsDone } };
  };
  const pick = (...rs: RunRecord[]) => mergeRecords([rs])[0].timing.startedAt;
  assert.equal(pick(at("failed", 0, "f"), at("partial", 10, "p")), "p");
  assert.equal(pick(at("partial", 10, "p"), at("diverged", 3, "d")), "d");
  assert.equal(
    pick(at("partial", 10, "p10"), at("partial", 30, "p30"), at("partial", 20, "p20")),
    "p30",
  );
  assert.equal(pick(at("partial", 30, "p30"), at("completed", 40, "c")), "c");
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

Deno.test("a record written before a config field existed finishes today's job and merges with its re-run", () => {
  const job = makeJob(
    getMethod("spd"),
    "tms_5-2",
    3,
    0,
    profileConfig(getProfile("paper"), "tms_5-2", "spd")!,
  );
  const { microBatch: _, ...oldConfig } = job.config;
  const at = (config: Record<string, unknown>, startedAt: string) =>
    makeRecord({
      ...rec(3, "completed", undefined, startedAt),
      config,
      configHash: configHash("tms_5-2", "spd", config, 0),
      target: { seedRequested: 0, seedUsed: 0, hash: "t", attempts: [] },
    });
  const old = at(oldConfig, "old"), rerun = at(job.config, "new");
  assert.notEqual(old.configHash, job.configHash);
  assert.ok(finishedKeys([old]).has(job.jobId));
  assert.deepEqual(mergeRecords([[old], [rerun]]).map((r) => r.timing.startedAt), ["old"]);
});
