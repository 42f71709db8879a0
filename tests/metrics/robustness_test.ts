import assert from "node:assert/strict";
import {
  configHash,
  formatFailures,
  getMethod,
  makeRecord,
  type Metric,
  type Provenance,
  robustness,
  type RunRecord,
  setupHash,
  tmsSolved,
  wilsonInterval,
} from "../../mod.ts";

Deno.test("Wilson interval: golden values", () => {
  // 4/5 at 95%: [0.3755, 0.9638] (standard tables); 0/5: [0, 0.4345]; 5/5: [0.5655, 1].
  const close = (a: [number, number], b: [number, number]) =>
    assert.ok(Math.abs(a[0] - b[0]) < 1e-4 && Math.abs(a[1] - b[1]) < 1e-4, `${a} vs ${b}`);
  close(wilsonInterval(4, 5), [0.3755, 0.9638]);
  close(wilsonInterval(0, 5), [0, 0.4345]);
  close(wilsonInterval(5, 5), [0.5655, 1]);
  assert.deepEqual(wilsonInterval(0, 0), [0, 1]);
});

const m = (value: number): Metric => ({ value, direction: "higher" });
function run(
  beta: number,
  seed: number,
  solved: boolean,
  status: RunRecord["status"] = "completed",
  recorded?: Record<string, unknown>,
): RunRecord {
  const config = recorded ?? { C: 20, importanceCoeff: beta, steps: 10 };
  return makeRecord({
    toy: "tms_5-2",
    method: "spd",
    seed,
    config,
    configHash: recorded ? configHash("tms_5-2", "spd", recorded, 0) : `h${beta}`,
    target: recorded ? { seedRequested: 0, seedUsed: 0, hash: "t", attempts: [] } : null,
    backend: "wasm",
    status,
    error: null,
    metrics: {
      mmcs: m(solved ? 0.9999 : 0.9),
      ml2r: m(solved ? 1.0 : 0.9),
      ci_pattern_error: m(solved ? 0 : 3),
      "alive.linear1": m(5),
      alive_norm_ratio: m(50),
    },
    curve: [],
    timing: { startedAt: "", wallTimeS: 1, stepsPerSecond: 1, stepsDone: 1 },
    provenance: {} as Provenance,
  });
}

Deno.test("robustness: success rate per cell labelled by the varying field; grid fraction; ML2R range", () => {
  const recs = [
    ...[0, 1, 2, 3, 4].map((s) => run(0.003, s, s !== 2)), // 4/5
    ...[0, 1, 2, 3, 4].map((s) => run(0.03, s, s === 0, s === 4 ? "diverged" : "completed")), // 1/5
  ];
  const { cells, methods } = robustness(recs, () => tmsSolved(5));
  assert.deepEqual(cells.map((c) => [c.cell, c.successes, c.runs]), [
    ["importanceCoeff=0.003", 4, 5],
    ["importanceCoeff=0.03", 1, 5],
  ]);
  assert.ok(Math.abs(cells[0].interval[0] - 0.3755) < 1e-4);
  // Unsolved runs fail MMCS and the pattern check (alive and norm ratio hold); seed 4 of 0.03 diverged.
  assert.deepEqual(cells[0].failures, {
    mmcs: { runs: 1, min: 0.9, max: 0.9 },
    ci_pattern_error: { runs: 1, min: 3, max: 3 },
  });
  assert.deepEqual(cells[1].failures.diverged, { runs: 1, min: NaN, max: NaN });
  assert.equal(
    formatFailures(cells[1].failures),
    "ci_pattern_error 3 (3), mmcs 3 (0.9), diverged 1",
  );
  assert.equal(
    formatFailures({ "alive.linear1": { runs: 3, min: 6, max: 8 } }),
    "alive.linear1 3 (6–8)",
  );
  assert.equal(formatFailures({}), "");
  assert.equal(methods.length, 1);
  assert.equal(methods[0].gridFraction, 0.5);
  assert.equal(methods[0].runRate, 0.5);
  // Cell means: (4·1.0 + 0.9)/5 = 0.98 and (1.0 + 4·0.9)/5 = 0.92.
  assert.ok(
    Math.abs(methods[0].ml2rRange[0] - 0.92) < 1e-12 &&
      Math.abs(methods[0].ml2rRange[1] - 0.98) < 1e-12,
  );
});

Deno.test("robustness Markdown: one row per cell with rate and interval", async () => {
  const { robustnessMarkdown } = await import("../../tasks/robustness.ts");
  const md = robustnessMarkdown([0, 1, 2, 3, 4].map((s) => run(0.003, s, s !== 2)));
  assert.match(
    md,
    /\| tms_5-2 \| spd \| \(single config\) \| 4\/5 \| 80% \| 38%–96% \| 0\.9800 \| ci_pattern_error 1 \(3\), mmcs 1 \(0\.9\) \|/,
  );
  assert.match(md, /\| tms_5-2 \| spd \| 1 \| 100% \| 80% \| 0\.9800–0\.9800 \|/);
});

Deno.test("robustness: a record written before a config field existed joins the cell stating its default; a repeated seed counts once", () => {
  const full = { ...getMethod("spd").defaults, importanceCoeff: 0.003 } as Record<string, unknown>;
  const { microBatch, ...old } = full;
  assert.equal(microBatch, 0);
  const oldRuns = [0, 1, 2].map((s) => run(0.003, s, true, "completed", old));
  const newRuns = [2, 3].map((s) => run(0.003, s, s !== 3, "completed", full));
  const other = run(0.03, 0, false, "completed", { ...full, importanceCoeff: 0.03 });
  assert.notEqual(oldRuns[0].configHash, newRuns[0].configHash);
  assert.equal(setupHash(oldRuns[0]), newRuns[0].configHash);
  const { cells } = robustness([...oldRuns, ...newRuns, other], () => tmsSolved(5));
  // Seed 2 is in both files, completed both times: the first record counts. No `microBatch=undefined` cell appears.
  assert.deepEqual(cells.map((c) => [c.cell, c.successes, c.runs]), [
    ["importanceCoeff=0.003", 3, 4],
    ["importanceCoeff=0.03", 0, 1],
  ]);
});

Deno.test("robustness: a retried seed counts by its best record; partial runs are left out", () => {
  const recs = [
    run(0.003, 0, false, "failed"),
    run(0.003, 0, true), // the retry of seed 0 succeeded
    run(0.003, 1, true, "partial"), // stopped early: not an outcome yet
    run(0.003, 2, false),
    run(0.03, 0, true, "partial"), // a cell of partial runs only has no row
  ];
  const { cells, methods } = robustness(recs, () => tmsSolved(5));
  assert.deepEqual(cells.map((c) => [c.cell, c.successes, c.runs]), [["", 1, 2]]);
  assert.equal(methods[0].cells, 1);
  assert.deepEqual(robustness([recs[2]], () => tmsSolved(5)), { cells: [], methods: [] });
});
