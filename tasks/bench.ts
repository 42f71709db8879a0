/**
 * `deno task bench`: run methods on toys under seeds, append one record per
 * run to a JSON-lines file, and print a summary table.
 *
 *   deno task bench --toy tms_5-2 --method spd --seed 0-4
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  BACKEND_NAMES,
  encodeNonFinite,
  getMethod,
  getProfile,
  getToy,
  initBackend,
  methodIds,
  parseProfile,
  type Profile,
  profileConfig,
  profileNames,
  runJob,
  type RunRecord,
  toyIds,
} from "../mod.ts";
import { appendJsonLine } from "./lib/atomic_file.ts";
import { Progress } from "./lib/progress.ts";
import { collectProvenance } from "./lib/provenance.ts";
import { formatTable } from "./lib/table.ts";
import { loadOrTrainTarget } from "./lib/target_cache.ts";

const USAGE = `usage: deno task bench [options]

  --toy ID[,ID…]       toys to run (default: all: ${toyIds().join(", ")})
  --method ID[,ID…]    methods to run (default: all: ${methodIds().join(", ")})
  --seed LIST          decomposition seeds, e.g. 0 or 0,2 or 0-4 (default: 0-4)
  --target-seed N      target seed requested (default: 0)
  --profile NAME|FILE  config profile: ${profileNames().join(" | ")} or a JSON file (default: paper)
  --steps N            override the method's step count
  --set KEY=VALUE      override any config field (repeatable), e.g. --set importanceCoeff=1e-3
  --backend NAME       ${BACKEND_NAMES.join(" | ")} (default: wasm)
  --out FILE           records file, JSON lines, appended (default: runs/records.jsonl)
  --cache-dir DIR      trained-target cache (default: .cache/targets)
  --quiet              no progress bar
  -h, --help           this text`;

/** Parses "0", "0,2,5" or "0-4" into seeds. */
export function parseSeedList(text: string, field = "--seed"): number[] {
  const seeds: number[] = [];
  for (const part of text.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) {
      throw new RangeError(
        `${field}: '${text}' is not a seed list; allowed: N, N,M,… or N-M with integers >= 0`,
      );
    }
    const lo = Number(m[1]), hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new RangeError(`${field}: range '${part}' runs backwards`);
    for (let s = lo; s <= hi; s++) seeds.push(s);
  }
  return seeds;
}

/** Parses `KEY=VALUE` overrides; values are JSON when they parse as JSON, else strings. */
export function parseOverrides(items: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new RangeError(`--set: '${item}' must look like KEY=VALUE`);
    const raw = item.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch { /* keep as string */ }
    out[item.slice(0, eq)] = value;
  }
  return out;
}

/** A built-in profile by name, or a JSON profile file by path. */
async function loadProfile(nameOrPath: string): Promise<Profile> {
  if (!nameOrPath.endsWith(".json")) return getProfile(nameOrPath);
  return parseProfile(JSON.parse(await Deno.readTextFile(nameOrPath)), nameOrPath);
}

function list(value: string | undefined, all: string[]): string[] {
  return value === undefined ? all : value.split(",").map((s) => s.trim()).filter(Boolean);
}

function fmt(rec: RunRecord, name: string): string | number {
  const v = rec.metrics[name]?.value;
  return v === undefined ? "-" : v;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      toy: { type: "string" },
      method: { type: "string" },
      seed: { type: "string", default: "0-4" },
      "target-seed": { type: "string", default: "0" },
      profile: { type: "string", default: "paper" },
      steps: { type: "string" },
      set: { type: "string", multiple: true, default: [] },
      backend: { type: "string", default: "wasm" },
      out: { type: "string", default: "runs/records.jsonl" },
      "cache-dir": { type: "string", default: ".cache/targets" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // Validate everything before any work, so bad input never costs a run.
  const toys = list(values.toy, toyIds()).map(getToy);
  const methods = list(values.method, methodIds()).map(getMethod);
  const seeds = parseSeedList(values.seed!);
  const [targetSeed] = parseSeedList(values["target-seed"]!, "--target-seed");
  const overrides = parseOverrides(values.set!);
  const profile = await loadProfile(values.profile!);
  if (values.steps !== undefined) {
    const steps = Number(values.steps);
    if (!Number.isInteger(steps) || steps < 1) {
      throw new RangeError(`--steps: must be an integer >= 1, got '${values.steps}'`);
    }
    overrides.steps = steps;
  }
  const jobs = [];
  for (const toy of toys) {
    for (const method of methods) {
      const fields = profileConfig(profile, toy.id, method.id);
      if (!fields) {
        console.error(
          `skip: profile '${values.profile}' has no '${method.id}' config for '${toy.id}'`,
        );
        continue;
      }
      const config = method.resolveConfig(method.defaults, { ...fields, ...overrides });
      for (const seed of seeds) jobs.push({ toy, method, config, seed });
    }
  }
  const backend = await initBackend(values.backend!);
  const provenance = await collectProvenance(backend.tfjs);
  const log = (line: string) => console.error(line);
  log(`pdbench: ${jobs.length} job(s) on ${backend.name}; records -> ${values.out}`);

  const records: RunRecord[] = [];
  for (const [i, job] of jobs.entries()) {
    const target = await loadOrTrainTarget(
      job.toy,
      targetSeed,
      backend.name,
      values["cache-dir"]!,
      log,
    );
    const label = `[${i + 1}/${jobs.length}] ${job.toy.id} ${job.method.id} seed ${job.seed}`;
    const progress = values.quiet
      ? null
      : new Progress({ total: job.method.steps(job.config), label });
    let last = "";
    const record = await runJob(
      { ...job, target, backend: backend.name, provenance },
      (done, _total, point) => {
        if (point) last = `loss ${point.losses.total.toExponential(3)}`;
        progress?.update(done, last);
      },
    );
    progress?.finish(record.status);
    await appendJsonLine(values.out!, encodeNonFinite(record));
    if (record.status === "failed") log(`${label}: FAILED: ${record.error}`);
    records.push(record);
  }

  console.log(formatTable(
    [
      "toy",
      "method",
      "seed",
      "status",
      "mmcs",
      "ml2r",
      "ci_err",
      "alive.linear1",
      "wall_s",
      "steps/s",
    ],
    records.map((r) => [
      r.toy,
      r.method,
      r.seed,
      r.status,
      fmt(r, "mmcs"),
      fmt(r, "ml2r"),
      fmt(r, "ci_pattern_error"),
      fmt(r, "alive.linear1"),
      Number(r.timing.wallTimeS.toFixed(1)),
      Number(r.timing.stepsPerSecond.toFixed(1)),
    ]),
  ));
  return records.some((r) => r.status === "failed") ? 1 : 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`bench: ${err instanceof Error ? err.message : err}`);
    Deno.exit(2);
  }
}
