/**
 * `deno task targets [--toy ID,…] [--target-seed N] [--backend NAME]`: train
 * (or load from the cache) each toy's healthy target and print its health
 * measures: which seed was used, the evaluation loss against the toy's
 * reference values, and for residual MLPs how many features each layer
 * represents (the ideal of the score's `features_represented`). Useful before
 * a sweep, so jobs start from a warm cache.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  getToy,
  initBackend,
  type ResidualTruth,
  targetNeuronContributions,
  targetRepresentedFeatures,
  toyIds,
} from "../mod.ts";
import { nameList, parseSeedList } from "./lib/cli_values.ts";
import { formatTable } from "./lib/table.ts";
import { loadOrTrainTarget } from "./lib/target_cache.ts";

/** "94 / 88": features the target represents in each layer at the 0.04 cutoff; "-" for TMS. */
function representedPerLayer(residual: ResidualTruth | null): string {
  if (!residual) return "-";
  return residual.layers.map((l) =>
    targetRepresentedFeatures(targetNeuronContributions(residual.embedding, l.wIn, l.wOut))
  ).join(" / ");
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      toy: { type: "string" },
      "target-seed": { type: "string", default: "0" },
      backend: { type: "string", default: "wasm" },
      "cache-dir": { type: "string", default: ".cache/targets" },
    },
  });
  const toys = nameList("--toy", values.toy, toyIds()).map(getToy);
  const [seed] = parseSeedList(values["target-seed"]!, "--target-seed");
  const backend = await initBackend(values.backend!);
  const rows = [];
  for (const toy of toys) {
    const t0 = performance.now();
    const target = await loadOrTrainTarget(
      toy,
      seed,
      backend.name,
      values["cache-dir"]!,
      console.error,
    );
    const used = target.attempts[target.attempts.length - 1].health.measures;
    rows.push([
      toy.id,
      target.seedUsed,
      target.attempts.length,
      ...["evalLoss", "referenceLoss", "trivialLoss", "passThroughLoss", "minColumnNorm"].map((k) =>
        used[k] === undefined || Number.isNaN(used[k]) ? "-" : used[k]
      ),
      representedPerLayer(toy.groundTruth(target.tensors).residual),
      Number(((performance.now() - t0) / 1000).toFixed(1)),
    ]);
  }
  console.log(formatTable(
    [
      "toy",
      "seed used",
      "attempts",
      "eval loss",
      "reference",
      "trivial",
      "pass-through",
      "min col norm",
      "features represented / layer",
      "s",
    ],
    rows,
  ));
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`targets: ${(err as Error).message}`);
    Deno.exit(2);
  }
}
