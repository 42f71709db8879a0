import assert from "node:assert/strict";
import type { SpeedRecord } from "../../mod.ts";

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
