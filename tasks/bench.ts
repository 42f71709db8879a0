/**
 * `deno task bench`: plan jobs (profile × toys × methods × seeds, or a sweep
 * file), take a shard, skip the jobs already finished in the records file,
 * run the rest (in parallel Web Workers when asked), append one record per
 * run, and print a summary table.
 *
 *   deno task bench --toy tms_5-2 --method spd --seed 0-4
 *   deno task bench --sweep bench/sweeps/tms_5-2_spd.json --shard 0/4 --out runs/shard0.jsonl
 *
 * @module
 */
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import {
  BACKEND_NAMES,
  encodeNonFinite,
  FINISHED,
  finishedKeys,
  getMethod,
  getProfile,
  getToy,
  initBackend,
  type JobSpec,
  methodIds,
  parseProfile,
  parseShard,
  parseSweep,
  planProfileJobs,
  planSweepJobs,
  type Profile,
  profileNames,
  recordKey,
  type RunRecord,
  shardJobs,
  toyIds,
  type TrainedTarget,
  uniqueJobs,
} from "../mod.ts";
import { appendJsonLine } from "./lib/atomic_file.ts";
import {
  choiceFlag,
  integerFlag,
  nameList,
  numberFlag,
  parseOverrides,
  parseSeedList,
} from "./lib/cli_values.ts";
import { codeHash } from "./lib/code_hash.ts";
import {
  type CheckpointOptions,
  checkpointPath,
  openJobCheckpoint,
} from "./lib/checkpoint_file.ts";
import { collectProvenance } from "./lib/provenance.ts";
import { describePlugins, loadPlugins } from "./lib/plugins.ts";
import { formatTable } from "./lib/table.ts";
import { loadOrTrainTarget } from "./lib/target_cache.ts";
import { readRecords } from "./lib/records_file.ts";
import { summarize } from "./summary.ts";
import { type RunContext, runInProcess, runInWorkers } from "./lib/run_jobs.ts";

const TOYS = toyIds().join(", "), METHODS = methodIds().join(", ");
const USAGE = `usage: deno task bench [options]

  --toy ID[,ID…]       toys to run (default: all: ${TOYS}, and any a plugin adds)
  --method ID[,ID…]    methods to run (default: all: ${METHODS}, and any a plugin adds)
  --seed LIST          decomposition seeds, e.g. 0 or 0,2 or 0-4 (default: 0-4)
  --target-seed N      target seed requested (default: 0)
  --profile NAME|FILE  config profile: ${profileNames().join(" | ")} or a JSON file (default: paper)
  --sweep FILE|NAME    run a sweep (a JSON file, or a committed one by name, e.g.
                       resid_mlp_1_spd_beta3) instead of --toy/--method/--seed
                       (with no --toy/--method/--sweep and the paper profile the run is the full
                       reproduction: every toy x method x seed plus every sweep in bench/sweeps/)
  --plugin FILE        import a module that registers toys or methods of one's own before
                       planning (repeatable; README "Adding a toy or a method")
  --steps N            override the method's step count
  --set KEY=VALUE      override any config field (repeatable), e.g. --set importanceCoeff=1e-3
  --shard I/N          run only shard I of N of the job list (0 <= I < N)
  --workers N          parallel Web Workers (default: 1, in-process)
  --force              re-run jobs that already have a finished record in --out
  --dry-run            print the planned jobs per toy x method and exit
  --backend NAME       ${BACKEND_NAMES.join(" | ")} (default: wasm)
  --out FILE           records file, JSON lines, appended (default: runs/records.jsonl)
  --cache-dir DIR      trained-target cache (default: .cache/targets)
  --checkpoint-minutes M
                       save each SPD/APD job's training state every M minutes (default: 10;
                       0: never), so a killed run resumes where it stopped, to the bits of an
                       unbroken run
  --checkpoint-every N save every N steps instead
  --checkpoint-dir DIR checkpoint files (default: checkpoints/ next to --out); a pending job
                       with a file there always resumes from it (--force starts from step 0)
  --stop-at N          train each job only to update N (or as far as its checkpoint already is),
                       save its checkpoint and append a "partial" record scored at that point;
                       the same command without --stop-at resumes and finishes the job (for toys
                       whose paper runs outlast the machine: score them as far as it goes)
  --quiet              no progress bar
  -h, --help           this text`;

/** A built-in profile by name, or a JSON profile file by path. */
async function loadProfile(nameOrPath: string): Promise<Profile> {
  if (!nameOrPath.endsWith(".json")) return getProfile(nameOrPath);
  const json = JSON.parse(await Deno.readTextFile(nameOrPath));
  return parseProfile(json, nameOrPath, { toys: toyIds(), methods: methodIds() });
}

const SWEEP_DIR = new URL("../bench/sweeps/", import.meta.url);

/** File names of the committed sweeps (bench/sweeps/*.json), sorted. */
function committedSweepFiles(): string[] {
  return [...Deno.readDirSync(SWEEP_DIR)].map((e) => e.name).filter((n) => n.endsWith(".json"))
    .sort();
}

/** `--sweep`: a JSON file by path, or a committed sweep by name (`tms_5-2_spd`). */
async function readSweepText(nameOrPath: string): Promise<string> {
  if (nameOrPath.endsWith(".json")) return await Deno.readTextFile(nameOrPath);
  const names = committedSweepFiles().map((n) => n.slice(0, -".json".length));
  if (!names.includes(nameOrPath)) {
    throw new RangeError(
      `--sweep: must be a .json file or one of ${names.join(", ")}; got '${nameOrPath}'`,
    );
  }
  return await Deno.readTextFile(new URL(`${nameOrPath}.json`, SWEEP_DIR));
}

/** The jobs of every committed sweep (bench/sweeps/*.json): part of the full reproduction. */
async function committedSweepJobs(overrides: Record<string, unknown>): Promise<JobSpec[]> {
  const jobs: JobSpec[] = [];
  for (const name of committedSweepFiles()) {
    const sweep = parseSweep(JSON.parse(await Deno.readTextFile(new URL(name, SWEEP_DIR))), name);
    const profile = await loadProfile(sweep.profile ?? "paper");
    const fixed = { ...sweep.fixed, ...overrides };
    jobs.push(...planSweepJobs({ ...sweep, fixed }, getMethod(sweep.method), profile));
  }
  return jobs;
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
      sweep: { type: "string" },
      plugin: { type: "string", multiple: true, default: [] },
      steps: { type: "string" },
      set: { type: "string", multiple: true, default: [] },
      shard: { type: "string", default: "0/1" },
      workers: { type: "string", default: "1" },
      force: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      backend: { type: "string", default: "wasm" },
      out: { type: "string", default: "runs/records.jsonl" },
      "cache-dir": { type: "string", default: ".cache/targets" },
      "checkpoint-every": { type: "string" },
      "checkpoint-minutes": { type: "string", default: "10" },
      "checkpoint-dir": { type: "string" },
      "stop-at": { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // Validate everything and read the records file before any work, so bad input never costs a
  // run and never touches results already written.
  const plugins = await loadPlugins(values.plugin!);
  for (const line of describePlugins(plugins)) console.error(line);
  const overrides = parseOverrides(values.set!);
  if (values.steps !== undefined) overrides.steps = integerFlag("--steps", values.steps, 1);
  const workers = integerFlag("--workers", values.workers!, 1);
  const checkpointing = {
    dir: values["checkpoint-dir"] ?? join(dirname(values.out!), "checkpoints"),
    everySteps: values["checkpoint-every"] === undefined
      ? null
      : integerFlag("--checkpoint-every", values["checkpoint-every"], 1),
    everyMinutes: numberFlag("--checkpoint-minutes", values["checkpoint-minutes"]!, { min: 0 }),
    fresh: values.force!,
    stopAt: values["stop-at"] === undefined ? null : integerFlag("--stop-at", values["stop-at"], 1),
  };
  const backendName = choiceFlag("--backend", values.backend!, BACKEND_NAMES);
  const shard = parseShard(values.shard!);
  const profile = await loadProfile(values.profile!);
  let planned: JobSpec[];
  if (values.sweep) {
    const sweep = parseSweep(JSON.parse(await readSweepText(values.sweep)), values.sweep);
    const sweepProfile = sweep.profile ? await loadProfile(sweep.profile) : profile;
    planned = planSweepJobs(
      { ...sweep, fixed: { ...sweep.fixed, ...overrides } },
      getMethod(sweep.method),
      sweepProfile,
    );
  } else {
    const plan = planProfileJobs({
      toys: nameList("--toy", values.toy, toyIds()),
      methods: nameList("--method", values.method, methodIds()).map(getMethod),
      seeds: parseSeedList(values.seed!),
      targetSeed: parseSeedList(values["target-seed"]!, "--target-seed")[0],
      profile,
      overrides,
    });
    for (const s of plan.skipped) {
      console.error(`skip: profile '${values.profile}' has no config for ${s}`);
    }
    planned = plan.jobs;
    if (values.toy === undefined && values.method === undefined && values.profile === "paper") {
      planned = uniqueJobs([...planned, ...await committedSweepJobs(overrides)]);
    }
  }
  const jobs = shardJobs(planned, shard.index, shard.count);
  const existing = await readRecords(values.out!).catch((err) => {
    if (err instanceof Deno.errors.NotFound) return [] as RunRecord[];
    throw err;
  });
  const finished = values.force ? new Set<string>() : finishedKeys(existing);
  const pending = jobs.filter((j) => !finished.has(j.jobId));

  if (values["dry-run"]) {
    const groups = new Map<string, { jobs: number; pending: number; steps: number }>();
    for (const j of jobs) {
      const key = `${j.toy}\t${j.method}`;
      const g = groups.get(key) ?? { jobs: 0, pending: 0, steps: 0 };
      g.jobs++;
      if (!finished.has(j.jobId)) {
        g.pending++;
        g.steps += getMethod(j.method).steps(j.config);
      }
      groups.set(key, g);
    }
    console.log(formatTable(
      ["toy", "method", "jobs", "to run", "steps to run"],
      [...groups].map(([k, g]) => [...k.split("\t"), g.jobs, g.pending, g.steps]),
    ));
    console.log(`total: ${jobs.length} job(s), ${pending.length} to run`);
    return 0;
  }
  const backend = await initBackend(backendName);
  const provenance = await collectProvenance(backend.tfjs);
  if (plugins.length) provenance.plugins = plugins.map(({ path, sha256 }) => ({ path, sha256 }));
  const checkpoints: CheckpointOptions = {
    ...checkpointing,
    code: {
      hash: await codeHash(undefined, plugins.map((p) => p.sha256 ?? p.url)),
      gitCommit: provenance.gitCommit,
    },
  };
  const log = (line: string) => console.error(line);
  log(
    `pdbench: ${planned.length} job(s) planned, shard ${shard.index}/${shard.count}: ${jobs.length}, ` +
      `${
        jobs.length - pending.length
      } already finished, ${pending.length} to run on ${backend.name}` +
      `; records -> ${values.out}`,
  );
  // Train (or load) every target once here, so workers only ever read the cache.
  const targets = new Map<string, TrainedTarget>();
  for (const j of pending) {
    const key = `${j.toy}:${j.targetSeed}`;
    if (targets.has(key)) continue;
    const toy = getToy(j.toy);
    targets.set(
      key,
      await loadOrTrainTarget(toy, j.targetSeed, backend.name, values["cache-dir"]!, log),
    );
  }
  // Check every checkpoint that will be resumed before any job runs.
  const resumedSteps = new Map<string, number>();
  for (const j of pending) {
    if (!getMethod(j.method).resumable) continue;
    const target = targets.get(`${j.toy}:${j.targetSeed}`)!;
    const cp = await openJobCheckpoint(checkpoints, j, target, backend.name);
    if (cp.resume) {
      resumedSteps.set(j.jobId, cp.resume.state.stepsDone);
      log(`${j.toy} ${j.method} seed ${j.seed}: resuming from step ${cp.resume.state.stepsDone}`);
    }
  }

  const fresh: RunRecord[] = [];
  const ctx: RunContext = {
    jobs: pending,
    backend: backend.name,
    cacheDir: values["cache-dir"]!,
    provenance,
    quiet: values.quiet!,
    checkpoints,
    resumedSteps,
    plugins: plugins.map((p) => p.url),
    onRecord: async (record) => {
      await appendJsonLine(values.out!, encodeNonFinite(record));
      if (record.status === "failed") log(`${record.runId}: FAILED: ${record.error}`);
      if (FINISHED.includes(record.status)) {
        await Deno.remove(checkpointPath(checkpoints.dir, record, record.backend)).catch((err) => {
          if (!(err instanceof Deno.errors.NotFound)) throw err;
        });
      }
      fresh.push(record);
    },
  };
  if (workers > 1 && pending.length > 1) await runInWorkers(ctx, workers);
  else await runInProcess(ctx);

  const wanted = new Set(jobs.map((j) => j.jobId));
  const shown = [
    ...existing.filter((r) => wanted.has(recordKey(r)) && finished.has(recordKey(r))),
    ...fresh,
  ];
  console.log(summarize(shown));
  return fresh.some((r) => r.status === "failed") ? 1 : 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`bench: ${err instanceof Error ? err.message : err}`);
    Deno.exit(2);
  }
}
