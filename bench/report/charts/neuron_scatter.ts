/**
 * Residual MLPs: target against fitted neuron contributions per MLP layer
 * (spd.md §7.6), with the line y = x, from a record's artifacts.
 *
 * @module
 */
import type { RunRecord } from "../../records/record.ts";
import { chartId, makeChart, type ReportChart } from "../chart.ts";
import { runLabel, type Setup } from "../setups.ts";

const SUMMED = "summed W_out";
const PAIRED = "own W_out";

/** The scatter for a setup's first record with residual artifacts, or null without them. */
export function neuronScatterChart(setup: Setup, record: RunRecord): ReportChart | null {
  const layers = record.artifacts?.neuronContributions ?? [];
  if (layers.length === 0) return null;
  const dropped: string[] = [];
  const panels = layers.map((nc) => {
    const series: [string, readonly number[]][] = [[SUMMED, nc.fitted]];
    if (nc.fittedPaired) series.push([PAIRED, nc.fittedPaired]);
    const points = series.flatMap(([readout, fitted]) =>
      nc.target.map((t, k) => ({
        feature: nc.feature[k],
        neuron: nc.neuron[k],
        target: t,
        fitted: fitted[k],
        readout,
      }))
    );
    const ext = Math.max(
      ...nc.target.map(Math.abs),
      ...series.flatMap(([, fitted]) => fitted.map(Math.abs)),
      1e-12,
    );
    const prefix = nc.layer.replace(/\.mlp_in$/, "");
    const value = (name: string) => record.metrics[`${name}.${prefix}`]?.value;
    const r = value("neuron_contrib_pearson");
    const slope = value("neuron_contrib_slope");
    const pairedSlope = value("neuron_contrib_slope_paired");
    const stats = [
      r === undefined ? "" : `Pearson r ${r.toFixed(4)}`,
      slope === undefined ? "" : `slope ${slope.toFixed(4)}`,
      pairedSlope === undefined ? "" : `own W_out ${pairedSlope.toFixed(4)}`,
    ].filter(Boolean).join(", ");
    if (nc.dropped > 0) {
      dropped.push(`${prefix}: ${nc.dropped} pairs with |value| < ${nc.droppedBelow}`);
    }
    return {
      title: { text: `${prefix}${stats ? ` (${stats})` : ""}`, fontSize: 12, fontWeight: "normal" },
      width: 300,
      height: 300,
      layer: [
        {
          data: { values: [{ x: -ext, y: -ext }, { x: ext, y: ext }] },
          mark: { type: "line", color: "#e45756", strokeDash: [5, 4] },
          encoding: {
            x: { field: "x", type: "quantitative" },
            y: { field: "y", type: "quantitative" },
          },
        },
        {
          data: { values: points },
          mark: { type: "point", filled: true, size: 14, opacity: 0.5 },
          encoding: {
            color: {
              field: "readout",
              type: "nominal",
              title: "out-connection",
              scale: { domain: series.map(([name]) => name), range: ["#4c78a8", "#f58518"] },
              ...(series.length === 1 ? { legend: null } : {}),
            },
            x: {
              field: "target",
              type: "quantitative",
              title: "target contribution (a.u.)",
              scale: { domain: [-ext, ext] },
            },
            y: {
              field: "fitted",
              type: "quantitative",
              title: "best component's contribution (a.u.)",
              scale: { domain: [-ext, ext] },
            },
            tooltip: [
              { field: "feature" },
              { field: "neuron" },
              { field: "target" },
              { field: "fitted" },
              { field: "readout" },
            ],
          },
        },
      ],
    };
  });
  const note = dropped.length ? ` Left out near the origin: ${dropped.join("; ")}.` : "";
  return makeChart(
    chartId("neuron_contributions", setup.toy, setup.method, setup.variant || "main"),
    `Neuron contributions, target vs decomposition: ${setup.label}, ${runLabel(record)}`,
    "Each point is one (feature, MLP neuron) pair: x = how much the target MLP's neuron " +
      "carries the feature (in-weight × out-weight along the feature's embedding), y = the " +
      "same for the feature's single best mlp_in component with the summed mlp_out " +
      "(spd.md §7.6; for a method whose components span layers, as APD's, also with the " +
      "component's own mlp_out part, as the APD paper draws it). Good: points on the dashed " +
      `line y = x (Pearson r ≈ 1, slope ≈ 1); slope < 1 is shrinkage.${note}`,
    { hconcat: panels },
    100,
  );
}
