import assert from "node:assert/strict";
import { join } from "node:path";
import { round4 } from "../../bench/metrics/artifacts.ts";
import { writtenBy } from "../../tasks/explain_ci.ts";
import { bench, runTask, seededCache, TINY } from "../helpers/bench_cli.ts";

const explain = (args: string[]) => runTask("explain_ci.ts", args);

Deno.test("explain-ci scores a checkpoint against the per-pair equilibrium, and refuses another job's", async () => {
  const dir = await seededCache();
  const stopped = await bench([
    ...TINY,
    "--seed",
    "0",
    "--steps",
    "20",
    "--stop-at",
    "10",
    "--cache-dir",
    dir,
    "--out",
    join(dir, "r.jsonl"),
  ]);
  assert.equal(stopped.code, 0, stopped.stderr);
  const [file] = [...Deno.readDirSync(join(dir, "checkpoints"))];
  const ckpt = join(dir, "checkpoints", file.name);
  const common = ["--checkpoint", ckpt, "--toy", "tms_5-2", "--cache-dir", dir];
  const json = join(dir, "explain.json");
  const ok = await explain([
    ...common,
    "--set",
    "steps=20",
    "--set",
    "batchSize=64",
    "--out",
    json,
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /tms_5-2 spd seed 0, step 10 of 20: .*β3 0.003, p 1, κ = β1 \+ β2\/2/);
  assert.match(ok.stdout, /^linear1 +\d+ +\d+ +\d+ /m);
  assert.match(ok.stdout, /^linear2 +\d+ +\d+ +\d+ /m);
  const report = JSON.parse(await Deno.readTextFile(json));
  assert.equal(report.stepsDone, 10);
  assert.equal(report.layers.linear1.columnOnLearned.length, report.layers.linear1.columns.length);
  // §7.4 errors and column peaks as the bench record of the same step has them.
  const record = JSON.parse(await Deno.readTextFile(join(dir, "r.jsonl")));
  for (const layer of ["linear1", "linear2"]) {
    const l = report.layers[layer];
    assert.equal(l.patternError, record.metrics[`ci_pattern_error.${layer}`].value, layer);
    const stored = record.artifacts.importanceOneHot[layer];
    const peakOf = (c: number) => {
      const k = stored.components.indexOf(c);
      return Math.max(...stored.values.map((row: number[]) => row[k]));
    };
    assert.deepEqual(l.columnPeak.map(round4), l.columns.map(peakOf), layer);
  }
  // The loss budget: TMS 5-2 has no dense pattern, so each matrix shows only what it pays.
  assert.match(ok.stdout, /loss on the evaluation set: total \d\.\d\de[+-]\d; reconstruction/);
  assert.match(ok.stdout, /^linear2 +\d\.\d\de-\d +- +-$/m);
  assert.deepEqual(report.budget.layers.map((l: { layer: string }) => l.layer), [
    "linear1",
    "linear2",
  ]);
  assert.ok(report.budget.reconstruction > 0 && report.budget.layers[0].added === undefined);

  const other = await explain([...common, "--set", "batchSize=64"]);
  assert.equal(other.code, 2);
  assert.match(
    other.stderr,
    /--checkpoint: it belongs to another job than tms_5-2 \/ spd \/ seed 0/,
  );
  const bad = await explain([...common, "--threshold", "2"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--threshold: must be a number in \[0, 1\), got '2'/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writtenBy: a job id from before a field existed matches when that field holds its default", () => {
  const key = (c: Readonly<Record<string, unknown>>) => JSON.stringify(c);
  const defaults = { a: 1, b: "shared" };
  const config = { a: 2, b: "shared" };
  assert.ok(writtenBy(config, defaults, key, key({ a: 2, b: "shared" })));
  assert.ok(writtenBy(config, defaults, key, key({ a: 2 })), "written before b existed");
  assert.ok(!writtenBy(config, defaults, key, key({ b: "shared" })), "a is not at its default");
  assert.ok(!writtenBy({ a: 2, b: "separate" }, defaults, key, key({ a: 2 })));
});
