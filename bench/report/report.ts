/**
 * A whole report from records alone: the charts (Vega-Lite specs) in reading
 * order and the tables, plus the Markdown summary. Charts that need report
 * artifacts are left out for records written before artifacts existed.
 *
 * @module
 */
import type { Criterion } from "../metrics/criteria.ts";
import { type RunRecord, setupHash } from "../records/record.ts";
import type { ReportChart } from "./chart.ts";
import { ciHeatmapChart } from "./charts/ci_heatmap.ts";
import { cosineChart } from "./charts/cosine.ts";
import { lossCurveChart } from "./charts/loss_curves.ts";
import { neuronScatterChart } from "./charts/neuron_scatter.ts";
import { recoveryChart } from "./charts/recovery.ts";
import { robustnessCharts } from "./charts/robustness.ts";
import {
  throughputChart,
  throughputFromRecords,
  type ThroughputPoint,
} from "./charts/throughput.ts";
import { PAPER_VALUES } from "./paper_values.ts";
import { artifactRecord, groupSetups } from "./setups.ts";
import { type ReportTable, reportTables, tableMarkdown } from "./tables.ts";

/** What a report is built from. */
export interface ReportInput {
  /** Run records (any toys, methods, configs): every chart and table. */
  readonly records: readonly RunRecord[];
  /**
   * Run records of hyperparameter sweeps: they feed the robustness charts and
   * table and the speed chart together with `records`, but get no per-setup
   * charts or recovery rows (a grid of 18 cells would bury the paper setups).
   * A sweep run whose config hash and seed are already in `records` is dropped.
   */
  readonly sweeps?: readonly RunRecord[];
  /** Extra speed measurements from benchmark records. */
  readonly throughput?: readonly ThroughputPoint[];
  /** Each toy's success criterion (e.g. `(toy) => getToy(toy).success`). */
  readonly criterionFor: (toy: string) => Criterion;
  /** Report title. */
  readonly title?: string;
}

/** A built report. */
export interface Report {
  /** Title. */
  readonly title: string;
  /** Charts in reading order. */
  readonly charts: readonly ReportChart[];
  /** Tables. */
  readonly tables: readonly ReportTable[];
  /** Setups without artifacts (their heatmaps and cosine charts are left out). */
  readonly withoutArtifacts: readonly string[];
  /** Provenance lines: commits and machines the records come from. */
  readonly sources: readonly string[];
}

/** Builds every chart and table a set of records supports. */
export function buildReport(input: ReportInput): Report {
  const records = input.records;
  const seen = new Set(records.map((r) => `${setupHash(r)}/${r.seed}`));
  const withSweeps = [
    ...records,
    ...(input.sweeps ?? []).filter((r) => !seen.has(`${setupHash(r)}/${r.seed}`)),
  ];
  const setups = groupSetups(records);
  const points = [...throughputFromRecords(withSweeps), ...(input.throughput ?? [])];
  const charts: ReportChart[] = [];
  const push = (c: ReportChart | null) => c && charts.push(c);
  push(recoveryChart(setups));
  charts.push(...robustnessCharts(withSweeps, input.criterionFor));
  const withoutArtifacts: string[] = [];
  for (const s of setups) {
    const rec = artifactRecord(s);
    if (!rec) {
      const done = s.records.some((r) => r.status === "completed");
      if (done && !withoutArtifacts.includes(s.label)) withoutArtifacts.push(s.label);
      continue;
    }
    push(ciHeatmapChart(s, rec));
    push(cosineChart(s, rec));
    push(neuronScatterChart(s, rec));
  }
  for (const s of setups) push(lossCurveChart(s));
  push(throughputChart(points));
  const sources = [
    ...new Set(withSweeps.map((r) => {
      const p = r.provenance;
      const commit = p.gitCommit ? p.gitCommit.slice(0, 8) : "unknown commit";
      return `${commit}${p.gitDirty ? " (dirty tree)" : ""}, ${p.cpuModel ?? "unknown CPU"} ` +
        `× ${p.cpuCores}, Deno ${p.deno}, TF.js ${p.tfjs}`;
    })),
  ].sort();
  return {
    title: input.title ?? "pdbench reproduction report",
    charts,
    tables: reportTables(setups, withSweeps, points, input.criterionFor),
    withoutArtifacts,
    sources,
  };
}

/** The Markdown summary: what went in, the tables (arquero), and the list of charts. */
export function reportMarkdown(report: Report, inputs: readonly string[] = []): string {
  const lines = [`# ${report.title}`, ""];
  if (inputs.length) {
    lines.push("Built from records alone (no re-training) by `deno task report` from:", "");
    for (const f of inputs) lines.push(`- \`${f}\``);
    lines.push("");
  }
  if (report.sources.length) {
    lines.push("Records produced by:", "");
    for (const s of report.sources) lines.push(`- ${s}`);
    lines.push("");
  }
  if (report.withoutArtifacts.length) {
    lines.push(
      "Records written before report artifacts existed (no importance heatmap, cosine matrix " +
        "or neuron-contribution chart): " + report.withoutArtifacts.join("; ") + ".",
      "",
    );
  }
  for (const t of report.tables) {
    lines.push(`## ${t.title}`, "", t.note, "");
    lines.push(tableMarkdown(t.table), "");
  }
  lines.push("## Paper values marked in the charts", "");
  for (const p of PAPER_VALUES) {
    lines.push(
      `- ${p.toy} · ${p.method}: MMCS ${p.mmcs.toFixed(3)}, ML2R ${
        p.ml2r.toFixed(3)
      } (${p.source})`,
    );
  }
  lines.push("", "## Charts", "");
  for (const c of report.charts) {
    lines.push(`### ${c.title}`, "", `![${c.title}](${c.id}.png)`, "", c.caption, "");
    lines.push(`Spec: [\`${c.id}.vl.json\`](${c.id}.vl.json) · [SVG](${c.id}.svg)`, "");
  }
  return lines.join("\n");
}
