import assert from "node:assert/strict";
import { makeRecord, type Metric, type Provenance } from "../../mod.ts";
import { formatMarkdownTable } from "../../tasks/lib/table.ts";
import { compareMethods, main, summarize } from "../../tasks/summary.ts";

const provenance = { gitCommit: null, gitDirty: null } as unknown as Provenance;
const m = (value: number): Metric => ({ value, direction: "higher" });

function record(
  seed: number,
  metrics: Record<string, Metric>,
  status: "completed" | "diverged" | "partial" = "completed",
  toy = "tms_5-2",
) {
  return makeRecord({
    toy,
    method: "spd",
    seed,
    config: {},
    configHash: "0".repeat(64),
    target: null,
    backend: "wasm",
    status,
    error: null,
    metrics,
    curve: [],
    timing: { startedAt: "", wallTimeS: 612.4, stepsPerSecond: 65.31, stepsDone: 40000 },
    provenance,
  });
}

Deno.test("markdown table: header, separator, escaped pipes, formatted numbers", () => {
  assert.equal(
    formatMarkdownTable(["a", "b"], [["x|y", 0.123456], ["z", 2]]),
    "| a | b |\n| --- | --- |\n| x\\|y | 0.1235 |\n| z | 2 |",
  );
});

Deno.test("summary rows carry the toy's verdict", () => {
  const solved = {
    mmcs: m(0.99994),
    ml2r: m(1.0056),
    ci_pattern_error: m(0),
    "alive.linear1": m(5),
    alive_norm_ratio: m(57.3),
  };
  const lines = summarize([
    record(0, solved),
    record(1, { ...solved, mmcs: m(0.974) }),
    record(2, {}, "diverged"),
    record(3, solved, "partial"),
  ]).split("\n");
  assert.equal(lines.length, 6);
  assert.equal(
    lines[2],
    "| tms_5-2 | spd | 0 | 0.9999 | 1.0056 | 0 | 5 | 57.3000 | pass | 40000 | 612 | 65.3 |",
  );
  assert.match(lines[3], /\| fail: mmcs >= 0\.99 \(got 0\.974\) \|/);
  assert.match(lines[4], /\| diverged \|/);
  assert.match(lines[5], /\| partial: pass \| 40000 \|/);
});

Deno.test("method comparison: one row per toy x method, seeds aggregated, failed runs left out", () => {
  const solved = {
    mmcs: m(1),
    ml2r: m(0.99),
    ci_pattern_error: m(0),
    "alive.linear1": m(5),
    alive_norm_ratio: m(50),
    parameters: m(2100),
  };
  const lines = compareMethods([
    record(0, solved),
    record(1, { ...solved, mmcs: m(0.98), ml2r: m(1.01), ci_pattern_error: m(3) }),
    record(2, {}, "diverged"),
  ]).split("\n");
  assert.equal(lines.length, 3);
  // ML2R mean 1.0, sample sd sqrt(2·0.01²) = 0.0141; pattern error mean 1.5; 612.4 s = 10.2 min;
  // 1000 / 65.31 steps/s = 15.3 ms.
  assert.equal(
    lines[2],
    "| tms_5-2 | spd | - | 1/2 | 0.9900 | 1.0000 ± 0.0141 | 1.5 | 10.2 min | 15.3 | 2100 |",
  );
});

Deno.test("side by side: two configs of one toy × method are separate rows, named by their difference", () => {
  const withConfig = (seed: number, topk: number, mmcs: number) => ({
    ...record(seed, { mmcs: m(mmcs) }),
    config: { topk, steps: 100 },
    configHash: String(topk).padEnd(64, "0"),
  });
  const lines = compareMethods([
    withConfig(0, 1, 0.9),
    withConfig(0, 2, 0.6),
    withConfig(1, 1, 0.7),
  ])
    .split("\n");
  assert.equal(lines.length, 4);
  assert.match(lines[2], /^\| tms_5-2 \| spd \| topk=1 \| 0\/2 \| 0\.8000 \|/);
  assert.match(lines[3], /^\| tms_5-2 \| spd \| topk=2 \| 0\/1 \| 0\.6000 \|/);
});

Deno.test("residual-MLP records get their own table, one value per layer", () => {
  const layer = (l: number, pearson: number, slope: number) => ({
    [`components_per_feature.layers.${l}.mlp_in`]: m(1),
    [`neuron_contrib_pearson.layers.${l}`]: m(pearson),
    [`neuron_contrib_slope.layers.${l}`]: m(slope),
    [`components_representing_1.layers.${l}`]: m(100),
    [`components_representing_2.layers.${l}`]: m(0),
    [`components_representing_3plus.layers.${l}`]: m(0),
    [`features_represented.layers.${l}`]: m(100),
  });
  const text = summarize([
    record(0, { mmcs: m(1) }),
    record(0, { ci_pattern_error: m(0), ...layer(0, 0.9999, 1.0178) }, "completed", "resid_mlp_1"),
    record(
      1,
      {
        ci_pattern_error: m(3),
        ...layer(0, 0.98, 1.1),
        ...layer(1, 0.97, 0.9),
        top1_rel_error_mean: m(0.25),
        "features_top1_rel_error_above_0.1": m(12),
        scrubbed_mse: m(0.0012),
        anti_scrubbed_mse: m(0.0345),
      },
      "partial",
      "resid_mlp_2",
    ),
  ]);
  const [tms, resid] = text.split("\n\n");
  assert.equal(tms.split("\n").length, 3);
  const lines = resid.split("\n");
  assert.equal(lines.length, 4);
  assert.equal(
    lines[2],
    "| resid_mlp_1 | spd | 0 | 0 | 1 | 0.9999 | 1.0178 | - | 100 | 0 | 0 | 100 | - | - | - | - | pass | 40000 | 612 | 65.3 |",
  );
  assert.match(
    lines[3],
    /^\| resid_mlp_2 \| spd \| 1 \| 3 \| 1 \/ 1 \| 0\.9800 \/ 0\.9700 \| 1\.1000 \/ 0\.9000 \| - \/ - \|.*\| 0\.2500 \| 12 \| 0\.0012 \| 0\.0345 \| partial: fail/,
  );
});

Deno.test("summary CLI: no file, a missing file and a record of an unregistered toy are refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(main([]), /^Error: no records file given; usage: deno task summary/);
    await assert.rejects(
      main([`${dir}/typo.jsonl`]),
      new RegExp(`${dir}/typo\\.jsonl: no such file`),
    );
    const file = `${dir}/mine.jsonl`;
    await Deno.writeTextFile(
      file,
      JSON.stringify(record(0, { mmcs: m(1) }, "completed", "my_toy")) + "\n",
    );
    await assert.rejects(main([file]), /toy: unknown value 'my_toy'; allowed: resid_mlp_1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
