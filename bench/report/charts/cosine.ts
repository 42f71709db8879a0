/**
 * The component-to-feature cosine matrix on the ground-truth layer (spd.md
 * §7.1), from a record's artifacts, with each feature's best match outlined.
 *
 * @module
 */
import type { RunRecord } from "../../records/record.ts";
import { chartId, makeChart, type ReportChart } from "../chart.ts";
import { runLabel, type Setup } from "../setups.ts";

/** Cells of the cosine matrix: component row, feature column, cosine, best-match flag. */
export function cosineCells(
  record: RunRecord,
): { row: number; component: string; feature: number; value: number; best: boolean }[] {
  const cos = record.artifacts?.cosine;
  if (!cos) return [];
  return cos.values.flatMap((row, k) =>
    row.map((value, j) => ({
      row: k,
      component: `c${cos.components[k]}`,
      feature: j,
      value,
      best: cos.bestComponent[j] === cos.components[k],
    }))
  );
}

/** The cosine heatmap for a setup's first record with artifacts, or null without a cosine artifact. */
export function cosineChart(setup: Setup, record: RunRecord): ReportChart | null {
  const cos = record.artifacts?.cosine;
  if (!cos) return null;
  const rows = cos.components.length, cols = cos.values[0]?.length ?? 0;
  const cell = Math.max(5, Math.min(34, Math.floor(560 / Math.max(rows, cols))));
  const cells = cosineCells(record);
  const showText = rows * cols <= 400 && cell >= 26;
  const rect = {
    mark: { type: "rect" },
    encoding: {
      x: {
        field: "feature",
        type: "ordinal",
        title: "true feature j (its column of the target W)",
      },
      y: {
        field: "row",
        type: "ordinal",
        title: "component (best matches first)",
        axis: {
          labelExpr: rows <= 60 ? `[${cos.components.join(",")}][datum.value]` : "''",
          ticks: rows <= 60,
        },
      },
      color: {
        field: "value",
        type: "quantitative",
        title: ["cosine (unitless,", "−1 to 1)"],
        scale: { domain: [-1, 1], scheme: "redblue" },
      },
      tooltip: [
        { field: "component" },
        { field: "feature" },
        { field: "value", format: ".4f", title: "cosine" },
        { field: "best", title: "best match" },
      ],
    },
  };
  const outline = {
    transform: [{ filter: "datum.best" }],
    mark: { type: "rect", fill: null, stroke: "#111", strokeWidth: 2 },
    encoding: { x: { field: "feature", type: "ordinal" }, y: { field: "row", type: "ordinal" } },
  };
  const text = {
    mark: { type: "text", fontSize: 9 },
    encoding: {
      x: { field: "feature", type: "ordinal" },
      y: { field: "row", type: "ordinal" },
      text: { field: "value", format: ".2f" },
      color: { condition: { test: "abs(datum.value) > 0.6", value: "white" }, value: "#222" },
    },
  };
  const note = cos.dropped > 0
    ? ` ${cos.dropped} components that are neither alive nor a best match are not shown.`
    : "";
  return makeChart(
    chartId("cosine", setup.toy, setup.method, setup.variant || "main"),
    `Component-to-feature cosine on ${cos.layer}: ${setup.label}, ${runLabel(record)}`,
    "Cell (component c, feature j): cosine between c's column for input j and the target's " +
      "column W[:, j]. Outlined: each feature's best match, the cell MMCS averages and ML2R " +
      "measures. Good: every column has one outlined cell ≈ 1 (dark blue), each feature " +
      "matched by a different component. Rows below the matches are the other components; " +
      "their cosines mean little when their norms are ≈ 0 (see the alive/dead norm ratio in " +
      `summary.md).${note}`,
    {
      width: cols * cell,
      height: rows * cell,
      data: { values: cells },
      layer: showText ? [rect, outline, text] : [rect, outline],
    },
    90,
  );
}
