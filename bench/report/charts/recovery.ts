/**
 * Recovery (MMCS) and shrinkage (ML2R) per setup (toy × method × config): one
 * point per seed, the mean over seeds, and the paper's value marked.
 *
 * @module
 */
import { makeChart, type ReportChart } from "../chart.ts";
import { paperValue } from "../paper_values.ts";
import type { Setup } from "../setups.ts";

const SEED = "this suite: one seed";
const MEAN = "this suite: mean over seeds";
const PAPER = "paper (Table 1)";

const PANELS = [
  {
    metric: "mmcs",
    name: "MMCS",
    axis: "MMCS: mean max cosine similarity (unitless; 1 = every feature found)",
  },
  {
    metric: "ml2r",
    name: "ML2R",
    axis: "ML2R: mean ‖best component‖ / ‖feature‖ (unitless; 1 = no shrinkage)",
  },
] as const;

/** Data rows: per completed run and metric, the mean per setup, and the paper's values. */
export function recoveryRows(setups: readonly Setup[]): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const s of setups) {
    const paper = paperValue(s.toy, s.method);
    for (const p of PANELS) {
      const values = s.records
        .filter((r) => r.status === "completed" && r.metrics[p.metric] !== undefined)
        .map((r) => ({ seed: r.seed, value: r.metrics[p.metric].value }));
      if (values.length === 0) continue;
      for (const v of values) {
        rows.push({ setup: s.label, metric: p.name, kind: SEED, seed: v.seed, value: v.value });
      }
      const mean = values.reduce((a, b) => a + b.value, 0) / values.length;
      rows.push({ setup: s.label, metric: p.name, kind: MEAN, n: values.length, value: mean });
      if (paper) {
        rows.push({
          setup: s.label,
          metric: p.name,
          kind: PAPER,
          value: paper[p.metric],
          source: paper.source,
        });
      }
    }
  }
  return rows;
}

/** The recovery chart, or null when no record has MMCS/ML2R (e.g. only residual MLPs). */
export function recoveryChart(setups: readonly Setup[]): ReportChart | null {
  const rows = recoveryRows(setups);
  if (rows.length === 0) return null;
  const labels = [...new Set(rows.map((r) => r.setup as string))];
  const color = {
    field: "kind",
    type: "nominal",
    title: null,
    scale: { domain: [SEED, MEAN, PAPER], range: ["#4c78a8", "#111111", "#e45756"] },
    legend: { orient: "bottom", direction: "horizontal" },
  };
  const shape = {
    field: "kind",
    type: "nominal",
    title: null,
    scale: {
      domain: [SEED, MEAN, PAPER],
      range: ["circle", "M-0.12,-1.3h0.24v2.6h-0.24z", "diamond"],
    },
  };
  // A span of at least 0.015 around the ideal 1, so ticks stay distinct when every value is ≈ 1.
  const domain = (name: string): [number, number] => {
    const v = rows.filter((r) => r.metric === name).map((r) => r.value as number);
    return [Math.min(...v, 0.99), Math.max(...v, 1.005)];
  };
  const panel = (p: typeof PANELS[number], i: number) => ({
    width: 330,
    height: { step: 30 },
    transform: [{ filter: { field: "metric", equal: p.name } }],
    layer: [
      { mark: { type: "rule", strokeDash: [4, 3], color: "#888" }, encoding: { x: { datum: 1 } } },
      {
        mark: { type: "point", filled: true, size: 90, opacity: 0.8 },
        encoding: {
          y: {
            field: "setup",
            type: "nominal",
            sort: labels,
            title: i === 0 ? "toy · method" : null,
            axis: i === 0 ? { labelLimit: 360 } : { labels: false, ticks: false },
          },
          x: {
            field: "value",
            type: "quantitative",
            title: p.axis,
            scale: { domain: domain(p.name), zero: false, nice: false, padding: 14 },
            axis: { format: ".4~f", tickCount: 5 },
          },
          color,
          shape,
          size: {
            condition: { test: `datum.kind === '${PAPER}'`, value: 170 },
            value: 90,
          },
          tooltip: [
            { field: "setup" },
            { field: "kind" },
            { field: "seed" },
            { field: "value", format: ".5f" },
            { field: "source" },
          ],
        },
      },
    ],
  });
  return makeChart(
    "recovery",
    "Recovery (MMCS) and shrinkage (ML2R) per toy × method",
    "Blue: each seed of this suite; black bar: mean over seeds; red diamond: the paper's " +
      "reported value; dashed line: the ideal 1. Good: MMCS at 1.000 (every true feature has a " +
      "component pointing along it) and ML2R at 1 (no shrinkage), on or near the paper's " +
      "diamond. The SPD paper reports ML2R 0.99–1.03; APD's ≈ 0.9 is the shrinkage SPD " +
      "removes.",
    {
      data: { values: rows },
      hconcat: PANELS.map(panel),
      resolve: { scale: { y: "shared" } },
    },
    110,
  );
}
