/** Runs the task CLIs (bench and others) in a subprocess; a target cache pre-seeded so no target is trained. */
import { join } from "node:path";
import { targetToJson, TMS_5_2, tmsToy } from "../../mod.ts";
import { targetCacheKey } from "../../tasks/lib/target_cache.ts";
import { pentagonTensors } from "./pentagon.ts";

/** Spawns `deno run -A tasks/<script> …args` with piped output and no colours. */
export function taskProcess(script: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(`../../tasks/${script}`, import.meta.url).pathname, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Runs `tasks/<script>` to completion. */
export async function runTask(
  script: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await taskProcess(script, args).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Arguments for a tiny two-or-more-job TMS 5-2 run (a few steps, small batches). */
export const TINY = [
  "--toy",
  "tms_5-2",
  "--method",
  "spd",
  "--steps",
  "4",
  "--set",
  "batchSize=64",
  "--quiet",
];

/** Spawns `deno run -A tasks/bench.ts …args`. */
export function benchProcess(args: string[]): Deno.ChildProcess {
  return taskProcess("bench.ts", args);
}

/** Runs the bench CLI to completion. */
export function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runTask("bench.ts", args);
}

/** A temp dir whose target cache holds the pentagon as the tms_5-2 target (seed 0, wasm). */
export async function seededCache(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const key = targetCacheKey(tmsToy("tms_5-2", "", TMS_5_2), 0, "wasm");
  const target = {
    toy: "tms_5-2",
    seedRequested: 0,
    seedUsed: 0,
    attempts: [{ seed: 0, health: { healthy: true, failures: [], measures: {} } }],
    tensors: pentagonTensors(),
  };
  await Deno.writeTextFile(
    join(dir, `tms_5-2-s0-${key.slice(0, 16)}.json`),
    JSON.stringify(targetToJson(target)),
  );
  return dir;
}

/** The records of a JSON-lines file (skipping lines that are not records). */
export async function recordsIn(path: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return text.split("\n").filter((l) => l.includes('"runId"')).map((l) => JSON.parse(l));
}
