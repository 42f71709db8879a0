/**
 * `deno task robustness FILE…`: Markdown robustness tables from records —
 * per grid cell the success rate over seeds with its Wilson 95% interval,
 * the mean ML2R and how many runs missed each check of the success criterion,
 * and per toy × method the fraction of the grid that succeeds.
 *
 * @module
 */
import { formatFailures, getToy, robustness, type RunRecord } from "../mod.ts";
import { formatMarkdownTable } from "./lib/table.ts";
import { withPlugins } from "./lib/plugins.ts";
import { readRecords } from "./lib/records_file.ts";

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/** The two Markdown tables for a set of records. */
export function robustnessMarkdown(records: readonly RunRecord[]): string {
  const { cells, methods } = robustness(records, (toy) => getToy(toy).success);
  const cellTable = formatMarkdownTable(
    ["toy", "method", "cell", "solved", "rate", "95% CI", "mean ML2R", "runs failing each check"],
    cells.map((c) => [
      c.toy,
      c.method,
      c.cell || "(single config)",
      `${c.successes}/${c.runs}`,
      pct(c.rate),
      `${pct(c.interval[0])}–${pct(c.interval[1])}`,
      Number.isNaN(c.ml2rMean) ? "-" : c.ml2rMean.toFixed(4),
      formatFailures(c.failures) || "-",
    ]),
  );
  const methodTable = formatMarkdownTable(
    ["toy", "method", "cells", "grid solved (rate ≥ 50%)", "runs solved", "ML2R range over cells"],
    methods.map((m) => [
      m.toy,
      m.method,
      m.cells,
      pct(m.gridFraction),
      pct(m.runRate),
      Number.isNaN(m.ml2rRange[0])
        ? "-"
        : `${m.ml2rRange[0].toFixed(4)}–${m.ml2rRange[1].toFixed(4)}`,
    ]),
  );
  return `${cellTable}\n\n${methodTable}`;
}

if (import.meta.main) {
  try {
    const files = await withPlugins(Deno.args);
    if (files.length === 0) {
      console.error("usage: deno task robustness [--plugin FILE …] RECORDS.jsonl …");
      Deno.exit(2);
    }
    console.log(robustnessMarkdown((await Promise.all(files.map(readRecords))).flat()));
  } catch (err) {
    console.error(`robustness: ${(err as Error).message}`);
    Deno.exit(2);
  }
}
