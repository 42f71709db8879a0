/**
 * `deno task compare BASE.jsonl CURRENT.jsonl [--abs X] [--rel Y] [--test welch] [--alpha A]
 * [--metric NAME]… [--out summary.md]`: compares current run records with base records per
 * config and metric, prints a Markdown summary, and exits 1 on any regression, 2 on bad input
 * or a refusal to compare (configs that differ, a config on one side only, mixed suite
 * versions, duplicate seeds), 0 otherwise.
 *
 * Tolerances start from `DEFAULT_POLICY`. `--abs`/`--rel` replace it by one tolerance for
 * every metric (an option not given counts as 0); `--test`/`--alpha` apply to every metric.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type ComparePolicy, compareRecords, comparisonMarkdown, DEFAULT_POLICY } from "../mod.ts";
import { writeFileAtomic } from "./lib/atomic_file.ts";
import { readRecords } from "./lib/records_file.ts";
import { choiceFlag, numberFlag, type NumberRange } from "./lib/cli_values.ts";

const USAGE =
  "usage: deno task compare BASE.jsonl CURRENT.jsonl [--abs X] [--rel Y] [--test welch] " +
  "[--alpha A] [--metric NAME]… [--out summary.md]";

/** Builds the policy from the command-line options. */
function policyFrom(values: {
  abs?: string;
  rel?: string;
  test?: string;
  alpha?: string;
  metric?: string[];
}): ComparePolicy {
  const optional = (flag: string, text: string | undefined, range: NumberRange) =>
    text === undefined ? undefined : numberFlag(flag, text, range);
  const abs = optional("--abs", values.abs, { min: 0 });
  const rel = optional("--rel", values.rel, { min: 0 });
  const alpha = optional("--alpha", values.alpha, { min: 0, max: 1, open: "both" });
  if (values.test !== undefined) choiceFlag("--test", values.test, ["welch"]);
  if (alpha !== undefined && values.test === undefined) {
    throw new Error("--alpha needs --test welch");
  }
  const policy: ComparePolicy = abs === undefined && rel === undefined
    ? { default: { ...DEFAULT_POLICY.default }, perMetric: DEFAULT_POLICY.perMetric }
    : { default: { abs: abs ?? 0, rel: rel ?? 0 } };
  if (values.test === "welch") policy.default.test = "welch";
  if (alpha !== undefined) policy.default.alpha = alpha;
  if (values.metric && values.metric.length > 0) policy.metrics = values.metric;
  return policy;
}

/**
 * Runs the CLI on `argv` (without the program name); prints the Markdown
 * summary to stdout, problems to stderr. Returns the exit code: 0 no
 * regression, 1 regression, 2 bad input or refusal.
 */
export async function main(argv: string[]): Promise<number> {
  let policy: ComparePolicy;
  let files: string[];
  let out: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        abs: { type: "string" },
        rel: { type: "string" },
        test: { type: "string" },
        alpha: { type: "string" },
        metric: { type: "string", multiple: true },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length !== 2) throw new Error("expected exactly two files, BASE and CURRENT");
    files = positionals;
    out = values.out;
    policy = policyFrom(values);
  } catch (err) {
    console.error(`compare: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  let markdown: string;
  let regressions: number;
  try {
    const [base, current] = [await readRecords(files[0]), await readRecords(files[1])];
    const c = compareRecords(base, current, policy);
    markdown = comparisonMarkdown(c);
    regressions = c.regressions;
  } catch (err) {
    const msg = (err as Error).message;
    console.error(msg.startsWith("compare:") ? msg : `compare: ${msg}`);
    return 2;
  }
  console.log(markdown.trimEnd());
  if (out !== undefined) await writeFileAtomic(out, markdown);
  return regressions > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
