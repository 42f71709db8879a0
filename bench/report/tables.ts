/**
 * The report's tables, built with arquero from records alone: every run,
 * each setup aggregated over seeds next to the paper's values, robustness
 * per toy × method, and speed per toy × method × backend.
 *
 * @module
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { type Criterion, runSolved, runVerdict } from "../metrics/criteria.ts";
import { robustness } from "../metrics/robustness.ts";
import type { RunRecord } from "../records/record.ts";
import type { ThroughputPoint } from "./charts/throughput.ts";
import { paperValue } from "./paper_values.ts";
import type { Setup } from "./setups.ts";

/** One titled table. */
export interface ReportTable {
  /** Short id. */
  readonly id: string;
  /** Heading. */
  readonly title: string;
  /** What the table shows. */
  readonly note: string;
  /** The data. */
  readonly table: ColumnTable;
}

const { op } = aq;

function metric(r: RunRecord, name: string): number | null {
  const v = r.metrics[name]?.value;
  return v === undefined || !Number.isFinite(v) ? null : v;
}

/** Every run: setup, seed, status, verdict, headline metrics, speed. */
export function runsTable(
  setups: readonly Setup[],
  criterionFor: (toy: string) => Criterion,
): ColumnTable {
  const rows = setups.flatMap((s) =>
    s.records.map((r) => ({
      setup: s.label,
      seed: r.seed,
      backend: r.backend,
      verdict: runVerdict(r, criterionFor(r.toy)),
      mmcs: metric(r, "mmcs"),
      ml2r: metric(r, "ml2r"),
      ci_pattern_error: metric(r, "ci_pattern_error"),
      alive_norm_ratio: metric(r, "alive_norm_ratio"),
      steps: r.timing.stepsDone,
      steps_per_s: r.timing.stepsPerSecond,
      wall_min: r.timing.wallTimeS / 60,
    }))
  );
  return aq.from(rows);
}

/** Per setup: runs, solved, mean ± std of MMCS and ML2R over seeds, and the paper's values. */
export function setupsTable(
  setups: readonly Setup[],
  criterionFor: (toy: string) => Criterion,
): ColumnTable {
  const rows = setups.flatMap((s) =>
    s.records.map((r) => ({
      setup: s.label,
      toy: s.toy,
      method: s.method,
      solved: runSolved(r, criterionFor(r.toy)) ? 1 : 0,
      mmcs: metric(r, "mmcs"),
      ml2r: metric(r, "ml2r"),
    }))
  );
  if (rows.length === 0) return aq.table({});
  return aq.from(rows)
    .groupby("setup", "toy", "method")
    .rollup({
      runs: op.count(),
      solved: op.sum("solved"),
      mmcs_mean: op.mean("mmcs"),
      mmcs_std: op.stdevp("mmcs"),
      ml2r_mean: op.mean("ml2r"),
      ml2r_std: op.stdevp("ml2r"),
    })
    .derive({
      paper_mmcs: aq.escape((d: { toy: string; method: string }) =>
        paperValue(d.toy, d.method)?.mmcs ?? null
      ),
      paper_ml2r: aq.escape((d: { toy: string; method: string }) =>
        paperValue(d.toy, d.method)?.ml2r ?? null
      ),
    })
    .select(aq.not("toy", "method"));
}

/** Per toy × method: grid cells, fraction of cells solved (rate ≥ 50%), runs solved. */
export function robustnessTable(
  records: readonly RunRecord[],
  criterionFor: (toy: string) => Criterion,
): ColumnTable {
  const { methods } = robustness(records, criterionFor);
  return aq.from(methods.map((m) => ({
    toy: m.toy,
    method: m.method,
    cells: m.cells,
    grid_solved: m.gridFraction,
    runs_solved: m.runRate,
    ml2r_min: Number.isNaN(m.ml2rRange[0]) ? null : m.ml2rRange[0],
    ml2r_max: Number.isNaN(m.ml2rRange[1]) ? null : m.ml2rRange[1],
  })));
}

/** Per toy × method × backend × source: mean steps per second and the number of measurements. */
export function throughputTable(points: readonly ThroughputPoint[]): ColumnTable {
  if (points.length === 0) return aq.table({});
  return aq.from(points.map((p) => ({ ...p })))
    .groupby("toy", "method", "backend", "source")
    .rollup({ n: op.count(), steps_per_s: op.mean("stepsPerSecond") })
    .orderby("toy", "method", "backend", "source");
}

/** A cell as text: "-" for missing, numbers with 4 decimals (4 significant digits below 1). */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "-";
  if (typeof v !== "number") return String(v);
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  const s = Math.abs(v) >= 1 ? v.toFixed(4) : v.toPrecision(4);
  return s.includes("e") ? s : s.replace(/0+$/, "").replace(/\.$/, "");
}

function formats(table: ColumnTable): Record<string, (v: unknown) => string> {
  return Object.fromEntries(table.columnNames().map((c) => [c, formatCell]));
}

/** A table as GitHub Markdown (arquero's `toMarkdown`), or "(no data)". */
export function tableMarkdown(table: ColumnTable): string {
  return table.numRows() ? table.toMarkdown({ format: formats(table) }).trim() : "(no data)";
}

/** A table as an HTML `<table>` (arquero's `toHTML`), or a "(no data)" paragraph. */
export function tableHtml(table: ColumnTable): string {
  return table.numRows() ? table.toHTML({ format: formats(table) }) : "<p>(no data)</p>";
}

/** All tables of a report, with titles and notes. */
export function reportTables(
  setups: readonly Setup[],
  records: readonly RunRecord[],
  points: readonly ThroughputPoint[],
  criterionFor: (toy: string) => Criterion,
): ReportTable[] {
  return [
    {
      id: "setups",
      title: "Recovery per setup (mean ± population std over seeds) and the paper's values",
      note: "solved = runs meeting the toy's success criterion; paper values from " +
        "SPD Table 1 / APD Table 1 where reported.",
      table: setupsTable(setups, criterionFor),
    },
    {
      id: "runs",
      title: "Every run",
      note: "verdict against the toy's success criterion; wall time includes evaluation.",
      table: runsTable(setups, criterionFor),
    },
    {
      id: "robustness",
      title: "Robustness per toy × method",
      note: "grid_solved = fraction of configs with success rate ≥ 50%; runs_solved over all " +
        "runs; ML2R range over the configs' means.",
      table: robustnessTable(records, criterionFor),
    },
    {
      id: "throughput",
      title: "Training speed",
      note: "mean steps per second per toy × method × backend and source.",
      table: throughputTable(points),
    },
  ];
}
