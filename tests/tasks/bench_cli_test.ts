import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend, targetToJson, TMS_5_2, tmsToy } from "../../mod.ts";
import { targetCacheKey } from "../../tasks/lib/target_cache.ts";
import { pentagonTensors } from "../helpers/pentagon.ts";

await initBackend("wasm");

const BENCH = new URL("../../tasks/bench.ts", import.meta.url).pathname;

async function bench(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", BENCH, ...args],
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A cache dir holding the pentagon as the tms_5-2 target, so no target is trained. */
async function seededCache(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const toy = tmsToy("tms_5-2", "", TMS_5_2);
  const key = targetCacheKey(toy, 0, "wasm");
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

Deno.test("bad input fails before any work, names the field and allowed values, keeps old records", async () => {
  const dir = await Deno.makeTempDir();
  const out = join(dir, "records.jsonl");
  await Deno.writeTextFile(out, '{"earlier":"record"}\n');
  const cases: [string[], RegExp][] = [
    [
      ["--toy", "tms_9-9"],
      /toy: unknown value 'tms_9-9'; allowed: resid_mlp_1, resid_mlp_2, resid_mlp_3, tms_40-10, tms_40-10-id, tms_5-2, tms_5-2-id/,
    ],
    [["--profile", "fast"], /profile: unknown value 'fast'; allowed: paper, quick/],
    [["--method", "xyz"], /method: unknown value 'xyz'; allowed: spd/],
    [["--backend", "tpu"], /backend: unknown value 'tpu'; allowed: wasm, cpu, webgpu, tensorflow/],
    [["--seed", "two"], /--seed: 'two' is not a seed list/],
    [["--set", "pNorm=-1"], /'pNorm' must be a finite number > 0/],
    [["--steps", "0"], /--steps: must be an integer >= 1/],
  ];
  for (const [args, pattern] of cases) {
    const r = await bench([...args, "--out", out]);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, pattern);
  }
  assert.equal(await Deno.readTextFile(out), '{"earlier":"record"}\n');
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a tiny run appends one complete record per job and prints the table", async () => {
  const cache = await seededCache();
  const out = join(cache, "records.jsonl");
  await Deno.writeTextFile(out, '{"earlier":"record"}\n');
  const args = [
    "--toy",
    "tms_5-2",
    "--method",
    "spd",
    "--seed",
    "0,1",
    "--steps",
    "4",
    "--set",
    "batchSize=64",
  ];
  const r = await bench([...args, "--out", out, "--cache-dir", cache, "--quiet"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /target tms_5-2 seed 0: cached/);
  const lines = (await Deno.readTextFile(out)).trim().split("\n");
  assert.equal(lines.length, 3);
  const recs = lines.slice(1).map((l) => JSON.parse(l));
  assert.deepEqual(recs.map((x) => [x.toy, x.method, x.seed, x.status]), [
    ["tms_5-2", "spd", 0, "completed"],
    ["tms_5-2", "spd", 1, "completed"],
  ]);
  assert.equal(recs[0].config.batchSize, 64);
  assert.equal(recs[0].config.importanceCoeff, 3e-3);
  assert.equal(recs[0].timing.stepsDone, 4);
  assert.ok(recs[0].metrics.mmcs.value > 0 && recs[0].metrics.mmcs.direction === "higher");
  assert.match(r.stdout, /tms_5-2\s+spd\s+0\s+completed/);
  await Deno.remove(cache, { recursive: true });
});
