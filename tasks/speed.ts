/**
 * `deno task speed`: the speed benchmark. For every toy × method × backend it
 * times training steps at the profile's config (paper batch sizes) on an
 * untrained target of the same shapes, counts the FLOPs of a step, measures
 * the backend's matMul throughput, and appends one {@linkcode SpeedRecord} per
 * cell to `--out`. Each run of a cell is its own process (clean heap, its own
 * peak memory); `--runs` runs are interleaved across cells.
 *
 * A cell that fails or exceeds `--cell-timeout` seconds gets no record (and no
 * further runs); the others still do, and the exit code is 1.
 *
 * `--baseline REV` also times the method code of git revision REV (e.g. the
 * first working version) in the same invocation, alternating with the current
 * code run by run, and prints the speed-up.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  BACKEND_NAMES,
  type CellMeasurement,
  initBackend,
  makeSpeedRecord,
  methodIds,
  type SpeedRecord,
  toyIds,
} from "../mod.ts";
import { appendJsonLine } from "./lib/atomic_file.ts";
import { integerFlag, nameList, numberFlag } from "./lib/cli_values.ts";
import { collectProvenance } from "./lib/provenance.ts";
import { formatTable } from "./lib/table.ts";
import { CELL_LINE_PREFIX } from "./speed_cell.ts";

/** The cell script: this checkout's, or the bundled one named by PDBENCH_SPEED_CELL (GPU pack). */
const CELL = Deno.env.get("PDBENCH_SPEED_CELL") ??
  new URL("./speed_cell.ts", import.meta.url).pathname;

/** Runs one cell process and returns its parsed result line. */
async function runCell(args: string[], timeoutS: number): Promise<Record<string, unknown>> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CELL, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutS * 1000),
  }).spawn();
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  const line = text.split("\n").find((l) => l.startsWith(CELL_LINE_PREFIX));
  if (!out.success || !line) {
    const err = new TextDecoder().decode(out.stderr).split("\n").filter((l) =>
      !/Hi, looks|tfjs-node|=====|https|Will be/.test(l)
    ).join("\n");
    throw new Error(`cell ${args.join(" ")} failed (exit ${out.code}):\n${err.slice(-2000)}`);
  }
  return JSON.parse(line.slice(CELL_LINE_PREFIX.length));
}

/** Extracts `rev` of this repository into a temporary directory; returns its mod.ts and SHA. */
async function checkoutRevision(rev: string): Promise<{ lib: string; sha: string }> {
  const git = async (args: string[]) => {
    const o = await new Deno.Command("git", { args, stdout: "piped", stderr: "piped" }).output();
    if (!o.success) throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(o.stderr)}`);
    return new TextDecoder().decode(o.stdout).trim();
  };
  const sha = await git(["rev-parse", "--verify", `${rev}^{commit}`]);
  const dir = await Deno.makeTempDir({ prefix: `pdbench-${sha.slice(0, 8)}-` });
  const tar = `${dir}.tar`;
  await git(["archive", "--format=tar", "-o", tar, sha]);
  const untar = await new Deno.Command("tar", { args: ["-xf", tar, "-C", dir] }).output();
  await Deno.remove(tar);
  if (!untar.success) throw new Error(`tar: could not extract ${rev}`);
  return { lib: `${dir}/mod.ts`, sha };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      toy: { type: "string" },
      method: { type: "string" },
      backend: { type: "string", default: "wasm" },
      profile: { type: "string", default: "paper" },
      runs: { type: "string", default: "3" },
      steps: { type: "string", default: "5" },
      warmup: { type: "string", default: "2" },
      baseline: { type: "string" },
      "baseline-toy": { type: "string" },
      "cell-timeout": { type: "string", default: "900" },
      out: { type: "string", default: "reports/timing/speed.jsonl" },
    },
  });
  const toys = nameList("--toy", values.toy, toyIds());
  const methods = nameList("--method", values.method, methodIds());
  const backends = nameList("--backend", values.backend, BACKEND_NAMES);
  const runs = integerFlag("--runs", values.runs!, 1);
  const timeout = numberFlag("--cell-timeout", values["cell-timeout"]!, { min: 0, open: "min" });
  const warmupSteps = integerFlag("--warmup", values.warmup!, 0);
  const steps = integerFlag("--steps", values.steps!, 1);
  const baselineToys = new Set(nameList("--baseline-toy", values["baseline-toy"], toys));
  const common = [
    "--profile",
    values.profile!,
    "--warmup",
    String(warmupSteps),
    "--steps",
    String(steps),
  ];
  const baseline = values.baseline ? await checkoutRevision(values.baseline) : null;
  const provenance = await collectProvenance((await initBackend("cpu")).tfjs);
  const startedAt = new Date().toISOString();

  type Key = string;
  const measured = new Map<Key, CellMeasurement[]>();
  const meta = new Map<Key, { profileSteps: number | null }>();
  const skipped = new Set<Key>();
  const failures: string[] = [];
  const peak = new Map<string, number>();
  const device = new Map<string, string | null>();
  for (const backend of backends) {
    const r = await runCell(["--backend", backend, "--peak"], timeout);
    peak.set(backend, r.matmulPeakGflops as number);
    device.set(backend, (r.device as string | null) ?? null);
    console.error(
      `${backend}: matMul peak ${(r.matmulPeakGflops as number).toFixed(1)} GFLOP/s` +
        (r.device ? ` on ${r.device}` : ""),
    );
  }
  for (let run = 0; run < runs; run++) {
    for (const backend of backends) {
      for (const toy of toys) {
        for (const method of methods) {
          const versions: ("current" | "baseline")[] = baseline && baselineToys.has(toy)
            ? (run % 2 ? ["baseline", "current"] : ["current", "baseline"])
            : ["current"];
          for (const version of versions) {
            const key = JSON.stringify([toy, method, backend, version]);
            if (skipped.has(key)) continue;
            const args = ["--toy", toy, "--method", method, "--backend", backend, ...common];
            if (version === "baseline") args.push("--lib", baseline!.lib);
            let r: Record<string, unknown>;
            try {
              r = await runCell(args, timeout);
            } catch (err) {
              failures.push(`${toy} ${method} ${backend} ${version}: ${(err as Error).message}`);
              console.error(`${toy} ${method} ${backend} ${version}: FAILED (see the end)`);
              skipped.add(key); // no more runs of a cell that failed or timed out
              continue;
            }
            if ("skipped" in r) {
              skipped.add(key);
              console.error(`${toy} ${method} ${backend} ${version}: skipped (${r.skipped})`);
              continue;
            }
            const { profileSteps, ...m } = r as unknown as CellMeasurement & {
              profileSteps: number | null;
            };
            measured.set(key, [...(measured.get(key) ?? []), m]);
            meta.set(key, { profileSteps });
            const ms = [...m.msPerStep].sort((a, b) => a - b)[m.msPerStep.length >> 1];
            console.error(
              `run ${run + 1}/${runs} ${toy} ${method} ${backend} ${version}: ${
                ms.toFixed(1)
              } ms/step`,
            );
          }
        }
      }
    }
  }

  const records: SpeedRecord[] = [];
  for (const [key, ms] of measured) {
    const [toy, method, backend, version] = JSON.parse(key);
    const record = makeSpeedRecord({
      toy,
      method,
      backend,
      version,
      revision: version === "baseline" ? baseline!.sha : provenance.gitCommit,
      profile: values.profile!,
      profileSteps: meta.get(key)!.profileSteps,
      warmupSteps,
      matmulPeakGflops: peak.get(backend)!,
      device: device.get(backend) ?? null,
      startedAt,
      provenance,
    }, ms);
    records.push(record);
    await appendJsonLine(values.out!, record);
  }
  const fmt = (x: number, d = 1) => Number(x.toFixed(d));
  console.log(formatTable(
    [
      "toy",
      "method",
      "backend",
      "version",
      "batch",
      "ms/step",
      "CPU ms/step",
      "steps/s",
      "GFLOP/s",
      "% of matMul peak",
      "peak tensor MB",
      "projected h",
    ],
    records.map((r) => [
      r.toy,
      r.method,
      r.backend,
      r.version,
      r.batchSize ?? "-",
      fmt(r.msPerStep),
      fmt(r.cpuMsPerStep),
      fmt(r.stepsPerSecond, 2),
      fmt(r.gflops, 2),
      fmt(100 * r.fractionOfPeak),
      fmt(r.peakMemoryBytes / 2 ** 20),
      r.projectedHours === null ? "-" : fmt(r.projectedHours, 2),
    ]),
  ));
  for (const r of records) {
    if (r.version !== "baseline") continue;
    const cur = records.find((c) =>
      c.version === "current" && c.toy === r.toy && c.method === r.method && c.backend === r.backend
    );
    if (cur) {
      console.log(
        `${r.toy} ${r.method} ${r.backend}: ${fmt(r.msPerStep)} -> ${
          fmt(cur.msPerStep)
        } ms/step, ` +
          `${(r.msPerStep / cur.msPerStep).toFixed(2)}x faster than ${baseline!.sha.slice(0, 7)}` +
          ` (CPU time ${fmt(r.cpuMsPerStep)} -> ${fmt(cur.cpuMsPerStep)} ms, ` +
          `${(r.cpuMsPerStep / cur.cpuMsPerStep).toFixed(2)}x)`,
      );
    }
  }
  if (baseline) await Deno.remove(baseline.lib.replace(/\/mod\.ts$/, ""), { recursive: true });
  for (const f of failures) console.error(`failed: ${f.slice(0, 1500)}`);
  return failures.length ? 1 : 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`speed: ${(err as Error).message}`);
    Deno.exit(err instanceof RangeError ? 2 : 1);
  }
}
