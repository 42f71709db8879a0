/**
 * `deno task report [RECORDS.jsonl …] [--out DIR]`: a report folder built
 * from records alone (no re-training): one Vega-Lite spec per chart
 * (`*.vl.json`, validated against the vega-lite package's JSON schema), each
 * rendered to SVG and PNG, a self-contained offline `index.html`, and
 * `summary.md` with the tables.
 *
 * Inputs are JSON-lines files of run records and of benchmark records that
 * carry `toy`, `method`, `backend` and `stepsPerSecond` (e.g. the speed
 * benchmark's). With no files, the committed results are used:
 * `reports/results/`, `reports/sweeps/` and `reports/timing/`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  buildReport,
  getToy,
  parseRunRecord,
  type Report,
  reportHtml,
  reportMarkdown,
  type RunRecord,
  specToJson,
  throughputFromJson,
  type ThroughputPoint,
} from "../mod.ts";
import { readJsonLines, writeFileAtomic } from "./lib/atomic_file.ts";
import { loadPlugins } from "./lib/plugins.ts";
import { specToSvg, svgToPng } from "./lib/render_chart.ts";
import { vegaLiteValidator } from "./lib/vl_schema.ts";

const DEFAULT_DIRS = ["reports/results", "reports/sweeps", "reports/timing"];

/**
 * The file in a report folder that names every file the report wrote there, so
 * that a rebuild replaces exactly those and never a file of someone else's.
 */
export const REPORT_MANIFEST = "report-files.txt";

const USAGE = `usage: deno task report [RECORDS.jsonl …] [options]

  RECORDS.jsonl   run records and/or benchmark records (toy, method, backend, stepsPerSecond);
                  default: every *.jsonl under ${DEFAULT_DIRS.join(", ")}. Run records in a
                  file under a folder named 'sweeps' are sweep runs: they count in the
                  robustness charts and table and the speed chart, not in per-setup charts
  --out DIR       output folder (default: reports/latest). The files an earlier report
                  listed in its ${REPORT_MANIFEST} are replaced; any other file is left
                  alone, and the task stops before overwriting one
  --title TEXT    report title (default: "pdbench reproduction report")
  --plugin FILE   import a module that registers toys or methods first (repeatable), for
                  records of a toy of one's own
  -h, --help      this text`;

/**
 * Run records and throughput points of one JSON-lines file; errors name the
 * file and line. A line with a string `kind` is a benchmark record (the speed
 * benchmark's records carry a `schemaVersion` of their own); one that timed an
 * older revision for comparison (`version: "baseline"`) is skipped, since the
 * chart shows the current code. Any other line must be a run record.
 */
export async function readReportInputs(
  path: string,
): Promise<{ records: RunRecord[]; throughput: ThroughputPoint[] }> {
  const lines = await readJsonLines(path, (raw): RunRecord | ThroughputPoint | null => {
    const o = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
    if (typeof o.kind !== "string" && "schemaVersion" in o) return parseRunRecord(raw);
    if (o.version === "baseline") return null;
    const point = throughputFromJson(raw);
    if (!point) {
      throw new Error(
        "neither a run record (has 'schemaVersion', no 'kind') nor a benchmark record " +
          "(needs string 'toy', 'method', 'backend' and a positive number 'stepsPerSecond')",
      );
    }
    return point;
  });
  const records: RunRecord[] = [];
  const throughput: ThroughputPoint[] = [];
  for (const l of lines) {
    if ("schemaVersion" in l) records.push(l);
    else throughput.push(l);
  }
  return { records, throughput };
}

/** Whether a records file holds sweep runs: it lies in a folder named `sweeps`. */
export function isSweepFile(path: string): boolean {
  return path.split(/[\\/]/).slice(0, -1).includes("sweeps");
}

/** Every `*.jsonl` directly under the default folders that exist, sorted. */
async function defaultInputs(): Promise<string[]> {
  const files: string[] = [];
  for (const dir of DEFAULT_DIRS) {
    try {
      for await (const e of Deno.readDir(dir)) {
        if (e.isFile && e.name.endsWith(".jsonl")) files.push(`${dir}/${e.name}`);
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return files.sort();
}

/** The files the last report listed in `out`'s manifest (none when there is no manifest). */
async function previousReportFiles(out: string): Promise<Set<string>> {
  try {
    const text = await Deno.readTextFile(`${out}/${REPORT_MANIFEST}`);
    return new Set(text.split("\n").filter(Boolean));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return new Set();
    throw err;
  }
}

/**
 * Validates every spec, renders it, and writes the report folder, listing every
 * file it writes in {@linkcode REPORT_MANIFEST} and removing those the previous
 * list named. Throws naming the chart when a spec does not validate against the
 * Vega-Lite schema, and, before touching the folder, when a file it would write
 * is already there but no earlier report listed it.
 */
export async function writeReport(
  report: Report,
  out: string,
  inputs: readonly string[],
): Promise<{ files: number }> {
  const validate = await vegaLiteValidator();
  for (const c of report.charts) {
    const errors = validate(c.spec);
    if (errors.length) {
      throw new Error(`chart '${c.id}' is not valid Vega-Lite: ${errors.slice(0, 5).join("; ")}`);
    }
  }
  await Deno.mkdir(out, { recursive: true });
  const names = [
    ...report.charts.flatMap((c) => [`${c.id}.vl.json`, `${c.id}.svg`, `${c.id}.png`]),
    "index.html",
    "summary.md",
  ];
  const previous = await previousReportFiles(out);
  const present = new Set<string>();
  for await (const e of Deno.readDir(out)) present.add(e.name);
  const foreign = names.filter((name) => present.has(name) && !previous.has(name));
  if (foreign.length) {
    const shown = foreign.slice(0, 3).join(", ") + (foreign.length > 3 ? ", …" : "");
    throw new Error(
      `--out ${out}: would overwrite ${foreign.length} file(s) that no earlier report listed in ` +
        `its ${REPORT_MANIFEST} (${shown}); choose another folder or move them`,
    );
  }
  for (const name of previous) if (present.has(name)) await Deno.remove(`${out}/${name}`);
  // Listed before writing, so files of an interrupted build are still this task's to replace.
  await writeFileAtomic(`${out}/${REPORT_MANIFEST}`, names.join("\n") + "\n");
  let files = 0;
  for (const c of report.charts) {
    const svg = await specToSvg(c.spec);
    await writeFileAtomic(`${out}/${c.id}.vl.json`, specToJson(c.spec) + "\n");
    await writeFileAtomic(`${out}/${c.id}.svg`, svg);
    await Deno.writeFile(`${out}/${c.id}.png`, await svgToPng(svg));
    files += 3;
  }
  const nm = new URL("../node_modules/", import.meta.url);
  const read = (p: string) => Deno.readTextFile(new URL(p, nm));
  const bundles = {
    vega: await read("vega/build/vega.min.js"),
    vegaLite: await read("vega-lite/build/vega-lite.min.js"),
    vegaEmbed: await read("vega-embed/build/vega-embed.min.js"),
  };
  await writeFileAtomic(`${out}/index.html`, reportHtml(report, bundles, inputs));
  await writeFileAtomic(`${out}/summary.md`, reportMarkdown(report, inputs));
  return { files: files + 2 };
}

/** Runs the task; returns the exit code (bad input throws, and the entry point exits 2). */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      out: { type: "string", default: "reports/latest" },
      title: { type: "string" },
      plugin: { type: "string", multiple: true, default: [] },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  await loadPlugins(values.plugin!);
  const inputs = positionals.length ? positionals : await defaultInputs();
  if (inputs.length === 0) {
    throw new Error(`no records given and none found under ${DEFAULT_DIRS.join(", ")}`);
  }
  const t0 = performance.now();
  const records: RunRecord[] = [];
  const sweeps: RunRecord[] = [];
  const throughput: ThroughputPoint[] = [];
  for (const f of inputs) {
    const r = await readReportInputs(f);
    (isSweepFile(f) ? sweeps : records).push(...r.records);
    throughput.push(...r.throughput);
  }
  const report = buildReport({
    records,
    sweeps,
    throughput,
    criterionFor: (toy) => getToy(toy).success,
    ...(values.title ? { title: values.title } : {}),
  });
  const { files } = await writeReport(report, values.out!, inputs);
  console.error(
    `report: ${records.length} run records, ${sweeps.length} sweep run records and ` +
      `${throughput.length} benchmark records from ` +
      `${inputs.length} file(s) -> ${report.charts.length} charts, ${files} files in ` +
      `${values.out} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`report: ${err instanceof Error ? err.message : err}`);
    Deno.exit(2);
  }
}
