/**
 * Groups run records into setups (toy × method × config): the unit charts
 * compare. A setup's label is `toy · method`, plus the config fields that
 * differ from the other setups of the same toy × method when there are
 * several (e.g. a short CI profile next to the paper config).
 *
 * @module
 */
import { configWithDefaults } from "../methods/method.ts";
import { type RunRecord, setupHash } from "../records/record.ts";
import { canonicalJson } from "../toys/trained_target.ts";

/** The records of one toy × method × config. */
export interface Setup {
  /** Toy id. */
  readonly toy: string;
  /** Method id. */
  readonly method: string;
  /** The records' {@link setupHash}: their config hash with today's defaults filled in. */
  readonly configHash: string;
  /** `toy · method`, with ` [k=v, …]` naming the differing config fields when needed. */
  readonly label: string;
  /** Just the differing fields (`k=v, …`), or "" when the toy × method has one setup. */
  readonly variant: string;
  /** The records, sorted by seed. */
  readonly records: readonly RunRecord[];
}

/** Config fields that do not change results (bookkeeping); never used in labels. */
export const LABEL_IGNORED_FIELDS: readonly string[] = ["logEvery"];

function formatValue(v: unknown): string {
  return typeof v === "string" ? v : canonicalJson(v);
}

/**
 * Setups of `records` (grouped by {@link setupHash}), sorted by toy, method,
 * then variant. A field missing from a record written before it existed reads
 * as the method's default; for a method that is not registered, fields only
 * some configs have do not distinguish setups on their own.
 */
export function groupSetups(records: readonly RunRecord[]): Setup[] {
  const byHash = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = setupHash(r);
    byHash.set(key, [...(byHash.get(key) ?? []), r]);
  }
  const groups = [...byHash.entries()];
  const out: Setup[] = [];
  for (const [configHash, g] of groups) {
    const { toy, method } = g[0];
    const siblings = groups.map(([, s]) => s).filter((s) =>
      s[0].toy === toy && s[0].method === method
    );
    const config = (r: RunRecord) => configWithDefaults(r.method, r.config);
    const configs = siblings.map((s) => config(s[0]));
    const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))].sort()
      .filter((k) => !LABEL_IGNORED_FIELDS.includes(k));
    const differs = (k: string) => new Set(configs.map((c) => canonicalJson(c[k]))).size > 1;
    const label = (fields: string[], c: Readonly<Record<string, unknown>>) =>
      fields.map((k) => `${k}=${k in c ? formatValue(c[k]) : "-"}`).join(", ");
    const unique = (fields: string[]) => new Set(configs.map((c) => label(fields, c))).size;
    // Fields every config has come first; fields only some have are added when needed to tell
    // setups apart; the config hash is the last resort.
    let fields = keys.filter((k) => configs.every((c) => k in c) && differs(k));
    if (unique(fields) < siblings.length) fields = keys.filter(differs);
    let variant = label(fields, config(g[0]));
    if (siblings.length > 1 && (!variant || unique(fields) < siblings.length)) {
      variant = [variant, `config ${configHash.slice(0, 8)}`].filter(Boolean).join(", ");
    }
    out.push({
      toy,
      method,
      configHash,
      label: variant ? `${toy} · ${method} [${variant}]` : `${toy} · ${method}`,
      variant,
      records: [...g].sort((a, b) => a.seed - b.seed),
    });
  }
  return out.sort((a, b) =>
    a.toy.localeCompare(b.toy) || a.method.localeCompare(b.method) ||
    a.variant.localeCompare(b.variant, undefined, { numeric: true })
  );
}

/**
 * The record whose artifacts a setup's charts draw: the first (lowest-seed)
 * completed one that carries artifacts; without one, the partial record
 * (`--stop-at`) that got furthest, so a paper run that outlasts the machine is
 * still drawn as it stood ({@linkcode runLabel} says so in the title).
 */
export function artifactRecord(setup: Setup): RunRecord | undefined {
  const withArtifacts = setup.records.filter((r) => r.artifacts !== undefined);
  return withArtifacts.find((r) => r.status === "completed") ??
    withArtifacts.filter((r) => r.status === "partial")
      .sort((a, b) => b.timing.stepsDone - a.timing.stepsDone)[0];
}

/** A chart title's name for a run: `seed 0`, or `seed 0, partial at step 21,000` for a partial record. */
export function runLabel(record: RunRecord): string {
  return record.status === "partial"
    ? `seed ${record.seed}, partial at step ${record.timing.stepsDone.toLocaleString("en-US")}`
    : `seed ${record.seed}`;
}
