/**
 * `deno task explain-ci`: reads an SPD checkpoint, scores it as it stands, and
 * compares every decomposed matrix's one-hot causal importances with the
 * importance SPD's loss asks of each (subcomponent, input) pair alone
 * (`bench/methods/spd/ci_equilibrium.ts`, from ablation costs measured on the
 * target). Tells an unconverged CI pattern from one the loss rewards.
 *
 *   deno task explain-ci --checkpoint reports/checkpoints/X.ckpt --toy tms_40-10-id --seed 1
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  ablationCosts,
  configHash,
  equilibriumAgreement,
  equilibriumImportances,
  getMethod,
  getProfile,
  getToy,
  initBackend,
  jobKey,
  makeJob,
  oneHotBatch,
  profileConfig,
  type SpdConfig,
  targetHash,
  toyIds,
} from "../mod.ts";
import { writeFileAtomic } from "./lib/atomic_file.ts";
import { readCheckpoint } from "./lib/checkpoint_file.ts";
import { formatTable } from "./lib/table.ts";
import { loadOrTrainTarget } from "./lib/target_cache.ts";
import { parseOverrides } from "./bench.ts";

const USAGE = `usage: deno task explain-ci --checkpoint FILE --toy ID [options]

  --checkpoint FILE    an SPD checkpoint written by deno task bench (required)
  --toy ID             its toy (required): ${toyIds().join(", ")}
  --seed N             its decomposition seed (default: 0)
  --target-seed N      its target seed (default: 0)
  --profile NAME       its config profile (default: paper)
  --set KEY=VALUE      a config override it was run with (repeatable)
  --threshold T        "important" means CI above T (default: 0.1, spd.md §7.5)
  --out FILE           also write the per-matrix comparison as JSON
  --cache-dir DIR      trained-target cache (default: .cache/targets)
  -h, --help           this text`;

function integerFlag(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`--${name}: must be an integer >= 0, got '${text}'`);
  }
  return n;
}

/**
 * True when `jobId` is the job of `config`, as today's code hashes it or as
 * code from before one later-added field did (that field then holds its
 * default: `Method.defaults` says a new field must default to the old behaviour).
 */
export function writtenBy(
  config: Readonly<Record<string, unknown>>,
  defaults: Readonly<Record<string, unknown>>,
  key: (config: Readonly<Record<string, unknown>>) => string,
  jobId: string,
): boolean {
  const older = Object.keys(config).filter((k) => config[k] === defaults[k]).map((k) => {
    const { [k]: _, ...rest } = config;
    return rest;
  });
  return [config, ...older].some((c) => key(c) === jobId);
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      checkpoint: { type: "string" },
      toy: { type: "string" },
      seed: { type: "string", default: "0" },
      "target-seed": { type: "string", default: "0" },
      profile: { type: "string", default: "paper" },
      set: { type: "string", multiple: true, default: [] },
      threshold: { type: "string", default: "0.1" },
      out: { type: "string" },
      "cache-dir": { type: "string", default: ".cache/targets" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return console.log(USAGE);
  if (!values.checkpoint || !values.toy) {
    throw new RangeError(`--checkpoint and --toy are required\n${USAGE}`);
  }
  const threshold = Number(values.threshold);
  if (!(threshold >= 0 && threshold < 1)) {
    throw new RangeError(`--threshold: must be in [0, 1), got '${values.threshold}'`);
  }
  const toy = getToy(values.toy);
  const seed = integerFlag("seed", values.seed!);
  const targetSeed = integerFlag("target-seed", values["target-seed"]!);
  const spd = getMethod("spd");
  const fields = profileConfig(getProfile(values.profile!), toy.id, spd.id);
  if (!fields) {
    throw new RangeError(`--profile: '${values.profile}' has no spd config for ${toy.id}`);
  }
  const job = makeJob(spd, toy.id, seed, targetSeed, { ...fields, ...parseOverrides(values.set!) });

  const ckpt = await readCheckpoint(values.checkpoint);
  if (!ckpt) throw new Error(`--checkpoint: no file at ${values.checkpoint}`);
  if (
    !writtenBy(
      job.config,
      spd.defaults as Readonly<Record<string, unknown>>,
      (c) => jobKey(configHash(toy.id, spd.id, c, targetSeed), seed),
      ckpt.identity.jobId,
    )
  ) {
    throw new RangeError(
      `--checkpoint: it belongs to another job than ${toy.id} / spd / seed ${seed} / profile ` +
        `${values.profile} (job ${job.jobId.slice(0, 12)}, checkpoint ${
          ckpt.identity.jobId.slice(0, 12)
        }); check --toy, --seed, --target-seed, --profile and --set`,
    );
  }
  const backend = await initBackend(ckpt.identity.backend);
  const target = await loadOrTrainTarget(toy, targetSeed, backend.name, values["cache-dir"]!);
  if (targetHash(target.tensors) !== ckpt.identity.targetHash) {
    throw new Error(
      `--checkpoint: trained on another target than ${toy.id} target seed ${targetSeed}`,
    );
  }

  const cfg = job.config as unknown as SpdConfig;
  const model = toy.buildModel(target.tensors);
  try {
    const state = ckpt.saved.state;
    const result = await spd.run(model, toy.data, cfg, seed, undefined, {
      resume: state,
      stopAt: state.stepsDone,
      shouldSave: () => false,
      save: () => Promise.resolve(),
    });
    const xs = oneHotBatch(toy.data.nFeatures);
    const costs = await ablationCosts(model, result.components, xs);
    const L = result.components.length;
    console.log(
      `${toy.id} spd seed ${seed}, step ${state.stepsDone} of ${cfg.steps}: one-hot CI vs the ` +
        `loss's per-pair equilibrium (β3 ${cfg.importanceCoeff}, p ${cfg.pNorm}, κ = β1 + β2/${L})`,
    );
    const report: Record<string, unknown> = {};
    const rows: (string | number)[][] = [];
    for (const lc of result.components) {
      const eq = equilibriumImportances(costs[lc.layer], cfg, L);
      const a = equilibriumAgreement(result.importanceOneHot[lc.layer], eq, threshold);
      const span = (v: number[]) => v.length ? `${Math.min(...v)}–${Math.max(...v)}` : "-";
      rows.push([
        lc.layer,
        a.columns.length,
        a.onLearned,
        a.onEquilibrium,
        a.agreement,
        a.pearson,
        span(a.columnOnLearned),
        span(a.columnOnEquilibrium),
      ]);
      report[lc.layer] = a;
    }
    console.log(formatTable([
      "matrix",
      "columns",
      "on (CI)",
      "on (equilibrium)",
      "agreement",
      "pearson",
      "inputs per column (CI)",
      "(equilibrium)",
    ], rows));
    if (values.out) {
      const meta = { toy: toy.id, seed, stepsDone: state.stepsDone, threshold };
      await writeFileAtomic(
        values.out,
        JSON.stringify({ ...meta, layers: report }, null, 1) + "\n",
      );
    }
  } finally {
    model.dispose();
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (err) {
    console.error(`explain-ci: ${(err as Error).message}`);
    Deno.exit(2);
  }
}
