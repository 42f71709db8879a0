import assert from "node:assert/strict";
import type { SpeedRecord } from "../../mod.ts";
import { runTask } from "../helpers/bench_cli.ts";

Deno.test("speed task: one record per cell with explicit fields and provenance", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/speed.jsonl`;
  const o = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "tasks/speed.ts",
      "--toy",
      "tms_5-2",
      "--method",
      "spd",
      "--runs",
      "1",
      "--warmup",
      "1",
      "--steps",
      "2",
      "--profile",
      "ci",
      "--out",
      out,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(o.success, new TextDecoder().decode(o.stderr));
  const lines = (await Deno.readTextFile(out)).trim().split("\n");
  assert.equal(lines.length, 1);
  const r = JSON.parse(lines[0]) as SpeedRecord;
  assert.equal(r.kind, "speed");
  assert.deepEqual([r.toy, r.method, r.backend, r.version, r.batchSize], [
    "tms_5-2",
    "spd",
    "wasm",
    "current",
    1024,
  ]);
  assert.equal(r.msPerStepSamples.length, 2);
  assert.ok(r.msPerStep > 0 && r.stepsPerSecond > 0);
  assert.ok(r.flopsPerStep > 1e5 && r.gflops > 0 && r.matmulPeakGflops > 0);
  assert.ok(r.peakMemoryBytes > 0 && r.kernelsPerStep > 100);
  assert.equal(r.profileSteps, 2000);
  assert.equal(typeof r.provenance.deno, "string");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("speed task: a bad flag fails before any cell runs, naming the flag", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/speed.jsonl`;
  const cases: [string[], RegExp][] = [
    [["--runs", "x"], /--runs: must be an integer >= 1, got 'x'/],
    [["--cell-timeout", "0"], /--cell-timeout: must be a number > 0, got '0'/],
    [["--warmup=-1"], /--warmup: must be an integer >= 0, got '-1'/],
    [["--toy", "tms_5-2, tms_9-9"], /--toy: unknown value 'tms_9-9'; allowed: /],
    [
      ["--backend", "tpu"],
      /--backend: unknown value 'tpu'; allowed: wasm, cpu, webgpu, tensorflow/,
    ],
    [
      ["--baseline-toy", "tms_40-10", "--toy", "tms_5-2"],
      /--baseline-toy: unknown value 'tms_40-10'; allowed: tms_5-2$/m,
    ],
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await runTask("speed.ts", [...args, "--out", out]);
    assert.equal(code, 2, args.join(" "));
    assert.match(stderr, pattern);
  }
  await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});
