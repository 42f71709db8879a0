/**
 * `deno task agree`: do two backends agree? Runs each toy × method for a few
 * steps (train and evaluate, as `bench` does) on `--backend` and on
 * `--reference`, from the same untrained target and seed, and compares every
 * loss on the training curve and every metric. Prints the largest relative
 * differences and exits 1 when one exceeds `--tol` (discrete metrics must be
 * equal). Used to check a GPU backend against wasm.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  BACKEND_NAMES,
  BUILTIN_TOYS,
  getMethod,
  getProfile,
  getToy,
  initBackend,
  methodIds,
  profileConfig,
  runJob,
  type RunRecord,
  toyIds,
} from "../mod.ts";
import { appendJsonLine } from "./lib/atomic_file.ts";
import { choiceFlag, integerFlag, nameList, numberFlag } from "./lib/cli_values.ts";
import { collectProvenance } from "./lib/provenance.ts";
import { describeDevice, useWasmDirFromEnv } from "./lib/portable_run.ts";
import { formatTable } from "./lib/table.ts";

/** Named numbers of a run: its curve losses and metric values. */
function numbers(r: RunRecord): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of r.curve) {
    for (const [k, v] of Object.entries(p.losses)) out.set(`curve@${p.step}.${k}`, v);
  }
  for (const [k, m] of Object.entries(r.metrics)) out.set(k, m.value);
  return out;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      backend: { type: "string", default: "webgpu" },
      reference: { type: "string", default: "wasm" },
      toy: { type: "string", default: "tms_5-2" },
      method: { type: "string" },
      profile: { type: "string", default: "paper" },
      steps: { type: "string", default: "30" },
      batch: { type: "string", default: "512" },
      tol: { type: "string", default: "1e-3" },
      out: { type: "string" },
    },
  });
  const tol = numberFlag("--tol", values.tol!, { min: 0, open: "min" });
  const steps = integerFlag("--steps", values.steps!, 1);
  const batchSize = integerFlag("--batch", values.batch!, 1);
  const toyList = nameList("--toy", values.toy, toyIds());
  const methods = nameList("--method", values.method, methodIds());
  const backend = choiceFlag("--backend", values.backend!, BACKEND_NAMES);
  const reference = choiceFlag("--reference", values.reference!, BACKEND_NAMES);
  useWasmDirFromEnv();
  const device = await describeDevice(backend);
  const provenance = await collectProvenance((await initBackend(reference)).tfjs);
  const rows: (string | number)[][] = [];
  let failed = false;
  for (const toyId of toyList) {
    const make = BUILTIN_TOYS[toyId];
    const toy = make ? make({ steps: 0 }) : getToy(toyId);
    await initBackend(reference);
    const tensors = await toy.trainTarget(0); // once, so both backends decompose the same target
    const target = {
      toy: toyId,
      seedRequested: 0,
      seedUsed: 0,
      attempts: [{ seed: 0, health: { healthy: true, failures: [], measures: {} } }],
      tensors,
    };
    for (const methodId of methods) {
      const method = getMethod(methodId);
      const entry = profileConfig(getProfile(values.profile!), toyId, methodId);
      if (!entry) continue;
      const overrides: Record<string, unknown> = {
        ...entry,
        steps,
        batchSize,
      };
      if ("logEvery" in method.defaults) overrides.logEvery = Math.max(1, Math.floor(steps / 3));
      if ("microBatch" in method.defaults) overrides.microBatch = 0;
      if ("warmupPct" in method.defaults) overrides.warmupPct = 0;
      const config = method.resolveConfig(method.defaults, overrides);
      const records: RunRecord[] = [];
      for (const name of [reference, backend]) {
        await initBackend(name);
        records.push(
          await runJob({ toy, target, method, config, seed: 0, backend: name, provenance }),
        );
      }
      const [ref, got] = records.map(numbers);
      let worst = 0, worstKey = "";
      const bad: string[] = [];
      for (const [k, v] of ref) {
        const w = got.get(k);
        if (w === undefined) {
          bad.push(`${k} missing`);
          continue;
        }
        const discrete = Number.isInteger(v) && Number.isInteger(w) && !k.startsWith("curve@");
        const d = discrete
          ? (v === w ? 0 : Infinity)
          : Math.abs(v - w) / Math.max(1e-4, Math.abs(v));
        if (d > worst) [worst, worstKey] = [d, k];
        if (d > tol) bad.push(`${k}: ${reference} ${v} vs ${backend} ${w}`);
      }
      const statusOk = records[0].status === records[1].status;
      if (bad.length || !statusOk) failed = true;
      rows.push([
        toyId,
        methodId,
        records[1].status,
        Number(worst.toPrecision(3)),
        worstKey,
        bad.length ? "DISAGREE" : "agree",
      ]);
      for (const b of bad.slice(0, 10)) console.error(`  ${toyId} ${methodId}: ${b}`);
      if (values.out) {
        await appendJsonLine(values.out, {
          kind: "backend_agreement",
          toy: toyId,
          method: methodId,
          backend,
          device,
          reference,
          steps,
          batchSize,
          tolerance: tol,
          maxRelativeDifference: worst,
          worstQuantity: worstKey,
          disagreements: bad,
          agree: bad.length === 0 && statusOk,
          provenance,
        });
      }
    }
  }
  console.log(formatTable(
    ["toy", "method", "status", "max rel diff", "where", `verdict (tol ${tol})`],
    rows,
  ));
  return failed ? 1 : 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    // Bad input (RangeError) gets its message; anything else its stack.
    console.error(
      `agree: ${err instanceof RangeError ? err.message : (err as Error).stack ?? err}`,
    );
    Deno.exit(2);
  }
}
