import assert from "node:assert/strict";
import {
  type ComparePolicy,
  compareRecords,
  comparisonMarkdown,
  configHash,
  DEFAULT_POLICY,
  getMethod,
  incompleteBeta,
  makeRecord,
  type Metric,
  type Provenance,
  type RunRecord,
  type RunStatus,
  studentTCdf,
  toleranceFor,
  welchTest,
} from "../../mod.ts";

const provenance = { gitCommit: null, gitDirty: null } as unknown as Provenance;
const CONFIG = { steps: 10, lr: 0.001 };
const HASH = configHash("tms_5-2", "spd", CONFIG, 0);

interface Values {
  mmcs?: number;
  loss?: number;
  ml2r?: number;
}

function metricsOf(v: Values): Record<string, Metric> {
  const m: Record<string, Metric> = {};
  if (v.mmcs !== undefined) m.mmcs = { value: v.mmcs, direction: "higher", target: 1 };
  if (v.loss !== undefined) m["loss.total"] = { value: v.loss, direction: "lower" };
  if (v.ml2r !== undefined) m.ml2r = { value: v.ml2r, direction: "target", target: 1 };
  return m;
}

const BASE_VALUES: Values = { mmcs: 0.999, loss: 0.01, ml2r: 1.005 };

function rec(
  seed: number,
  values: Values = BASE_VALUES,
  opts: {
    config?: Record<string, unknown>;
    hash?: string;
    status?: RunStatus;
    target?: RunRecord["target"];
  } = {},
): RunRecord {
  return makeRecord({
    toy: "tms_5-2",
    method: "spd",
    seed,
    config: opts.config ?? CONFIG,
    configHash: opts.hash ?? HASH,
    target: opts.target ?? null,
    backend: "wasm",
    status: opts.status ?? "completed",
    error: null,
    metrics: metricsOf(values),
    curve: [],
    timing: { startedAt: "", wallTimeS: 1, stepsPerSecond: 1, stepsDone: 10 },
    provenance,
  });
}

const seeds = (n: number, values: Values = BASE_VALUES) =>
  Array.from({ length: n }, (_, s) => rec(s, values));

function rowOf(c: ReturnType<typeof compareRecords>, metric: string) {
  const row = c.rows.find((r) => r.metric === metric);
  assert.ok(row, `no row for ${metric}`);
  return row;
}

Deno.test("identical records: no regressions, every row ok", () => {
  const c = compareRecords(seeds(3), seeds(3));
  assert.equal(c.regressions, 0);
  assert.equal(c.improved, 0);
  assert.equal(c.configs, 1);
  assert.deepEqual(c.rows.map((r) => r.metric), ["status", "loss.total", "ml2r", "mmcs"]);
  assert.ok(c.rows.every((r) => r.status === "ok"));
  assert.match(comparisonMarkdown(c), /^0 regressions, 0 improvements over 1 config\n/);
  assert.match(comparisonMarkdown(c), /4 rows ok/);
});

Deno.test("regressions in higher, lower and target metrics are each detected", () => {
  const cases: [Values, string][] = [
    [{ ...BASE_VALUES, mmcs: 0.99 }, "mmcs"],
    [{ ...BASE_VALUES, loss: 0.0102 }, "loss.total"],
    [{ ...BASE_VALUES, ml2r: 0.99 }, "ml2r"], // |0.99 − 1| = 0.01 > 0.005 + 1e-3
  ];
  for (const [values, metric] of cases) {
    const c = compareRecords(seeds(2), seeds(2, values));
    assert.equal(c.regressions, 1, metric);
    const row = rowOf(c, metric);
    assert.equal(row.status, "regressed");
    assert.ok(c.rows.filter((r) => r !== row).every((r) => r.status === "ok"));
    const md = comparisonMarkdown(c);
    assert.match(md, /^1 regression, 0 improvements/);
    assert.ok(md.includes(`| regressed | tms_5-2 | spd | ${HASH.slice(0, 12)} | ${metric} |`));
  }
});

Deno.test("changes within tolerance are ok; ml2r crossing the target is judged by distance", () => {
  const within: Values = { mmcs: 0.9985, loss: 0.01009, ml2r: 0.9955 };
  const c = compareRecords(seeds(2), seeds(2, within));
  assert.equal(c.regressions, 0);
  assert.equal(c.improved, 0);
  // Tolerance = max(abs, rel·|base|): the loss' 1 % of 0.01 is 1e-4.
  assert.equal(toleranceFor(DEFAULT_POLICY, "loss.total").rel, 0.01);
  assert.deepEqual(toleranceFor(DEFAULT_POLICY, "mmcs"), { abs: 1e-3, rel: 0 });
  const policy: ComparePolicy = { default: { abs: 0 }, perMetric: { loss: { abs: 1 } } };
  assert.deepEqual(toleranceFor(policy, "loss.total"), { abs: 1 });
  assert.deepEqual(toleranceFor(policy, "lossy"), { abs: 0 });
});

Deno.test("improvements are counted and listed", () => {
  const c = compareRecords(seeds(2), seeds(2, { ...BASE_VALUES, loss: 0.005, ml2r: 1 }));
  assert.equal(c.regressions, 0);
  assert.equal(c.improved, 2);
  assert.equal(rowOf(c, "loss.total").status, "improved");
  assert.ok(Math.abs(rowOf(c, "loss.total").delta + 0.005) < 1e-12);
  assert.match(comparisonMarkdown(c), /0 regressions, 2 improvements over 1 config/);
});

Deno.test("a run that no longer completes, or a missing metric, is a regression", () => {
  const current = [rec(0), rec(1, {}, { status: "diverged" })];
  const c = compareRecords(seeds(2), current);
  const status = rowOf(c, "status");
  assert.equal(status.status, "regressed");
  assert.match(status.reason, /s1 diverged/);
  assert.equal(c.regressions, 1);

  const c2 = compareRecords(seeds(2), [rec(0), rec(1, { mmcs: 0.999, ml2r: 1.005 })]);
  const loss = rowOf(c2, "loss.total");
  assert.equal(loss.status, "regressed");
  assert.match(loss.reason, /missing on current \(s1\)/);
  // A metric that only the current side has is new, not compared.
  const c3 = compareRecords(seeds(2, { mmcs: 0.999 }), seeds(2));
  assert.deepEqual(c3.rows.map((r) => r.metric), ["status", "mmcs"]);
});

Deno.test("a base written before a config field existed meets a current run stating its default", () => {
  const target = { seedRequested: 0, seedUsed: 0, hash: "t", attempts: [] };
  const full = { ...getMethod("spd").defaults } as Record<string, unknown>;
  const { microBatch: _, ...old } = full;
  const at = (config: Record<string, unknown>, seed: number, values = BASE_VALUES) =>
    rec(seed, values, { config, hash: configHash("tms_5-2", "spd", config, 0), target });
  const c = compareRecords([at(old, 0), at(old, 1)], [at(full, 0), at(full, 1)]);
  assert.equal(c.configs, 1);
  assert.equal(c.regressions, 0);
  const worse = compareRecords([at(old, 0), at(old, 1)], [
    at(full, 0),
    at(full, 1, { ...BASE_VALUES, mmcs: 0.9 }),
  ]);
  assert.equal(worse.regressions, 1);
  // A field stated with a value other than its default is another config.
  assert.throws(
    () => compareRecords([at(old, 0)], [at({ ...full, microBatch: 128 }, 0)]),
    /only on the base side/,
  );
});

Deno.test("refuses differing configs, one-sided groups, mixed suite versions, duplicate seeds", () => {
  const other = { steps: 20, lr: 0.001 };
  assert.throws(
    () => compareRecords(seeds(2), [rec(0), rec(1, BASE_VALUES, { config: other })]),
    /refusing to compare:[\s\S]*configs differ under configHash/,
  );
  assert.throws(
    () =>
      compareRecords(seeds(2), [
        ...seeds(2),
        rec(0, BASE_VALUES, { config: other, hash: configHash("tms_5-2", "spd", other, 0) }),
      ]),
    /only on the current side/,
  );
  assert.throws(() => compareRecords(seeds(2), []), /only on the base side/);
  assert.throws(
    () => compareRecords(seeds(2), [rec(0), { ...rec(1), suiteVersion: "0.0.9" }]),
    /suite versions differ: 0\.0\.9, /,
  );
  assert.throws(() => compareRecords(seeds(2), [rec(0), rec(0)]), /duplicate seed 0 .* current/);
  assert.throws(
    () => compareRecords(seeds(2), seeds(2), { default: { rel: -1 } }),
    /default\.rel must be/,
  );
});

Deno.test("Student-t CDF and incomplete beta match known values", () => {
  const close = (a: number, b: number, tol: number) =>
    assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
  close(1 - studentTCdf(2.0, 10), 0.036694, 1e-5);
  close(1 - studentTCdf(1.5, 4), 0.103999, 1e-5);
  close(studentTCdf(1, 1), 0.75, 1e-12); // Cauchy
  close(studentTCdf(-2.0, 10), 0.036694, 1e-5);
  close(studentTCdf(0, 7.3), 0.5, 1e-15);
  close(1 - studentTCdf(2.228139, 10), 0.025, 1e-6); // two-sided 5 % critical value
  close(1 - studentTCdf(1.959964, 1e7), 0.025, 1e-6); // normal limit
  close(incompleteBeta(0.5, 2, 3), 0.6875, 1e-12); // I_0.5(2, 3) = 11/16
  close(incompleteBeta(0.3, 1, 1), 0.3, 1e-12);
});

Deno.test("Welch test: statistic and Satterthwaite df by hand; zero variance gives null", () => {
  const w = welchTest([1, 2, 3], [4, 6, 8]);
  assert.ok(w);
  // var 1/3 and 4/3 → se² = 5/3; t = (2 − 6)/√(5/3); df = (5/3)² / ((1/3)²/2 + (4/3)²/2).
  assert.ok(Math.abs(w.t - -4 / Math.sqrt(5 / 3)) < 1e-12);
  assert.ok(Math.abs(w.df - (25 / 9) / (17 / 18)) < 1e-12);
  assert.ok(Math.abs(w.pGreater + w.pLess - 1) < 1e-12);
  assert.equal(welchTest([1, 1], [2, 2]), null);
});

Deno.test("Welch policy: a clear shift across 5 seeds is flagged, seed noise is not", () => {
  const policy: ComparePolicy = { default: { abs: 1e-6, rel: 0.01, test: "welch" } };
  const noise = [0.002, -0.001, 0.0015, -0.002, 0.0005];
  const side = (offset: number, jitter: number[]) =>
    jitter.map((j, s) => rec(s, { loss: 0.1 + offset + j }));
  const base = side(0, noise);
  const shifted = compareRecords(base, side(0.01, noise.toReversed()), policy);
  assert.equal(rowOf(shifted, "loss.total").status, "regressed");
  assert.match(rowOf(shifted, "loss.total").reason, /welch t=.* p=/);

  // The means differ by 1.5 % (beyond the 1 % tolerance) but within the seed noise.
  const noisy = compareRecords(
    side(0, [0.02, -0.02, 0.03, -0.03, 0]),
    side(0.0015, [-0.03, 0.02, 0, 0.03, -0.02]),
    policy,
  );
  assert.match(rowOf(noisy, "loss.total").reason, /not significant/);
  assert.equal(noisy.regressions, 0);
  // Without the test the same change is a regression.
  const plain = compareRecords(
    side(0, [0.02, -0.02, 0.03, -0.03, 0]),
    side(0.0015, [-0.03, 0.02, 0, 0.03, -0.02]),
    { default: { abs: 1e-6, rel: 0.01 } },
  );
  assert.equal(plain.regressions, 1);

  // Zero variance on both sides: the tolerance rule decides.
  const flat = compareRecords(seeds(3, { loss: 0.1 }), seeds(3, { loss: 0.2 }), policy);
  assert.equal(rowOf(flat, "loss.total").status, "regressed");
  assert.match(rowOf(flat, "loss.total").reason, /welch n\/a/);
});
