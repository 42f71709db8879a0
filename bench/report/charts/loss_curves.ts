/**
 * Training curves per setup: every loss term the records carry (names are
 * read from the records, so any method's terms work), one line per seed, on
 * a log scale.
 *
 * @module
 */
import { chartId, makeChart, type ReportChart } from "../chart.ts";
import type { Setup } from "../setups.ts";

/** Curve points as long-form rows (term, step, value, seed); non-positive values are left out. */
export function lossRows(
  setup: Setup,
): { term: string; step: number; value: number; seed: string }[] {
  return setup.records.flatMap((r) =>
    r.curve.flatMap((p) =>
      Object.entries(p.losses)
        .filter(([, v]) => Number.isFinite(v) && v > 0)
        .map(([term, value]) => ({ term, step: p.step, value, seed: `seed ${r.seed}` }))
    )
  );
}

/** The loss-curve chart of a setup, or null when its records have no curve. */
export function lossCurveChart(setup: Setup): ReportChart | null {
  const rows = lossRows(setup);
  if (rows.length === 0) return null;
  const terms = [...new Set(rows.map((r) => r.term))];
  const every = setup.records.find((r) => typeof r.config.logEvery === "number")?.config
    .logEvery;
  const cadence = every === undefined ? "" : ` Sampled every ${every} steps.`;
  return makeChart(
    chartId("loss_curves", setup.toy, setup.method, setup.variant || "main"),
    `Training loss terms: ${setup.label}`,
    "One panel per loss term as the method names it, one line per seed, value on the sampled " +
      "training batch (log scale; non-positive values omitted). Good: reconstruction and " +
      "faithfulness terms fall by orders of magnitude and flatten, the sparsity term " +
      "(importance minimality / simplicity) settles, seeds agree, and nothing rises at the " +
      `end.${cadence}`,
    {
      data: { values: rows },
      facet: { field: "term", type: "nominal", title: null, sort: terms },
      columns: Math.min(3, terms.length),
      spec: {
        width: 230,
        height: 140,
        mark: { type: "line", strokeWidth: 1.4, clip: true },
        encoding: {
          x: { field: "step", type: "quantitative", title: "optimizer step" },
          y: {
            field: "value",
            type: "quantitative",
            scale: { type: "log" },
            title: "loss (log scale)",
            axis: { format: "~e", tickCount: 4 },
          },
          color: { field: "seed", type: "nominal", title: "seed", sort: "ascending" },
          tooltip: [{ field: "seed" }, { field: "step" }, { field: "value", format: ".4e" }],
        },
      },
      resolve: { scale: { y: "independent" } },
    },
    110,
  );
}
