/**
 * One run of one speed-benchmark cell, in its own process (started by
 * `tasks/speed.ts`): times training steps of a method on an untrained toy of
 * the paper's shapes, profiles one more step for its FLOPs, kernel count and
 * tensor memory, and prints one `SPEED_CELL {json}` line. With `--peak` it
 * measures the backend's matMul throughput instead.
 *
 * `--lib` names the library whose method is timed (default: this checkout's
 * `mod.ts`; the benchmark passes an older revision's to time a baseline). The
 * toy always comes from this checkout, so both versions time the same network.
 * Only library functions that every version since the first working one has
 * (`initBackend`, `methodIds`, `getMethod`, `getProfile`, `profileConfig`) are used on it.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import * as current from "../mod.ts";
import { BUILTIN_TOYS, countFlops, getToy, type KernelShapes } from "../mod.ts";
import type { CellMeasurement } from "../bench/speed/speed_record.ts";
import { integerFlag } from "./lib/cli_values.ts";
import { describeDevice, useWasmDirFromEnv } from "./lib/portable_run.ts";

/** Marks the output line the parent reads. */
export const CELL_LINE_PREFIX = "SPEED_CELL ";

class StopTiming extends Error {}

/** Peak resident set size of this process (VmHWM), or null where /proc is unavailable. */
function peakRssBytes(): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(Deno.readTextFileSync("/proc/self/status"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) this process has used, in ms: unlike wall time, not inflated by other work. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const load1 = () => {
  try {
    return Deno.loadavg()[0];
  } catch {
    return NaN;
  }
};

/** Median GFLOP/s of an untransposed `[n, n]·[n, n]` matMul, results read back. */
async function matmulPeak(n = 1024, reps = 7): Promise<number> {
  const a = tf.randomUniform([n, n]), b = tf.randomUniform([n, n]);
  const times: number[] = [];
  for (let i = 0; i < reps + 2; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    const s = tf.slice(c, [n - 1, n - 1], [1, 1]);
    await s.data();
    const dt = performance.now() - t0;
    c.dispose();
    s.dispose();
    if (i >= 2) times.push(dt);
  }
  a.dispose();
  b.dispose();
  times.sort((x, y) => x - y);
  return (2 * n ** 3) / (times[times.length >> 1] * 1e6);
}

// deno-lint-ignore no-explicit-any
type Lib = any;

interface EngineState {
  activeProfile: { kernels: KernelShapes[] };
}

async function measureCell(
  lib: Lib,
  toyId: string,
  methodId: string,
  profile: string,
  warmup: number,
  steps: number,
): Promise<(CellMeasurement & { profileSteps: number | null }) | { skipped: string }> {
  const make = BUILTIN_TOYS[toyId];
  const toy = make ? make({ steps: 0 }) : getToy(toyId);
  if (!lib.methodIds().includes(methodId)) {
    return { skipped: `no method '${methodId}' in this version` };
  }
  const method = lib.getMethod(methodId);
  const entry = lib.profileConfig(lib.getProfile(profile), toyId, methodId);
  if (!entry) return { skipped: `profile '${profile}' has no ${methodId} config for ${toyId}` };
  const overrides: Record<string, unknown> = { ...entry, steps: 100_000 };
  if ("logEvery" in method.defaults) overrides.logEvery = 1_000_000; // no read-backs while timed
  const cfg = method.resolveConfig(method.defaults, overrides);
  const model = toy.buildModel(await toy.trainTarget(0));
  const data = toy.data;

  // 1. Timing: warm-up steps, then `steps` timed steps; stop the run there (its evaluation is
  // not part of a step).
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let last = performance.now();
  let lastCpu = cpuMs();
  const stopAt = (n: number) => (done: number) => {
    const now = performance.now(), cpu = cpuMs();
    times.push(now - last);
    cpuTimes.push(cpu - lastCpu);
    last = now;
    lastCpu = cpu;
    if (done >= n) throw new StopTiming();
  };
  const loadStart = load1();
  try {
    last = performance.now();
    lastCpu = cpuMs();
    await method.run(model, data, cfg, 0, stopAt(warmup + steps));
  } catch (e) {
    if (!(e instanceof StopTiming)) throw e;
  }
  const timed = times.slice(warmup);
  const timedCpu = cpuTimes.slice(warmup);

  // 2. Profile one step (the second: the first compiles kernels) for FLOPs and memory.
  const state = tf.engine().state as unknown as EngineState;
  const marks: number[] = [];
  const info = await tf.profile(async () => {
    try {
      await method.run(model, data, cfg, 0, (done: number) => {
        marks.push(state.activeProfile.kernels.length);
        if (done === 2) throw new StopTiming();
      });
    } catch (e) {
      if (!(e instanceof StopTiming)) throw e;
    }
    return tf.scalar(0);
  });
  const stepKernels = info.kernels.slice(marks[0], marks[1]);
  const flopInfo = countFlops(stepKernels);
  const peakInStep = Math.max(0, ...stepKernels.map((k) => k.totalBytesSnapshot));
  model.dispose();
  return {
    msPerStep: timed,
    cpuMsPerStep: timedCpu,
    batchSize: typeof cfg.batchSize === "number" ? cfg.batchSize : null,
    flopsPerStep: flopInfo.flops,
    matmulFlopsPerStep: flopInfo.matmulFlops,
    kernelsPerStep: flopInfo.kernels,
    peakTensorBytes: peakInStep,
    peakRssBytes: peakRssBytes(),
    loadAverage: [loadStart, load1()],
    profileSteps: typeof entry.steps === "number" ? entry.steps : null,
  };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      toy: { type: "string" },
      method: { type: "string" },
      backend: { type: "string", default: "wasm" },
      lib: { type: "string" },
      profile: { type: "string", default: "paper" },
      warmup: { type: "string", default: "2" },
      steps: { type: "string", default: "5" },
      peak: { type: "boolean", default: false },
    },
  });
  const lib: Lib = values.lib
    ? await import(new URL(values.lib, `file://${Deno.cwd()}/`).href)
    : current;
  useWasmDirFromEnv();
  await lib.initBackend(values.backend);
  if (values.peak) {
    const device = await describeDevice(values.backend!);
    console.log(
      CELL_LINE_PREFIX + JSON.stringify({ matmulPeakGflops: await matmulPeak(), device }),
    );
    return 0;
  }
  if (!values.toy || !values.method) throw new RangeError("--toy and --method are required");
  const result = await measureCell(
    lib,
    values.toy,
    values.method,
    values.profile!,
    integerFlag("--warmup", values.warmup!, 0),
    integerFlag("--steps", values.steps!, 1),
  );
  console.log(CELL_LINE_PREFIX + JSON.stringify(result));
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`speed-cell: ${(err as Error).stack ?? err}`);
    Deno.exit(2);
  }
}
