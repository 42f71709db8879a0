/**
 * Robustness heatmaps: success rate per grid cell (seeds aggregated, Wilson
 * 95% interval in the tooltip) for one toy × method, from
 * {@linkcode robustness}. The config field with the most values runs along
 * x; the other varying fields label the rows.
 *
 * @module
 */
import type { Criterion } from "../../metrics/criteria.ts";
import { type CellRobustness, formatFailures, robustness } from "../../metrics/robustness.ts";
import type { RunRecord } from "../../records/record.ts";
import { chartId, makeChart, type ReportChart } from "../chart.ts";

/** Splits a cell label `a=1,b=2` into its fields (an empty label has none). */
export function cellFields(label: string): [string, string][] {
  if (!label) return [];
  return label.split(",").map((kv) => {
    const eq = kv.indexOf("=");
    return [kv.slice(0, eq), kv.slice(eq + 1)];
  });
}

const byValue = (a: string, b: string) => {
  const x = Number(a), y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) ? x - y : a.localeCompare(b);
};

/** Row labels such as `lr=0.01, topk=0.25`: field by field, values compared as numbers. */
const byConfigLabel = (a: string, b: string): number => {
  const pa = a.split(", "), pb = b.split(", ");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const [ka, va = ""] = pa[i].split("="), [kb, vb = ""] = pb[i].split("=");
    const c = ka.localeCompare(kb) || byValue(va, vb);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
};

/** Heatmap rows for one toy × method's cells: x field value, row label, rate, counts, interval. */
export function robustnessCells(cells: readonly CellRobustness[]): {
  xField: string;
  rows: Record<string, unknown>[];
} {
  const fields = cells.map((c) => cellFields(c.cell));
  const names = [...new Set(fields.flatMap((f) => f.map(([k]) => k)))];
  const distinct = (k: string) => new Set(fields.map((f) => f.find(([n]) => n === k)?.[1])).size;
  const xField = [...names].sort((a, b) => distinct(b) - distinct(a) || a.localeCompare(b))[0] ??
    "";
  const rows = cells.map((c, i) => {
    const f = fields[i];
    const x = f.find(([k]) => k === xField)?.[1] ?? "(single config)";
    const rest = f.filter(([k]) => k !== xField).map(([k, v]) => `${k}=${v}`).join(", ");
    return {
      x,
      row: rest || "(all)",
      rate: c.rate,
      label: `${c.successes}/${c.runs}`,
      lo: c.interval[0],
      hi: c.interval[1],
      ml2r: Number.isNaN(c.ml2rMean) ? null : c.ml2rMean,
      why: formatFailures(c.failures) || "-",
    };
  });
  return { xField, rows };
}

/** One heatmap per toy × method present in `records`. */
export function robustnessCharts(
  records: readonly RunRecord[],
  criterionFor: (toy: string) => Criterion,
): ReportChart[] {
  const { cells } = robustness(records, criterionFor);
  const groups = new Map<string, CellRobustness[]>();
  for (const c of cells) {
    const key = `${c.toy}\u0000${c.method}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].map((group) => {
    const { toy, method } = group[0];
    const { xField, rows } = robustnessCells(group);
    const xs = [...new Set(rows.map((r) => r.x as string))].sort(byValue);
    const ys = [...new Set(rows.map((r) => r.row as string))].sort(byConfigLabel);
    const criterion = criterionFor(toy);
    const checks = criterion.checks.map((c) => `${c.metric} ${c.op} ${c.value}`).join(", ");
    const enc = {
      x: {
        field: "x",
        type: "ordinal",
        sort: xs,
        title: xField ? `${xField} (config value)` : "config",
        axis: { labelAngle: 0 },
      },
      y: { field: "row", type: "ordinal", sort: ys, title: "other config fields" },
    };
    return makeChart(
      chartId("robustness", toy, method),
      `Robustness: success rate per config, ${toy} · ${method}`,
      `Each cell is one config; colour is the fraction of its seeds that meet '${criterion.name}' ` +
        `(${checks}); the text is solved/run. Diverged and failed runs count as failures; the ` +
        "tooltip gives the Wilson 95% interval, the mean ML2R and, per unmet check, how many " +
        "runs missed it. Good: green (rate 1) over most of the grid, i.e. the method does not " +
        "need its hyperparameters tuned to succeed.",
      {
        data: { values: rows },
        width: Math.max(120, 64 * xs.length),
        height: Math.max(40, 26 * ys.length),
        encoding: enc,
        layer: [
          {
            mark: { type: "rect", stroke: "white", strokeWidth: 1 },
            encoding: {
              color: {
                field: "rate",
                type: "quantitative",
                title: ["success rate", "(fraction of seeds)"],
                scale: { domain: [0, 1], scheme: "redyellowgreen" },
                legend: { format: ".0%" },
              },
              tooltip: [
                { field: "x", title: xField || "config" },
                { field: "row", title: "other fields" },
                { field: "label", title: "solved/runs" },
                { field: "rate", format: ".0%" },
                { field: "lo", format: ".0%", title: "95% CI low" },
                { field: "hi", format: ".0%", title: "95% CI high" },
                { field: "ml2r", format: ".4f", title: "mean ML2R" },
                { field: "why", title: "runs failing each check" },
              ],
            },
          },
          {
            mark: { type: "text", fontSize: 11 },
            encoding: {
              text: { field: "label" },
              color: { condition: { test: "datum.rate >= 0.8", value: "white" }, value: "#111" },
            },
          },
        ],
      },
      100,
    );
  });
}
