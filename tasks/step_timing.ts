/**
 * `deno task step-timing`: milliseconds per SPD training step for every toy at
 * its paper config (batch, C, d_gate, micro-batching), on untrained targets of
 * the same shapes (a step costs the same), and the projected wall time of a
 * paper-length run. Prints a table and appends JSON lines to --out.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  getProfile,
  initBackend,
  profileConfig,
  RESID_MLP_1,
  RESID_MLP_2,
  RESID_MLP_3,
  residMlpToy,
  resolveSpdConfig,
  SPD_TMS_5_2,
  TMS_40_10,
  TMS_40_10_ID,
  TMS_5_2,
  TMS_5_2_ID,
  tmsToy,
  type Toy,
  trainSpd,
} from "../mod.ts";
import { appendJsonLine } from "./lib/atomic_file.ts";
import { collectProvenance } from "./lib/provenance.ts";
import { formatTable } from "./lib/table.ts";

/** Toys rebuilt with zero target-training steps: same shapes, no training cost. */
const UNTRAINED: Record<string, Toy> = {
  "tms_5-2": tmsToy("tms_5-2", "", { ...TMS_5_2, steps: 0 }),
  "tms_5-2-id": tmsToy("tms_5-2-id", "", { ...TMS_5_2_ID, steps: 0 }),
  "tms_40-10": tmsToy("tms_40-10", "", { ...TMS_40_10, steps: 0 }),
  "tms_40-10-id": tmsToy("tms_40-10-id", "", { ...TMS_40_10_ID, steps: 0 }),
  "resid_mlp_1": residMlpToy("resid_mlp_1", "", { ...RESID_MLP_1, steps: 0 }),
  "resid_mlp_2": residMlpToy("resid_mlp_2", "", { ...RESID_MLP_2, steps: 0 }),
  "resid_mlp_3": residMlpToy("resid_mlp_3", "", { ...RESID_MLP_3, steps: 0 }),
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      toy: { type: "string" },
      backend: { type: "string", default: "wasm" },
      steps: { type: "string", default: "7" },
      out: { type: "string", default: "reports/timing/step_timing.jsonl" },
    },
  });
  const steps = Number(values.steps);
  const toys = values.toy ? values.toy.split(",") : Object.keys(UNTRAINED);
  const backend = await initBackend(values.backend!);
  const provenance = await collectProvenance(backend.tfjs);
  const rows = [];
  for (const id of toys) {
    const toy = UNTRAINED[id];
    if (!toy) {
      throw new RangeError(
        `--toy: unknown value '${id}'; allowed: ${Object.keys(UNTRAINED).join(", ")}`,
      );
    }
    const paper = profileConfig(getProfile("paper"), id, "spd")!;
    const cfg = resolveSpdConfig(SPD_TMS_5_2, { ...paper, steps, logEvery: 1_000_000 });
    const model = toy.buildModel(await toy.trainTarget(0));
    const times: number[] = [];
    let last = performance.now();
    const r = await trainSpd(model, toy.data, cfg, 0, () => {
      const now = performance.now();
      times.push(now - last);
      last = now;
    });
    r.params.dispose();
    model.dispose();
    const ms = median(times.slice(2)); // the first steps include warm-up and kernel compilation
    const paperSteps = paper.steps as number;
    const record = {
      kind: "step_timing",
      toy: id,
      method: "spd",
      backend: backend.name,
      batchSize: cfg.batchSize,
      msPerStep: ms,
      stepsPerSecond: 1000 / ms,
      paperSteps,
      projectedHours: (ms * paperSteps) / 3.6e6,
      measuredSteps: times.length,
      startedAt: new Date().toISOString(),
      provenance,
    };
    await appendJsonLine(values.out!, record);
    rows.push([
      id,
      cfg.batchSize,
      Number(ms.toFixed(1)),
      Number((1000 / ms).toFixed(2)),
      paperSteps,
      Number(record.projectedHours.toFixed(2)),
    ]);
    console.error(`${id}: ${ms.toFixed(1)} ms/step`);
  }
  console.log(
    formatTable(["toy", "batch", "ms/step", "steps/s", "paper steps", "projected h"], rows),
  );
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`step-timing: ${(err as Error).message}`);
    Deno.exit(2);
  }
}
