/**
 * `deno task summary FILE…`: a Markdown table of run records with each run's
 * verdict against its toy's success criterion.
 *
 * @module
 */
import { checkCriterion, getToy, parseRunRecord, type RunRecord } from "../mod.ts";
import { readJsonLines } from "./lib/atomic_file.ts";
import { formatMarkdownTable } from "./lib/table.ts";

const METRICS = ["mmcs", "ml2r", "ci_pattern_error", "alive.linear1", "alive_norm_ratio"];

/** Integers as they are; other finite numbers with 4 decimals (MMCS 0.99995 must not read 1). */
function fixed4(v: number | undefined): string | number {
  if (v === undefined) return "-";
  return Number.isInteger(v) || !Number.isFinite(v) ? v : v.toFixed(4);
}

/** One Markdown row per record: metrics, verdict, timing. */
export function summarize(records: readonly RunRecord[]): string {
  const rows = records.map((r) => {
    const verdict = r.status !== "completed" ? r.status : (() => {
      const c = checkCriterion(getToy(r.toy).success, r.metrics);
      return c.pass ? "pass" : `FAIL: ${c.failures.join("; ")}`;
    })();
    return [
      r.toy,
      r.method,
      r.seed,
      ...METRICS.map((m) => fixed4(r.metrics[m]?.value)),
      verdict,
      Number(r.timing.wallTimeS.toFixed(0)),
      Number(r.timing.stepsPerSecond.toFixed(1)),
    ];
  });
  return formatMarkdownTable(
    ["toy", "method", "seed", ...METRICS, "verdict", "wall s", "steps/s"],
    rows,
  );
}

if (import.meta.main) {
  if (Deno.args.length === 0) {
    console.error("usage: deno task summary RECORDS.jsonl …");
    Deno.exit(2);
  }
  const records: RunRecord[] = [];
  for (const file of Deno.args) {
    for (const [i, raw] of (await readJsonLines<unknown>(file)).entries()) {
      try {
        records.push(parseRunRecord(raw));
      } catch (err) {
        console.error(`summary: ${file}:${i + 1}: ${(err as Error).message}`);
        Deno.exit(2);
      }
    }
  }
  records.sort((a, b) =>
    a.toy.localeCompare(b.toy) || a.method.localeCompare(b.method) || a.seed - b.seed
  );
  console.log(summarize(records));
}
