import assert from "node:assert/strict";
import { join } from "node:path";
import { encodeNonFinite, initBackend, makeRecord, type Provenance } from "../../mod.ts";
import { bench, seededCache, TINY } from "../helpers/bench_cli.ts";

await initBackend("wasm");

/** A record of another job, which every run must leave untouched. */
const EARLIER = JSON.stringify(encodeNonFinite(makeRecord({
  toy: "tms_5-2-id",
  method: "spd",
  seed: 9,
  config: {},
  configHash: "e".repeat(64),
  target: null,
  backend: "wasm",
  status: "completed",
  error: null,
  metrics: {},
  curve: [],
  timing: { startedAt: "", wallTimeS: 1, stepsPerSecond: 1, stepsDone: 1 },
  provenance: {} as Provenance,
}))) + "\n";

Deno.test("bad input fails before any work, names the field and allowed values, keeps old records", async () => {
  const dir = await Deno.makeTempDir();
  const out = join(dir, "records.jsonl");
  await Deno.writeTextFile(out, EARLIER);
  const cases: [string[], RegExp][] = [
    [
      ["--toy", "tms_9-9"],
      /toy: unknown value 'tms_9-9'; allowed: resid_mlp_1, resid_mlp_2, resid_mlp_3, tms_40-10, tms_40-10-id, tms_5-2, tms_5-2-id/,
    ],
    [["--profile", "fast"], /profile: unknown value 'fast'; allowed: paper, quick, ci/],
    [["--method", "xyz"], /method: unknown value 'xyz'; allowed: apd, spd/],
    [["--backend", "tpu"], /backend: unknown value 'tpu'; allowed: wasm, cpu, webgpu, tensorflow/],
    [["--seed", "two"], /--seed: 'two' is not a seed list/],
    [["--method", "spd", "--set", "pNorm=-1"], /'pNorm' must be a finite number > 0/],
    [["--set", "pNorm=2"], /apd config: 'pNorm' must be one of the known fields \(C, rank, topk/],
    [["--steps", "0"], /--steps: must be an integer >= 1/],
    [["--checkpoint-every", "1.5"], /--checkpoint-every: must be an integer >= 1, got '1\.5'/],
    [["--checkpoint-minutes=-3"], /--checkpoint-minutes: must be a number >= 0, got '-3'/],
    [
      ["--sweep", "beta3"],
      /--sweep: must be a \.json file or one of resid_mlp_1_spd_beta3, tms_5-2_apd, tms_5-2_spd, tms_5-2_spd_axes; got 'beta3'/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const r = await bench([...args, "--out", out]);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, pattern);
  }
  assert.equal(await Deno.readTextFile(out), EARLIER);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a tiny run appends one complete record per job and prints the table", async () => {
  const cache = await seededCache();
  const out = join(cache, "records.jsonl");
  await Deno.writeTextFile(out, EARLIER);
  const args = [...TINY, "--seed", "0,1"];
  const r = await bench([...args, "--out", out, "--cache-dir", cache]);
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
  assert.match(r.stdout, /\| tms_5-2 \| spd \| 0 \| .* \| (pass|fail: [^|]*) \| 4 \|/);
  await Deno.remove(cache, { recursive: true });
});

Deno.test("the plain bench is the full reproduction: every toy x method at paper config, seeds 0-4, plus every sweep", async () => {
  const dir = await Deno.makeTempDir();
  const r = await bench(["--dry-run", "--out", join(dir, "none.jsonl")]);
  assert.equal(r.code, 0, r.stderr);
  // 7 toys x 2 methods x 5 seeds, + 60 cells x 5 seeds (TMS 5-2 SPD grid; its axes design is a
  // subset) + 18 x 5 (TMS 5-2 APD) + 5 x 5 (resid β3), less the 15 paper jobs that are sweep cells.
  assert.match(r.stdout, /total: 470 job\(s\), 470 to run/);
  assert.match(r.stdout, /tms_5-2\s+spd\s+300\s+300\s+12000000/);
  assert.match(r.stdout, /tms_5-2\s+apd\s+90\s+90\s+1800000/);
  assert.match(r.stdout, /resid_mlp_1\s+spd\s+25\s+25\s+750000/);
  assert.match(r.stdout, /resid_mlp_3\s+spd\s+5\s+5\s+1000000/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--sweep takes a committed sweep by name as well as by path", async () => {
  const dir = await Deno.makeTempDir();
  const out = join(dir, "none.jsonl");
  for (const sweep of ["resid_mlp_1_spd_beta3", "bench/sweeps/resid_mlp_1_spd_beta3.json"]) {
    const r = await bench(["--sweep", sweep, "--dry-run", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /resid_mlp_1\s+spd\s+25\s+25\s+750000/);
  }
  await Deno.remove(dir, { recursive: true });
});
