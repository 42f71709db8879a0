/**
 * The speed record: one line per toy × method × backend × code version of a
 * speed benchmark, with every field a chart needs spelled out. Built from the
 * measurements of several independent runs (processes) of the same cell.
 *
 * @module
 */
import type { Provenance } from "../records/record.ts";

/** Version of the speed-record layout. */
export const SPEED_SCHEMA_VERSION = 1;

/** What one run (one process) of a cell measured. */
export interface CellMeasurement {
  /** Milliseconds of each timed training step, in order (after the warm-up steps). */
  readonly msPerStep: readonly number[];
  /**
   * Process CPU time (user + system) of each timed step, ms: close to the wall time the step
   * would take on an otherwise idle core (includes the runtime's helper threads).
   */
  readonly cpuMsPerStep: readonly number[];
  /** Datapoints per step (the config's `batchSize`), or null when the method has none. */
  readonly batchSize: number | null;
  /** FLOPs of one profiled step (`bench/speed/flops.ts`). */
  readonly flopsPerStep: number;
  /** Of which in matMuls. */
  readonly matmulFlopsPerStep: number;
  /** Kernel calls in one step. */
  readonly kernelsPerStep: number;
  /** Peak bytes of live tensors during one step (TF.js engine accounting). */
  readonly peakTensorBytes: number;
  /** Peak resident memory of the whole process (VmHWM), or null where unknown. */
  readonly peakRssBytes: number | null;
  /** One-minute load average when the run started and ended (other work on the machine). */
  readonly loadAverage: readonly [number, number];
}

/** One line of `reports/timing/*.jsonl`. */
export interface SpeedRecord {
  /** Always `"speed"`. */
  readonly kind: "speed";
  /** {@linkcode SPEED_SCHEMA_VERSION}. */
  readonly schemaVersion: number;
  /** Toy id. */
  readonly toy: string;
  /** Method id. */
  readonly method: string;
  /** Backend name. */
  readonly backend: string;
  /** The WebGPU adapter for `webgpu` (e.g. NVIDIA H100 or Mesa llvmpipe); null for CPU backends. */
  readonly device: string | null;
  /** `"current"` (the checked-out code) or `"baseline"` (the code at `revision`). */
  readonly version: "current" | "baseline";
  /** Git revision of the timed code: the baseline's, or the checkout's commit. */
  readonly revision: string | null;
  /** Config profile the step config came from. */
  readonly profile: string;
  /** Datapoints per step. */
  readonly batchSize: number | null;
  /** Median over runs of each run's median step time. */
  readonly msPerStep: number;
  /** Each run's median step time (the samples behind `msPerStep`). */
  readonly msPerStepRuns: readonly number[];
  /** Every timed step of every run, in run order. */
  readonly msPerStepSamples: readonly number[];
  /** 1000 / `msPerStep`. */
  readonly stepsPerSecond: number;
  /** Median over runs of each run's median process CPU ms per step (load-independent estimate). */
  readonly cpuMsPerStep: number;
  /** Each run's median CPU ms per step. */
  readonly cpuMsPerStepRuns: readonly number[];
  /** FLOPs of one step. */
  readonly flopsPerStep: number;
  /** Of which in matMuls. */
  readonly matmulFlopsPerStep: number;
  /** Kernel calls in one step. */
  readonly kernelsPerStep: number;
  /** Achieved GFLOP/s: `flopsPerStep / msPerStep`. */
  readonly gflops: number;
  /** The backend's measured matMul throughput on this machine (GFLOP/s). */
  readonly matmulPeakGflops: number;
  /** `gflops / matmulPeakGflops`. */
  readonly fractionOfPeak: number;
  /** Peak bytes of live tensors during a step (max over runs). */
  readonly peakMemoryBytes: number;
  /** Peak resident memory of a benchmark process (max over runs). */
  readonly peakRssBytes: number | null;
  /** Optimiser steps of the profile's full run, and its projected hours at `msPerStep`. */
  readonly profileSteps: number | null;
  /** `profileSteps × msPerStep`, in hours. */
  readonly projectedHours: number | null;
  /** Runs (processes) behind the figures, and timed steps per run after warm-up. */
  readonly runs: number;
  /** Timed steps per run. */
  readonly stepsPerRun: number;
  /** Untimed warm-up steps per run. */
  readonly warmupSteps: number;
  /** One-minute load averages (start, end) of each run. */
  readonly loadAverages: readonly (readonly [number, number])[];
  /** When the first run started (ISO). */
  readonly startedAt: string;
  /** Code, runtime and machine. */
  readonly provenance: Provenance;
}

/** The median of a non-empty list (the mean of the middle two for even lengths). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median of an empty list");
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Identification of a cell and the context its runs shared. */
export interface CellContext {
  /** Toy id. */
  readonly toy: string;
  /** Method id. */
  readonly method: string;
  /** TF.js backend the runs used. */
  readonly backend: string;
  /** `current` code, or the `baseline` revision timed alongside it. */
  readonly version: "current" | "baseline";
  /** Git revision of a baseline cell (null for the current code). */
  readonly revision: string | null;
  /** Profile whose config was timed. */
  readonly profile: string;
  /** Steps of a full run in that profile (null when the profile has no entry). */
  readonly profileSteps: number | null;
  /** Untimed steps before the timed ones in each run. */
  readonly warmupSteps: number;
  /** The backend's measured untransposed matMul throughput. */
  readonly matmulPeakGflops: number;
  /** WebGPU adapter description (null off WebGPU). */
  readonly device: string | null;
  /** When the first run started (ISO). */
  readonly startedAt: string;
  /** Code, runtime and machine. */
  readonly provenance: Provenance;
}

/** Combines the runs of one cell into its {@linkcode SpeedRecord}. */
export function makeSpeedRecord(
  ctx: CellContext,
  runs: readonly CellMeasurement[],
): SpeedRecord {
  if (runs.length === 0) throw new RangeError("makeSpeedRecord: no runs");
  const perRun = runs.map((r) => median(r.msPerStep));
  const cpuPerRun = runs.map((r) => median(r.cpuMsPerStep));
  const ms = median(perRun);
  const flops = median(runs.map((r) => r.flopsPerStep));
  const gflops = flops / (ms * 1e6);
  const rss = runs.map((r) => r.peakRssBytes).filter((x): x is number => x !== null);
  return {
    kind: "speed",
    schemaVersion: SPEED_SCHEMA_VERSION,
    toy: ctx.toy,
    method: ctx.method,
    backend: ctx.backend,
    device: ctx.device,
    version: ctx.version,
    revision: ctx.revision,
    profile: ctx.profile,
    batchSize: runs[0].batchSize,
    msPerStep: ms,
    msPerStepRuns: perRun,
    msPerStepSamples: runs.flatMap((r) => r.msPerStep),
    stepsPerSecond: 1000 / ms,
    cpuMsPerStep: median(cpuPerRun),
    cpuMsPerStepRuns: cpuPerRun,
    flopsPerStep: flops,
    matmulFlopsPerStep: median(runs.map((r) => r.matmulFlopsPerStep)),
    kernelsPerStep: median(runs.map((r) => r.kernelsPerStep)),
    gflops,
    matmulPeakGflops: ctx.matmulPeakGflops,
    fractionOfPeak: gflops / ctx.matmulPeakGflops,
    peakMemoryBytes: Math.max(...runs.map((r) => r.peakTensorBytes)),
    peakRssBytes: rss.length ? Math.max(...rss) : null,
    profileSteps: ctx.profileSteps,
    projectedHours: ctx.profileSteps === null ? null : (ctx.profileSteps * ms) / 3.6e6,
    runs: runs.length,
    stepsPerRun: runs[0].msPerStep.length,
    warmupSteps: ctx.warmupSteps,
    loadAverages: runs.map((r) => r.loadAverage),
    startedAt: ctx.startedAt,
    provenance: ctx.provenance,
  };
}
