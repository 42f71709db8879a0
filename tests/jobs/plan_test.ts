import assert from "node:assert/strict";
import {
  axesCells,
  cellLabel,
  getMethod,
  getProfile,
  gridCells,
  parseShard,
  parseSweep,
  planProfileJobs,
  planSweepJobs,
  shardJobs,
  uniqueJobs,
} from "../../mod.ts";

const spd = getMethod("spd");
const sweep = parseSweep({
  name: "t",
  toy: "tms_5-2",
  method: "spd",
  fixed: { steps: 10 },
  grid: { importanceCoeff: [1e-3, 3e-3, 1e-2], pNorm: [1, 2], lr: [3e-4, 1e-3, 3e-3] },
  seeds: [0, 1, 2, 3, 4],
});
const jobs = planSweepJobs(sweep, spd, getProfile("paper"));

Deno.test("a sweep expands to grid cells x seeds, sorted, with distinct job ids", () => {
  assert.equal(gridCells(sweep.grid).length, 18);
  assert.equal(jobs.length, 90);
  assert.equal(new Set(jobs.map((j) => j.jobId)).size, 90);
  assert.equal(new Set(jobs.map((j) => j.configHash)).size, 18);
  assert.deepEqual(
    jobs.map((j) => j.jobId),
    planSweepJobs(sweep, spd, getProfile("paper")).map((j) => j.jobId),
  );
  assert.equal(jobs[0].config.steps, 10);
  assert.equal(cellLabel({ pNorm: 2, lr: 0.001 }), "lr=0.001,pNorm=2");
});

Deno.test("the union of shards i/n is exactly the job list, without overlap, for n in 1, 3, 7", () => {
  for (const n of [1, 3, 7]) {
    const seen: string[] = [];
    for (let i = 0; i < n; i++) seen.push(...shardJobs(jobs, i, n).map((j) => j.jobId));
    assert.equal(seen.length, jobs.length, `n=${n}`);
    assert.deepEqual([...seen].sort(), jobs.map((j) => j.jobId).sort(), `n=${n}`);
    const sizes = Array.from({ length: n }, (_, i) => shardJobs(jobs, i, n).length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes}`);
  }
});

Deno.test("profile plans: one job per toy x method x seed; a job's id does not depend on the shard", () => {
  const plan = planProfileJobs({
    toys: ["tms_5-2", "resid_mlp_1"],
    methods: [spd],
    seeds: [0, 1],
    targetSeed: 0,
    profile: getProfile("quick"),
    overrides: {},
  });
  assert.equal(plan.jobs.length, 4);
  assert.deepEqual(plan.skipped, []);
  assert.deepEqual(plan.jobs.map((j) => `${j.toy}:${j.seed}`), [
    "resid_mlp_1:0",
    "resid_mlp_1:1",
    "tms_5-2:0",
    "tms_5-2:1",
  ]);
  assert.equal(shardJobs(plan.jobs, 1, 2)[0].jobId, plan.jobs[1].jobId);
});

Deno.test("bad sweeps and shards are rejected naming the field", () => {
  assert.throws(
    () => parseSweep({ name: "s", toy: "t", method: "spd", grid: { lr: [] }, seeds: [0] }),
    /grid 'lr' must be a non-empty array/,
  );
  assert.throws(
    () => parseSweep({ name: "s", toy: "t", method: "spd", grid: {}, seeds: [-1] }),
    /'seeds' must be an array of integers >= 0/,
  );
  assert.throws(
    () => parseSweep({ name: "s", toy: "t", method: "spd", design: "lhs", grid: {}, seeds: [0] }),
    /sweep: 'design' must be one of grid, axes; got "lhs"/,
  );
  // A misspelt field is refused rather than ignored (here the profile would fall back to paper).
  assert.throws(
    () => parseSweep({ name: "s", toy: "t", method: "spd", profil: "quick", grid: {}, seeds: [0] }),
    new Error(
      "sweep: unknown field 'profil'; allowed: " +
        "name, toy, method, profile, fixed, grid, design, seeds, targetSeed",
    ),
  );
  for (
    const [field, value, message] of [
      ["profile", 3, "'profile' must be a string"],
      ["fixed", [1], "'fixed' must be an object of field -> value"],
      ["targetSeed", 1.5, "'targetSeed' must be an integer >= 0"],
    ] as const
  ) {
    assert.throws(
      () =>
        parseSweep({ name: "s", toy: "t", method: "spd", grid: {}, seeds: [0], [field]: value }),
      new Error(`sweep: ${message}`),
    );
  }
  assert.throws(
    () =>
      planSweepJobs(
        { ...sweep, design: "axes", grid: { gateWidth: [4] } },
        spd,
        getProfile("paper"),
      ),
    /sweep 't': design 'axes': the base config has no value for 'gateWidth' to centre on/,
  );
  assert.throws(() => parseShard("3/3"), /--shard: '3\/3' must be i\/n with integers 0 <= i < n/);
  assert.deepEqual(parseShard("2/7"), { index: 2, count: 7 });
  assert.throws(
    () => planSweepJobs({ ...sweep, grid: { pNorm: [-1] } }, spd, getProfile("paper")),
    /'pNorm' must be a finite number > 0/,
  );
});

Deno.test("an axes design varies one field at a time around the centre, the centre once", () => {
  const cells = axesCells({ b: [1, 2, 3], a: ["x", "y"] }, { a: "x", b: 2, c: 9 });
  assert.deepEqual(cells, [
    { a: "x", b: 2 },
    { a: "y", b: 2 },
    { a: "x", b: 1 },
    { a: "x", b: 3 },
  ]);
  // A centre value outside the listed ones is still a cell.
  assert.deepEqual(axesCells({ b: [1, 3] }, { b: 2 }), [{ b: 2 }, { b: 1 }, { b: 3 }]);
  // A value listed twice is one cell, and its seeds run once.
  const twice = planSweepJobs({ ...sweep, grid: { pNorm: [1, 2, 2] } }, spd, getProfile("paper"));
  assert.equal(twice.length, 10);
});

const load = async (name: string) =>
  parseSweep(
    JSON.parse(await Deno.readTextFile(new URL(`../../bench/sweeps/${name}`, import.meta.url))),
    name,
  );

Deno.test("the committed sweeps parse and expand: TMS 5-2 SPD 60 x 5 (axes 9 x 5), APD 18 x 5; resid β3 5 x 5", async () => {
  const tms = planSweepJobs(await load("tms_5-2_spd.json"), spd, getProfile("paper"));
  assert.equal(tms.length, 300);
  const axes = planSweepJobs(await load("tms_5-2_spd_axes.json"), spd, getProfile("paper"));
  assert.equal(axes.length, 45);
  const inGrid = new Set(tms.map((j) => j.jobId));
  assert.ok(axes.every((j) => inGrid.has(j.jobId)), "every axes job is a job of the full grid");
  const paper = { importanceCoeff: 3e-3, pNorm: 1, lr: 1e-3, C: 20 };
  const changed = (j: (typeof axes)[number]) =>
    Object.entries(paper).filter(([k, v]) => j.config[k] !== v).map(([k]) => k);
  assert.equal(axes.filter((j) => changed(j).length === 0).length, 5, "the paper cell, 5 seeds");
  assert.equal(axes.filter((j) => changed(j).length === 1).length, 40, "8 one-field cells");
  assert.deepEqual(
    [...new Set(axes.filter((j) => changed(j)[0] === "lr").map((j) => j.config.lr))],
    [0.000333, 0.003],
  );
  const apd = planSweepJobs(await load("tms_5-2_apd.json"), getMethod("apd"), getProfile("paper"));
  assert.equal(apd.length, 90);
  assert.ok(apd.every((j) => j.config.steps === 20_000 && j.config.C === 5));
  const resid = await load("resid_mlp_1_spd_beta3.json");
  const rj = planSweepJobs(resid, spd, getProfile("paper"));
  assert.equal(rj.length, 25);
  assert.deepEqual([...new Set(rj.map((j) => j.config.importanceCoeff))], [
    1e-6,
    3e-6,
    1e-5,
    1e-4,
    1e-3,
  ]);
  assert.ok(rj.every((j) => j.config.steps === 30_000 && j.config.C === 100));
});

Deno.test("the full reproduction runs a job shared by the paper runs and a sweep once", async () => {
  const paper = planProfileJobs({
    toys: ["tms_5-2", "resid_mlp_1"],
    methods: [spd, getMethod("apd")],
    seeds: [0, 1, 2, 3, 4],
    targetSeed: 0,
    profile: getProfile("paper"),
    overrides: {},
  }).jobs;
  const sweeps = [
    planSweepJobs(await load("tms_5-2_spd.json"), spd, getProfile("paper")),
    planSweepJobs(await load("tms_5-2_spd_axes.json"), spd, getProfile("paper")),
    planSweepJobs(await load("tms_5-2_apd.json"), getMethod("apd"), getProfile("paper")),
    planSweepJobs(await load("resid_mlp_1_spd_beta3.json"), spd, getProfile("paper")),
  ].flat();
  assert.equal(paper.length + sweeps.length, 20 + 300 + 45 + 90 + 25);
  const all = uniqueJobs([...paper, ...sweeps]);
  // The SPD and APD TMS 5-2 and SPD resid_mlp_1 paper runs are sweep cells; the axes are in the grid.
  assert.equal(all.length, 5 + 300 + 90 + 25);
  assert.equal(new Set(all.map((j) => j.jobId)).size, all.length);
  assert.deepEqual(all, uniqueJobs([...sweeps, ...paper]));
});
