/**
 * Training speed: steps per second per toy × method × backend, from run
 * records (whole training loop) and from any benchmark records that carry a
 * backend and steps per second (e.g. `reports/timing/speed.jsonl`).
 *
 * @module
 */
import type { RunRecord } from "../../records/record.ts";
import { makeChart, type ReportChart } from "../chart.ts";

/** One speed measurement. */
export interface ThroughputPoint {
  /** Toy id. */
  readonly toy: string;
  /** Method id. */
  readonly method: string;
  /** Backend name. */
  readonly backend: string;
  /** Training steps per second. */
  readonly stepsPerSecond: number;
  /** Where it comes from: `training run` or the benchmark record's `kind`. */
  readonly source: string;
  /** Batch size, when known. */
  readonly batchSize?: number;
  /** The code measured (its commit, 7 hex digits), when known: older code's points stay in the chart. */
  readonly commit?: string;
}

/**
 * A throughput point from any parsed JSON object that has string `toy`,
 * `method`, `backend` and a positive finite `stepsPerSecond`; null otherwise.
 */
export function throughputFromJson(o: unknown): ThroughputPoint | null {
  const r = o as Record<string, unknown>;
  if (!r || typeof r !== "object") return null;
  const sps = r.stepsPerSecond;
  if (
    typeof r.toy !== "string" || typeof r.method !== "string" || typeof r.backend !== "string" ||
    typeof sps !== "number" || !Number.isFinite(sps) || sps <= 0
  ) return null;
  return {
    toy: r.toy,
    method: r.method,
    backend: r.backend,
    stepsPerSecond: sps,
    source: typeof r.kind === "string" ? r.kind : "benchmark",
    ...(typeof r.batchSize === "number" ? { batchSize: r.batchSize } : {}),
    ...(typeof r.revision === "string" ? { commit: r.revision.slice(0, 7) } : {}),
  };
}

/** Throughput points of completed run records (training loop steps per second). */
export function throughputFromRecords(records: readonly RunRecord[]): ThroughputPoint[] {
  return records
    .filter((r) => r.status === "completed" && r.timing.stepsPerSecond > 0)
    .map((r) => ({
      toy: r.toy,
      method: r.method,
      backend: r.backend,
      stepsPerSecond: r.timing.stepsPerSecond,
      source: "training run",
      ...(typeof r.config.batchSize === "number" ? { batchSize: r.config.batchSize } : {}),
      ...(r.provenance.gitCommit ? { commit: r.provenance.gitCommit.slice(0, 7) } : {}),
    }));
}

/** The steps-per-second chart, or null without points. */
export function throughputChart(points: readonly ThroughputPoint[]): ReportChart | null {
  if (points.length === 0) return null;
  const rows = points.map((p) => ({
    ...p,
    group: `${p.toy} · ${p.method}`,
    batch: p.batchSize ?? null,
    commit: p.commit ?? null,
  }));
  const groups = [...new Set(rows.map((r) => r.group))].sort();
  return makeChart(
    "throughput",
    "Training speed: steps per second per toy × method × backend",
    "Each point is one measurement: a training run's whole loop (steps done / training " +
      "time) or a benchmark record (the speed benchmark's median step at the paper " +
      "config). Colour: backend; shape: source. Log scale. Higher is better; compare backends " +
      "within a row, since batch size and machine load differ between rows and sources. " +
      "Measurements of older code stay; the tooltip names each point's commit.",
    {
      data: { values: rows },
      width: 460,
      height: { step: 26 },
      mark: { type: "point", filled: true, size: 80, opacity: 0.8 },
      encoding: {
        y: { field: "group", type: "nominal", sort: groups, title: "toy · method" },
        x: {
          field: "stepsPerSecond",
          type: "quantitative",
          scale: { type: "log" },
          title: "training steps per second (log scale)",
          axis: { format: "~g" },
        },
        color: { field: "backend", type: "nominal", title: "backend" },
        shape: { field: "source", type: "nominal", title: "source" },
        tooltip: [
          { field: "group", title: "toy · method" },
          { field: "backend" },
          { field: "source" },
          { field: "batch", title: "batch size" },
          { field: "stepsPerSecond", format: ".3f", title: "steps/s" },
          { field: "commit", title: "code (commit)" },
        ],
      },
    },
    110,
  );
}
