/**
 * Importance heatmaps on the one-hot 0.75 batch (spd.md §7.3), one panel per
 * decomposed matrix, from a record's artifacts. Columns are in the order the
 * artifact stores them: spd.md §7.3's greedy permute-to-identity (for each
 * input row in turn, the unused component with the largest importance; the
 * remaining components after).
 *
 * @module
 */
import type { RunRecord } from "../../records/record.ts";
import { chartId, makeChart, type ReportChart } from "../chart.ts";
import { runLabel, type Setup } from "../setups.ts";

/** Heatmap cells of one layer: feature row, column position, component index, importance. */
export function importanceCells(
  record: RunRecord,
  layer: string,
): { feature: number; position: number; component: string; value: number }[] {
  const imp = record.artifacts?.importanceOneHot[layer];
  if (!imp) return [];
  return imp.values.flatMap((row, i) =>
    row.map((value, k) => ({
      feature: i,
      position: k,
      component: `c${imp.components[k]}`,
      value,
    }))
  );
}

/** One heatmap chart (all decomposed layers side by side) for a setup's first record with artifacts. */
export function ciHeatmapChart(setup: Setup, record: RunRecord): ReportChart | null {
  const layers = Object.keys(record.artifacts?.importanceOneHot ?? {});
  if (layers.length === 0) return null;
  const dropped: string[] = [];
  const panels = layers.map((layer) => {
    const imp = record.artifacts!.importanceOneHot[layer];
    const rows = imp.values.length, cols = imp.components.length;
    if (imp.dropped > 0) {
      dropped.push(`${layer}: ${imp.dropped} (max ${imp.droppedMax})`);
    }
    const cell = Math.max(4, Math.min(22, Math.floor(520 / Math.max(rows, cols))));
    return {
      title: { text: `${layer} (${rows} × ${cols})`, fontSize: 12, fontWeight: "normal" },
      width: cols * cell,
      height: rows * cell,
      data: { values: importanceCells(record, layer) },
      mark: { type: "rect" },
      encoding: {
        x: {
          field: "position",
          type: "ordinal",
          title: "component (spd.md §7.3 order)",
          axis: {
            labelExpr: cols <= 40 ? undefined : "''",
            labelAngle: 0,
            labelFontSize: 9,
            ticks: cols <= 40,
          },
        },
        y: {
          field: "feature",
          type: "ordinal",
          title: "input feature",
          axis: { labels: rows <= 40, ticks: rows <= 40 },
        },
        color: {
          field: "value",
          type: "quantitative",
          title: ["importance", "(clipped to [0, 1])"],
          scale: { domain: [0, 1], clamp: true, range: ["#ffffff", "#a50f15"] },
        },
        tooltip: [
          { field: "feature", title: "feature" },
          { field: "component", title: "component" },
          { field: "value", format: ".4f", title: "importance" },
        ],
      },
    };
  });
  // Replace position labels by component indices where they fit.
  for (const [i, p] of panels.entries()) {
    const imp = record.artifacts!.importanceOneHot[layers[i]];
    if (imp.components.length <= 40) {
      p.encoding.x.axis.labelExpr = `[${imp.components.join(",")}][datum.value]`;
    }
  }
  const note = dropped.length ? ` Not shown (important on no input): ${dropped.join("; ")}.` : "";
  return makeChart(
    chartId("ci_heatmap", setup.toy, setup.method, setup.variant || "main"),
    `Importance on one-hot inputs: ${setup.label}, ${runLabel(record)}`,
    "Each row is one one-hot input (value 0.75); each column one component, labelled by its " +
      "index and ordered greedily so that each row's strongest component comes first " +
      "(spd.md §7.3). Good: a bright diagonal with one cell ≈ 1 per row and the rest ≈ 0 for " +
      "matrices that carry one feature per component (TMS W and Wᵀ, ResidMLP mlp_in); exactly " +
      "k columns bright for every row for dense matrices (TMS hidden identity: k = n_hidden; " +
      `ResidMLP mlp_out: k = d_mlp).${note}`,
    { hconcat: panels, resolve: { scale: { color: "shared" } } },
    110,
  );
}
