/**
 * What every report chart shares: its descriptor (id, title, caption, the
 * Vega-Lite spec), the common look (font, sizes) and the caption wrapping that
 * puts the caption into the rendered image.
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";

/** The Vega-Lite schema every spec declares. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Font of all chart text; the renderer ships its TTF so PNG text never depends on the host. */
export const CHART_FONT = "DejaVu Sans";

/** One chart of a report. */
export interface ReportChart {
  /** File-name-safe id, e.g. `recovery` or `ci_heatmap__tms_5-2__spd`. */
  readonly id: string;
  /** Title shown above the chart. */
  readonly title: string;
  /** What is shown and what a good result looks like (also in the spec's subtitle). */
  readonly caption: string;
  /** The Vega-Lite spec, data inlined. */
  readonly spec: TopLevelSpec;
}

/** Splits text into lines of at most `width` characters at spaces. */
export function wrapText(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** A file-name-safe id from parts (`a__b__c`; characters outside [A-Za-z0-9._-] become `_`). */
export function chartId(...parts: string[]): string {
  return parts.map((p) => p.replace(/[^A-Za-z0-9._-]/g, "_")).join("__");
}

/** The config block every spec carries: font, title and axis sizes, white background. */
export const CHART_CONFIG = {
  font: CHART_FONT,
  background: "white",
  padding: 12,
  title: {
    anchor: "start",
    fontSize: 15,
    subtitleFontSize: 11.5,
    subtitleColor: "#333",
    subtitlePadding: 6,
    offset: 14,
  },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: "normal",
    labelLimit: 360,
    maxExtent: 400,
  },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", labelLimit: 320 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: "#ccc" },
} as const;

/**
 * Completes a chart: `$schema`, the title with the caption as wrapped
 * subtitle (so the caption is part of the SVG/PNG), `description` and config.
 * `width` is the caption's wrap width in characters.
 */
export function makeChart(
  id: string,
  title: string,
  caption: string,
  body: Record<string, unknown>,
  wrap = 100,
): ReportChart {
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: title, subtitle: wrapText(caption, wrap) },
    description: caption,
    ...body,
    config: CHART_CONFIG,
  } as unknown as TopLevelSpec;
  return { id, title, caption, spec };
}

function isFlat(v: unknown): boolean {
  if (v === null || typeof v !== "object") return true;
  const items = Array.isArray(v) ? v : Object.values(v);
  return items.every((x) => x === null || typeof x !== "object");
}

/**
 * A spec as readable JSON: nested structure indented, but flat arrays and
 * flat objects (data rows, domains, ranges) on one line each, so inline data
 * stays compact.
 */
export function specToJson(spec: unknown, indent = ""): string {
  if (isFlat(spec)) return JSON.stringify(spec);
  const inner = indent + "  ";
  if (Array.isArray(spec)) {
    return `[\n${spec.map((x) => inner + specToJson(x, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(spec as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${inner}${JSON.stringify(k)}: ${specToJson(v, inner)}`);
  return `{\n${entries.join(",\n")}\n${indent}}`;
}
