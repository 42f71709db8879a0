/**
 * `deno task summary FILE…`: a Markdown table of run records with each run's
 * verdict against its toy's success criterion, then one row per toy × method
 * side by side (seeds aggregated).
 *
 * @module
 */
import {
  getToy,
  groupSetups,
  type RunRecord,
  runSolved,
  runVerdict,
  TOP1_SPLIT_ERROR,
} from "../mod.ts";
import { withPlugins } from "./lib/plugins.ts";
import { readRecords } from "./lib/records_file.ts";
import { formatMarkdownTable } from "./lib/table.ts";

const METRICS = ["mmcs", "ml2r", "ci_pattern_error", "alive.linear1", "alive_norm_ratio"];

/** Integers as they are; other finite numbers with 4 decimals (MMCS 0.99995 must not read 1). */
function fixed4(v: number | undefined): string | number {
  if (v === undefined) return "-";
  return Number.isInteger(v) || !Number.isFinite(v) ? v : v.toFixed(4);
}

/** The verdict, steps and timing columns every per-run table ends with. */
function runColumns(r: RunRecord): (string | number)[] {
  return [
    runVerdict(r, getToy(r.toy).success),
    r.timing.stepsDone,
    Number(r.timing.wallTimeS.toFixed(0)),
    Number(r.timing.stepsPerSecond.toFixed(1)),
  ];
}

const RUN_HEADERS = ["verdict", "steps", "wall s", "steps/s"];

/** Per-layer prefixes (`layers.0`, …) of a residual-MLP record's neuron-contribution scores. */
function residLayers(r: RunRecord): string[] {
  return Object.keys(r.metrics)
    .map((k) => /^neuron_contrib_pearson\.(.+)$/.exec(k)?.[1])
    .filter((p): p is string => p !== undefined)
    .sort();
}

/** Residual-MLP columns: one value per layer, joined with " / " (`-` where a run lacks it). */
const RESID_COLUMNS: readonly [string, (layer: string) => string][] = [
  ["mlp_in comps / feature", (l) => `components_per_feature.${l}.mlp_in`],
  ["Pearson r", (l) => `neuron_contrib_pearson.${l}`],
  ["slope", (l) => `neuron_contrib_slope.${l}`],
  ["slope, own W_out", (l) => `neuron_contrib_slope_paired.${l}`],
  ["representing 1", (l) => `components_representing_1.${l}`],
  ["representing 2", (l) => `components_representing_2.${l}`],
  ["representing 3+", (l) => `components_representing_3plus.${l}`],
  ["features represented", (l) => `features_represented.${l}`],
];

/** Whole-model ablation tests of a method that measures them (APD; `-` otherwise). */
const ABLATION_COLUMNS: readonly [string, string][] = [
  ["top-1 error, mean", "top1_rel_error_mean"],
  [
    `features split (top-1 error > ${TOP1_SPLIT_ERROR})`,
    `features_top1_rel_error_above_${TOP1_SPLIT_ERROR}`,
  ],
  ["scrubbed MSE", "scrubbed_mse"],
  ["anti-scrubbed MSE", "anti_scrubbed_mse"],
];

/**
 * One Markdown row per record: metrics, verdict (a partial run's as it stood), steps, timing.
 * TMS-style records and residual-MLP records (those with per-layer neuron-contribution scores)
 * get a table each, the residual one with per-layer values joined by " / ".
 */
export function summarize(records: readonly RunRecord[]): string {
  const resid = records.filter((r) => residLayers(r).length > 0);
  const rest = records.filter((r) => residLayers(r).length === 0);
  const tables: string[] = [];
  if (rest.length || !resid.length) {
    tables.push(formatMarkdownTable(
      ["toy", "method", "seed", ...METRICS, ...RUN_HEADERS],
      rest.map((r) => [
        r.toy,
        r.method,
        r.seed,
        ...METRICS.map((m) => fixed4(r.metrics[m]?.value)),
        ...runColumns(r),
      ]),
    ));
  }
  if (resid.length) {
    tables.push(formatMarkdownTable(
      [
        "toy",
        "method",
        "seed",
        "pattern error",
        ...RESID_COLUMNS.map(([h]) => h),
        ...ABLATION_COLUMNS.map(([h]) => h),
        ...RUN_HEADERS,
      ],
      resid.map((r) => [
        r.toy,
        r.method,
        r.seed,
        fixed4(r.metrics.ci_pattern_error?.value),
        ...RESID_COLUMNS.map(([, key]) =>
          residLayers(r).map((l) => fixed4(r.metrics[key(l)]?.value)).join(" / ")
        ),
        ...ABLATION_COLUMNS.map(([, key]) => fixed4(r.metrics[key]?.value)),
        ...runColumns(r),
      ]),
    ));
  }
  return tables.join("\n\n");
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * One Markdown row per toy × method × config (a setup: configs of one toy and
 * method are never pooled; the config column names the fields that tell them
 * apart) over its completed runs: solved count, mean MMCS, ML2R mean ± std over
 * seeds, mean pattern error, median wall time per run and per step, parameter
 * count.
 */
export function compareMethods(records: readonly RunRecord[]): string {
  const setups = groupSetups(records.filter((r) => r.status === "completed"));
  const rows = setups.map(({ records: rs, variant }) => {
    const vals = (m: string) => rs.map((r) => r.metrics[m]?.value).filter((v) => v !== undefined);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ml2r = vals("ml2r");
    const sd = ml2r.length > 1
      ? Math.sqrt(ml2r.reduce((a, v) => a + (v - mean(ml2r)) ** 2, 0) / (ml2r.length - 1))
      : 0;
    const solved = rs.filter((r) => runSolved(r, getToy(r.toy).success));
    const params = vals("parameters");
    return [
      rs[0].toy,
      rs[0].method,
      variant || "-",
      `${solved.length}/${rs.length}`,
      vals("mmcs").length ? mean(vals("mmcs")).toFixed(4) : "-",
      ml2r.length ? `${mean(ml2r).toFixed(4)} ± ${sd.toFixed(4)}` : "-",
      vals("ci_pattern_error").length ? mean(vals("ci_pattern_error")).toFixed(1) : "-",
      `${(median(rs.map((r) => r.timing.wallTimeS)) / 60).toFixed(1)} min`,
      (1000 / median(rs.map((r) => r.timing.stepsPerSecond))).toFixed(1),
      params.length ? params[0] : "-",
    ];
  });
  return formatMarkdownTable(
    [
      "toy",
      "method",
      "config",
      "solved",
      "MMCS",
      "ML2R (± sd over seeds)",
      "pattern error",
      "wall / run",
      "ms / step",
      "parameters",
    ],
    rows,
  );
}

/** Prints both tables for the record files in `argv`; bad input throws. */
export async function main(argv: string[]): Promise<void> {
  const files = await withPlugins(argv);
  if (files.length === 0) {
    throw new Error(
      "no records file given; usage: deno task summary [--plugin FILE …] RECORDS.jsonl …",
    );
  }
  const records = (await Promise.all(files.map(readRecords))).flat();
  records.sort((a, b) =>
    a.toy.localeCompare(b.toy) || a.method.localeCompare(b.method) || a.seed - b.seed
  );
  console.log(summarize(records));
  console.log();
  console.log(compareMethods(records));
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (err) {
    console.error(`summary: ${(err as Error).message}`);
    Deno.exit(2);
  }
}
