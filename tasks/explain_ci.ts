/**
 * `deno task explain-ci`: reads an SPD checkpoint, scores it as it stands, and
 * compares every decomposed matrix's one-hot causal importances with the
 * importance SPD's loss asks of each (subcomponent, input) pair alone
 * (`bench/methods/spd/ci_equilibrium.ts`, from ablation costs measured on the
 * target). Tells an unconverged CI pattern from one the loss rewards. For a
 * matrix whose expected pattern is dense it also prints the loss budget: the
 * least importance minimality k dense pieces would pay, against what the
 * learned matrix pays and the whole reconstruction loss a dense pattern could
 * remove (`denseImportanceFloor`).
 *
 *   deno task explain-ci --checkpoint reports/checkpoints/X.ckpt --toy tms_40-10-id --seed 1
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  ablationCosts,
  anyActiveProbability,
  CI_PATTERN_TAU,
  ciPatternError,
  columnPeaks,
  configHash,
  denseBudget,
  equilibriumAgreement,
  equilibriumImportances,
  evaluateSpd,
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
  trainSpd,
} from "../mod.ts";
import { writeFileAtomic } from "./lib/atomic_file.ts";
import { readCheckpoint } from "./lib/checkpoint_file.ts";
import { integerFlag, numberFlag, parseOverrides } from "./lib/cli_values.ts";
import { formatTable } from "./lib/table.ts";
import { loadOrTrainTarget } from "./lib/target_cache.ts";

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
  const threshold = numberFlag("--threshold", values.threshold!, { min: 0, max: 1, open: "max" });
  const toy = getToy(values.toy);
  const seed = integerFlag("--seed", values.seed!, 0);
  const targetSeed = integerFlag("--target-seed", values["target-seed"]!, 0);
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
  const state = ckpt.saved.state;
  const trained = await trainSpd(model, toy.data, cfg, seed, undefined, {
    resume: state,
    stopAt: state.stepsDone,
    shouldSave: () => false,
    save: () => Promise.resolve(),
  });
  try {
    const ev = await evaluateSpd(model, trained.params, cfg, toy.data);
    const xs = oneHotBatch(toy.data.nFeatures);
    const costs = await ablationCosts(model, ev.components, xs);
    const L = ev.components.length;
    console.log(
      `${toy.id} spd seed ${seed}, step ${state.stepsDone} of ${cfg.steps}: one-hot CI vs the ` +
        `loss's per-pair equilibrium (β3 ${cfg.importanceCoeff}, p ${cfg.pNorm}, κ = β1 + β2/${L})`,
    );
    const patterns = toy.groundTruth(target.tensors).ciPatterns;
    const layers: Record<string, unknown> = {};
    const rows: (string | number)[][] = [];
    const span = (v: number[], f: (x: number) => string = String) =>
      v.length ? `${f(Math.min(...v))}–${f(Math.max(...v))}` : "-";
    for (const lc of ev.components) {
      const ci = ev.ciOneHot[lc.layer];
      const eq = equilibriumImportances(costs[lc.layer], cfg, L);
      const a = equilibriumAgreement(ci, eq, threshold);
      const pattern = patterns[lc.layer];
      const patternError = pattern ? ciPatternError(ci, pattern) : undefined;
      const peaks = columnPeaks(ci, a.columns);
      rows.push([
        lc.layer,
        a.columns.length,
        a.onLearned,
        a.onEquilibrium,
        a.agreement,
        a.pearson,
        span(a.columnOnLearned),
        span(a.columnOnEquilibrium),
        span(peaks, (x) => x.toFixed(3)),
        patternError ?? "-",
      ]);
      layers[lc.layer] = { ...a, columnPeak: peaks, patternError };
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
      "peak CI per column",
      "§7.4 error",
    ], rows));
    const budget = denseBudget(
      patterns,
      ev.importanceByLayer,
      ev.losses,
      cfg,
      anyActiveProbability(toy.data),
    );
    console.log(
      `\nloss on the evaluation set: total ${sci(ev.losses.total)}; reconstruction ` +
        `β1·L_stoch + β2·L_layer ${sci(budget.reconstruction)}; β3·L_imp ` +
        `${sci(cfg.importanceCoeff * ev.losses.importanceMinimality)}, by matrix:`,
    );
    console.log(formatTable(
      ["matrix", "β3·L_imp (found)", `dense floor β3·k·${1 - CI_PATTERN_TAU}^p·P(x≠0)`, "added"],
      budget.layers.map((b) => [
        b.layer,
        sci(b.found),
        b.denseFloor === undefined ? "-" : sci(b.denseFloor),
        b.added === undefined ? "-" : sci(b.added),
      ]),
    ));
    for (const b of budget.layers) {
      if (b.added === undefined) continue;
      console.log(
        b.ruledOut
          ? `${b.layer}: keeping its ${b.k} pieces dense adds at least ${sci(b.added)} to the ` +
            `loss, more than all the reconstruction loss it could remove ` +
            `(${sci(budget.reconstruction)}): with the other matrices as found, the loss prefers ` +
            `this sparser ${b.layer}`
          : `${b.layer}: a dense pattern would add at least ${sci(b.added)}, no more than the ` +
            `reconstruction loss left (${
              sci(budget.reconstruction)
            }): the budget does not rule it out`,
      );
    }
    if (values.out) {
      const meta = { toy: toy.id, seed, stepsDone: state.stepsDone, threshold };
      await writeFileAtomic(
        values.out,
        JSON.stringify({ ...meta, layers, budget }, null, 1) + "\n",
      );
    }
  } finally {
    trained.params.dispose();
    model.dispose();
  }
}

/** Scientific notation with 3 significant digits. */
const sci = (x: number) => x.toExponential(2);

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (err) {
    console.error(`explain-ci: ${(err as Error).message}`);
    Deno.exit(2);
  }
}
