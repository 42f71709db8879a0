import assert from "node:assert/strict";
import { type CellMeasurement, makeSpeedRecord, median, type Provenance } from "../../mod.ts";

const provenance: Provenance = {
  gitCommit: null,
  gitDirty: null,
  deno: "t",
  v8: "t",
  typescript: "t",
  tfjs: "t",
  os: "t",
  arch: "t",
  cpuModel: null,
  cpuCores: 2,
  hostname: "t",
};

const run = (ms: number[], flops = 2e6): CellMeasurement => ({
  msPerStep: ms,
  cpuMsPerStep: ms.map((x) => x / 2),
  batchSize: 4096,
  flopsPerStep: flops,
  matmulFlopsPerStep: flops / 2,
  kernelsPerStep: 100,
  peakTensorBytes: 1000,
  peakRssBytes: 5000,
  loadAverage: [1, 1.5],
});

Deno.test("median: odd and even lengths; empty throws", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), RangeError);
});

Deno.test("makeSpeedRecord: median of run medians, derived rates, projection, max memory", () => {
  const r = makeSpeedRecord({
    toy: "tms_5-2",
    method: "spd",
    backend: "wasm",
    version: "current",
    revision: null,
    profile: "paper",
    profileSteps: 40_000,
    warmupSteps: 2,
    matmulPeakGflops: 20,
    device: null,
    startedAt: "2026-01-01T00:00:00Z",
    provenance,
  }, [run([10, 12, 11]), run([20, 21, 19]), run([9, 10, 11])]);
  assert.equal(r.kind, "speed");
  assert.deepEqual(r.msPerStepRuns, [11, 20, 10]);
  assert.equal(r.msPerStep, 11);
  assert.equal(r.cpuMsPerStep, 5.5);
  assert.equal(r.msPerStepSamples.length, 9);
  assert.ok(Math.abs(r.stepsPerSecond - 1000 / 11) < 1e-12);
  assert.ok(Math.abs(r.gflops - 2e6 / 11e6) < 1e-12);
  assert.ok(Math.abs(r.fractionOfPeak - r.gflops / 20) < 1e-12);
  assert.ok(Math.abs(r.projectedHours! - 40_000 * 11 / 3.6e6) < 1e-12);
  assert.equal(r.peakMemoryBytes, 1000);
  assert.equal(r.runs, 3);
  assert.equal(r.stepsPerRun, 3);
});
