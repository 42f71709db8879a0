import assert from "node:assert/strict";
import {
  artifactRecord,
  buildReport,
  ciHeatmapChart,
  cosineChart,
  groupSetups,
  lossCurveChart,
  neuronScatterChart,
  PAPER_VALUES,
  recoveryChart,
  recoveryRows,
  type ReportChart,
  robustness,
  robustnessCells,
  robustnessCharts,
  runLabel,
  specToJson,
  throughputFromJson,
} from "../../mod.ts";
import {
  inkFraction,
  renumberSvgIds,
  specToSvg,
  svgToImage,
} from "../../tasks/lib/render_chart.ts";
import { vegaLiteValidator } from "../../tasks/lib/vl_schema.ts";
import {
  BASE_CONFIG,
  criterionFor,
  residRecord,
  sweepRecords,
  tmsRecord,
} from "../helpers/report_records.ts";

const validate = await vegaLiteValidator();

/** Marks of one kind in an SVG: Vega writes one `<path>`/`<text>` per item inside its mark group. */
function countItems(svg: string, markClass: string, tag = "path"): number {
  const re = new RegExp(`<g class="mark-${markClass} role-mark[^"]*"[^>]*>(.*?)</g>`, "gs");
  let n = 0;
  for (const m of svg.matchAll(re)) n += (m[1].match(new RegExp(`<${tag}\\b`, "g")) ?? []).length;
  return n;
}

function escapeXml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Every chart must validate, render to SVG with its title, and say what good looks like. */
async function checkChart(chart: ReportChart): Promise<string> {
  assert.deepEqual(validate(chart.spec), [], `${chart.id} validates against the Vega-Lite schema`);
  assert.deepEqual(validate(JSON.parse(specToJson(chart.spec))), [], "specToJson round-trips");
  assert.match(chart.id, /^[A-Za-z0-9._-]+$/);
  assert.match(chart.caption, /Good|Higher is better/, `${chart.id}: caption says what is good`);
  const svg = await specToSvg(chart.spec);
  assert.ok(svg.includes(escapeXml(chart.title)), `${chart.id}: SVG contains the title`);
  assert.ok(svg.includes("DejaVu Sans"));
  return svg;
}

Deno.test("recovery chart: one point per seed and metric, a mean, and the paper's value per setup", async () => {
  const recs = [0, 1, 2].map((seed) => tmsRecord({ seed }));
  const apd = tmsRecord({ method: "apd", shrink: 0.9 });
  const setups = groupSetups([...recs, apd]);
  const rows = recoveryRows(setups);
  const paper = rows.filter((r) => r.kind === "paper (Table 1)");
  assert.deepEqual(
    paper.map((r) => [r.setup, r.metric, r.value]),
    [
      ["tms_5-2 · apd", "MMCS", 0.998],
      ["tms_5-2 · apd", "ML2R", 0.893],
      ["tms_5-2 · spd", "MMCS", 1.0],
      ["tms_5-2 · spd", "ML2R", 0.993],
    ],
  );
  const chart = recoveryChart(setups)!;
  const svg = await checkChart(chart);
  // 2 panels × (4 seed points + 2 means + 2 paper diamonds).
  assert.equal(countItems(svg, "symbol"), 2 * (4 + 2 + 2));
  assert.ok(svg.includes("paper (Table 1)") && svg.includes("MMCS: mean max cosine"));
  assert.equal(recoveryChart(groupSetups([residRecord()])), null, "no MMCS, no chart");
});

Deno.test("paper values are kept once, with their source, for the values the issue lists", () => {
  const get = (toy: string, method: string) =>
    PAPER_VALUES.find((p) => p.toy === toy && p.method === method)!;
  assert.deepEqual([get("tms_5-2", "spd").mmcs, get("tms_5-2", "spd").ml2r], [1, 0.993]);
  assert.deepEqual([get("tms_40-10", "apd").mmcs, get("tms_40-10", "apd").ml2r], [0.996, 0.935]);
  assert.deepEqual([get("tms_40-10-id", "spd").ml2r, get("tms_5-2-id", "spd").ml2r], [
    1.031,
    0.992,
  ]);
  assert.ok(PAPER_VALUES.every((p) => p.source.length > 0));
  assert.equal(PAPER_VALUES.length, 6);
});

Deno.test("importance heatmap: one panel per layer, rows × columns cells, columns in §7.3 order", async () => {
  const rec = tmsRecord();
  const setup = groupSetups([rec])[0];
  const chart = ciHeatmapChart(setup, rec)!;
  const svg = await checkChart(chart);
  assert.equal(countItems(svg, "rect"), 2 * 5 * 20, "linear1 and linear2, 5 × 20 cells each");
  // The live components 7, 3, 12, 0, 9 lead the column order, as greedy permute-to-identity gives.
  const imp = rec.artifacts!.importanceOneHot.linear1;
  assert.deepEqual(imp.components.slice(0, 5), [7, 3, 12, 0, 9]);
  assert.ok(JSON.stringify(chart.spec).includes("[7,3,12,0,9,"), "axis labels follow that order");
  assert.ok(svg.includes("linear1 (5 × 20)") && svg.includes("linear2 (5 × 20)"));
});

Deno.test("cosine matrix: every component × feature cell, one outline per feature", async () => {
  const rec = tmsRecord();
  const chart = cosineChart(groupSetups([rec])[0], rec)!;
  const svg = await checkChart(chart);
  const cells = rec.artifacts!.cosine!.components.length * 5;
  assert.equal(countItems(svg, "rect"), cells + 5, "cells plus the 5 best-match outlines");
  assert.equal(cosineChart(groupSetups([residRecord()])[0], residRecord()), null);
});

Deno.test("neuron-contribution scatter: a panel per layer with its points and the y = x line", async () => {
  const rec = residRecord();
  const chart = neuronScatterChart(groupSetups([rec])[0], rec)!;
  const svg = await checkChart(chart);
  assert.equal(countItems(svg, "symbol"), 2 * 6 * 3, "2 layers × 6 features × 3 neurons");
  assert.equal(countItems(svg, "line"), 2, "one y = x line per layer");
  assert.ok(svg.includes("Pearson r 0.9900, slope 0.9700"), "layer 0's metrics in its title");
  assert.ok(!svg.includes("own W_out"), "no legend for a single series");
});

Deno.test("neuron-contribution scatter: components spanning layers add the own-W_out series", async () => {
  const base = residRecord();
  const rec = {
    ...base,
    metrics: {
      ...base.metrics,
      "neuron_contrib_slope_paired.layers.0": {
        value: 0.81,
        direction: "target" as const,
        target: 1,
      },
    },
    artifacts: {
      ...base.artifacts!,
      neuronContributions: base.artifacts!.neuronContributions.map((nc) => ({
        ...nc,
        fittedPaired: nc.fitted.map((v) => 0.9 * v),
      })),
    },
  };
  const svg = await checkChart(neuronScatterChart(groupSetups([rec])[0], rec)!);
  // Two series of 2 layers × 6 features × 3 neurons.
  assert.equal(countItems(svg, "symbol"), 2 * 2 * 6 * 3);
  assert.ok(svg.includes("own W_out 0.8100"), "the paired slope in layer 0's title");
  assert.ok(svg.includes(">summed W_out<") && svg.includes(">own W_out<"), "legend entries");
});

Deno.test("loss curves: loss names come from the records (any method), one line per seed and term", async () => {
  const names = ["faithfulness", "minimality", "actRecon", "simplicity"];
  const recs = [0, 1].map((seed) => tmsRecord({ seed, method: "apd", lossNames: names }));
  const chart = lossCurveChart(groupSetups(recs)[0])!;
  const svg = await checkChart(chart);
  for (const n of names) assert.ok(svg.includes(`>${n}<`), `panel for ${n}`);
  assert.equal(countItems(svg, "line"), names.length * 2);
  assert.ok(chart.caption.includes("Sampled every 10 steps"));
});

Deno.test("robustness heatmap: a cell per config with solved/runs, x = the field with most values", async () => {
  const recs = sweepRecords();
  const { cells } = robustness(recs, criterionFor);
  const { xField, rows } = robustnessCells(cells);
  assert.equal(xField, "lr");
  assert.equal(rows.length, 6);
  assert.deepEqual(
    rows.filter((r) => r.x === "0.003").map((r) => r.label),
    ["1/2", "1/2"],
    "seed 1 fails at lr 0.003",
  );
  const [chart] = robustnessCharts(recs, criterionFor);
  const svg = await checkChart(chart);
  assert.equal(countItems(svg, "rect"), 6);
  assert.equal(countItems(svg, "text", "text"), 6);
  assert.ok(svg.includes(">1/2<") && svg.includes(">2/2<"));
});

Deno.test("robustness heatmap rows are ordered by value, not as text (0.18 < 0.211 < 0.25)", () => {
  const recs = [0.25, 0.211, 0.18].flatMap((importanceCoeff) =>
    [1, 2, 3, 4].map((lr) =>
      tmsRecord({ config: { ...BASE_CONFIG, importanceCoeff, lr }, withArtifacts: false })
    )
  );
  const [chart] = robustnessCharts(recs, criterionFor);
  const spec = chart.spec as unknown as { encoding: { y: { sort: string[] } } };
  const y = spec.encoding.y;
  assert.deepEqual(y.sort, [
    "importanceCoeff=0.18",
    "importanceCoeff=0.211",
    "importanceCoeff=0.25",
  ]);
});

Deno.test("sweep runs feed robustness, not per-setup charts; a run already among the records is dropped", () => {
  const sweep = sweepRecords(); // 6 configs × seeds 0, 1
  const other = tmsRecord({ config: { ...sweep[0].config, lr: 0.01 } });
  const main = [sweep[0], sweep[1], other]; // one sweep cell again, one setup of its own
  const report = buildReport({ records: main, sweeps: sweep, criterionFor });
  const ids = report.charts.map((c) => c.id);
  assert.equal(ids.filter((id) => id.startsWith("robustness")).length, 1);
  assert.equal(ids.filter((id) => id.startsWith("loss_curves")).length, 2, "main setups only");
  assert.equal(report.tables.find((t) => t.id === "setups")!.table.numRows(), 2);
  const robustnessChart = report.charts.find((c) => c.id.startsWith("robustness"))!;
  const labels = (robustnessChart.spec.data as { values: { label: string }[] }).values
    .map((v) => v.label);
  assert.equal(labels.length, 7, "6 sweep cells + the other setup");
  assert.ok(labels.every((l) => l.endsWith("/2") || l.endsWith("/1")), labels.join(" "));
});

Deno.test("throughput: run records and any benchmark record with a backend and steps/s", async () => {
  assert.deepEqual(
    throughputFromJson({
      kind: "step_timing",
      toy: "tms_5-2",
      method: "spd",
      backend: "wasm",
      stepsPerSecond: 20.5,
      batchSize: 4096,
      revision: "933e4a9654085e299e68d610bcf283d6f4a262a8",
    }),
    {
      toy: "tms_5-2",
      method: "spd",
      backend: "wasm",
      stepsPerSecond: 20.5,
      source: "step_timing",
      batchSize: 4096,
      commit: "933e4a9",
    },
  );
  assert.equal(throughputFromJson({ toy: "t", method: "m", stepsPerSecond: 1 }), null);
  const report = buildReport({
    records: [tmsRecord({ backend: "cpu" }), tmsRecord({ seed: 1 })],
    throughput: [
      throughputFromJson({
        kind: "speed",
        toy: "tms_5-2",
        method: "spd",
        backend: "webgpu",
        stepsPerSecond: 3,
      })!,
    ],
    criterionFor,
  });
  const chart = report.charts.find((c) => c.id === "throughput")!;
  const svg = await checkChart(chart);
  assert.equal(countItems(svg, "symbol"), 3);
  for (const b of ["cpu", "wasm", "webgpu"]) assert.ok(svg.includes(`>${b}<`));
});

Deno.test("a chart renders to a non-blank PNG whose text is drawn with the committed font", async () => {
  const rec = tmsRecord();
  const chart = recoveryChart(groupSetups([rec]))!;
  const svg = await specToSvg(chart.spec);
  const img = await svgToImage(svg);
  assert.deepEqual([...img.png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
  const ink = inkFraction(img);
  assert.ok(ink > 0.01, `ink fraction ${ink}`);
  // The same SVG without its text: fewer dark pixels, so the text really is drawn.
  const noText = await svgToImage(svg.replace(/<text\b[^>]*>[^<]*<\/text>/g, ""));
  assert.ok(inkFraction(noText) < ink - 0.005, "text contributes visible pixels");
});

Deno.test("a chart's SVG does not depend on what was rendered before it (clip and gradient ids per chart)", async () => {
  const chart = lossCurveChart(groupSetups([tmsRecord()])[0])!;
  const first = await specToSvg(chart.spec);
  await specToSvg(lossCurveChart(groupSetups([tmsRecord({ seed: 1 })])[0])!.spec);
  assert.equal(await specToSvg(chart.spec), first);
  assert.match(first, /id="clip1"/);
  assert.equal(
    renumberSvgIds(
      '<clipPath id="clip7"/><linearGradient id="gradient_13"/><g clip-path="url(#clip7)" ' +
        'fill="url(#gradient_13)"/><clipPath id="clip9"/>',
    ),
    '<clipPath id="clip1"/><linearGradient id="gradient_1"/><g clip-path="url(#clip1)" ' +
      'fill="url(#gradient_1)"/><clipPath id="clip2"/>',
  );
});

Deno.test("setups: one per toy × method × config, labelled by the fields that tell them apart", () => {
  const paper = tmsRecord({ config: { steps: 40000, batchSize: 4096, logEvery: 200 } });
  const ci = tmsRecord({ config: { steps: 2000, batchSize: 1024, logEvery: 100, microBatch: 0 } });
  const labels = groupSetups([paper, ci, tmsRecord({ method: "apd" })]).map((s) => s.label);
  assert.deepEqual(labels, [
    "tms_5-2 · apd",
    "tms_5-2 · spd [batchSize=1024, steps=2000]",
    "tms_5-2 · spd [batchSize=4096, steps=40000]",
  ]);
  const old = tmsRecord({ config: { steps: 7 } });
  const all = groupSetups([old, ...sweepRecords()]).map((s) => s.label);
  assert.equal(new Set(all).size, all.length, "labels are unique");
});

Deno.test("a setup with only partial runs is drawn from the furthest one, titled as partial", () => {
  const partial = (seed: number, stepsDone: number) => ({
    ...tmsRecord({ seed }),
    status: "partial" as const,
    timing: { ...tmsRecord().timing, stepsDone },
  });
  const [onlyPartial] = groupSetups([partial(0, 1200), partial(1, 21000)]);
  const rec = artifactRecord(onlyPartial)!;
  assert.equal(rec.seed, 1);
  assert.equal(runLabel(rec), "seed 1, partial at step 21,000");
  assert.match(
    ciHeatmapChart(onlyPartial, rec)!.title,
    /tms_5-2 · spd, seed 1, partial at step 21,000$/,
  );
  // A completed run is preferred to any partial one.
  const [mixed] = groupSetups([partial(0, 21000), tmsRecord({ seed: 2 })]);
  assert.equal(artifactRecord(mixed)!.seed, 2);
  assert.equal(runLabel(artifactRecord(mixed)!), "seed 2");
});
