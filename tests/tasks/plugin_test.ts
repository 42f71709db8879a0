import assert from "node:assert/strict";
import { join } from "node:path";
import { bench, recordsIn } from "../helpers/bench_cli.ts";

const PLUGIN = new URL("../fixtures/example_plugin.ts", import.meta.url).pathname;
const PROFILE = new URL("../fixtures/example_profile.json", import.meta.url).pathname;
const task = (name: string) => new URL(`../../tasks/${name}.ts`, import.meta.url).pathname;
const BASE = [
  "--plugin",
  PLUGIN,
  "--profile",
  PROFILE,
  "--toy",
  "tms_5-2-pentagon",
  "--method",
  "input_basis",
  "--quiet",
];

Deno.test("a plugin's toy and method run and are scored like built-ins, in process and in workers", async () => {
  const dir = await Deno.makeTempDir();
  const out = join(dir, "records.jsonl");
  const r = await bench([...BASE, "--seed", "0", "--out", out, "--cache-dir", dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /plugin .*example_plugin\.ts: toys tms_5-2-pentagon; methods input_basis/);
  const [rec] = await recordsIn(out);
  const m = rec.metrics as Record<string, { value: number }>;
  // linear1's input-basis components are the pentagon's feature columns exactly.
  assert.ok(Math.abs(m.mmcs.value - 1) < 1e-6 && Math.abs(m.ml2r.value - 1) < 1e-6);
  assert.equal(m["ci_pattern_error.linear1"].value, 0);
  // linear2 (tied): on feature f's one-hot input, component c carries |W_f · W_c|, i.e. relative
  // sizes 1, cos 72° = 0.309 and |cos 144°| = 0.809: the 4 off-diagonal entries of each of the
  // 5 rows exceed τ = 0.1.
  assert.equal(m["ci_pattern_error.linear2"].value, 20);
  assert.equal(m["alive.linear1"].value, 5);
  assert.equal(m["l0.linear1"].value, 1);
  assert.equal(m["l0.linear2"].value, 5);
  assert.equal(m.parameters.value, 0);
  const plugins = (rec.provenance as { plugins: { path: string; sha256: string }[] }).plugins;
  assert.equal(plugins[0].path, PLUGIN);
  assert.match(plugins[0].sha256, /^[0-9a-f]{64}$/);

  // Two jobs on two Web Workers: each worker imports the plugin before its first job.
  const r2 = await bench([
    ...BASE,
    "--seed",
    "1,2",
    "--workers",
    "2",
    "--out",
    out,
    "--cache-dir",
    dir,
  ]);
  assert.equal(r2.code, 0, r2.stderr);
  // Workers append in completion order, so compare the records by seed.
  const recs = (await recordsIn(out)).sort((a, b) => (a.seed as number) - (b.seed as number));
  assert.deepEqual(recs.map((x) => [x.toy, x.method, x.seed, x.status]), [
    ["tms_5-2-pentagon", "input_basis", 0, "completed"],
    ["tms_5-2-pentagon", "input_basis", 1, "completed"],
    ["tms_5-2-pentagon", "input_basis", 2, "completed"],
  ]);
  // The method ignores the seed, so the workers' records hash like the in-process one.
  assert.equal(new Set(recs.map((x) => x.resultHash)).size, 1);

  // The robustness and report tasks need the plugin to know the toy's success criterion.
  const run = async (name: string, ...args: string[]) => {
    const o = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", task(name), "--plugin", PLUGIN, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    assert.equal(o.code, 0, dec.decode(o.stderr));
    return dec.decode(o.stdout);
  };
  const text = await run("robustness", out);
  assert.match(
    text,
    /\| tms_5-2-pentagon \| input_basis \| \(single config\) \| 0\/3 \|.*ci_pattern_error 3 \(20\)/,
  );
  await run("report", out, "--out", join(dir, "report"));
  const spec = JSON.parse(
    await Deno.readTextFile(
      join(dir, "report", "ci_heatmap__tms_5-2-pentagon__input_basis__main.vl.json"),
    ),
  );
  assert.match(JSON.stringify(spec), /linear2/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a plugin that cannot be loaded is refused before anything runs, records untouched", async () => {
  const dir = await Deno.makeTempDir();
  const out = join(dir, "records.jsonl");
  await Deno.writeTextFile(out, "");
  const r = await bench(["--plugin", join(dir, "missing.ts"), "--out", out, "--dry-run"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--plugin: cannot load '.*missing\.ts'/);
  assert.equal(await Deno.readTextFile(out), "");
  await Deno.remove(dir, { recursive: true });
});
