/**
 * Combining records from several files (shards, resumed runs): finished-job
 * detection and a merge that dedupes by job and never mixes suite versions.
 *
 * @module
 */
import { jobKey } from "../jobs/plan.ts";
import { RUN_STATUSES, type RunRecord, type RunStatus, setupHash } from "./record.ts";

/**
 * A record's job identity: `jobKey(setupHash, seed)`, the id today's planner
 * gives its job. For a record written before a config field existed the
 * method's default fills that field, so the record still finishes its job
 * (a re-run skips it) and merges with a newer record of the same job.
 */
export function recordKey(r: RunRecord): string {
  return jobKey(setupHash(r), r.seed);
}

/** Runs that reached an outcome; a "failed" run (a crash) is retried on re-run. */
export const FINISHED: readonly RunStatus[] = ["completed", "diverged"];

/** Keys of the jobs with a finished record. */
export function finishedKeys(records: readonly RunRecord[]): Set<string> {
  return new Set(records.filter((r) => FINISHED.includes(r.status)).map(recordKey));
}

/**
 * True when record `r` is preferred to `than` for the same job: completed over
 * diverged over partial over failed, and of two partial runs the further one.
 */
export function outranks(r: RunRecord, than: RunRecord): boolean {
  const rank = RUN_STATUSES.indexOf(r.status) - RUN_STATUSES.indexOf(than.status);
  if (rank !== 0) return rank < 0;
  return r.status === "partial" && r.timing.stepsDone > than.timing.stepsDone;
}

/**
 * Merges record lists: one record per job (completed over diverged over
 * partial over failed; among partial runs the one trained furthest; else the
 * first seen), sorted by toy, method, config hash and seed. Throws when the
 * records come from different suite versions.
 */
export function mergeRecords(lists: readonly (readonly RunRecord[])[]): RunRecord[] {
  const all = lists.flat();
  const versions = [...new Set(all.map((r) => r.suiteVersion))];
  if (versions.length > 1) {
    throw new Error(
      `merge: records of different suite versions (${versions.join(", ")}); refusing to mix`,
    );
  }
  const best = new Map<string, RunRecord>();
  for (const r of all) {
    const key = recordKey(r);
    const prev = best.get(key);
    if (!prev || outranks(r, prev)) best.set(key, r);
  }
  return [...best.values()].sort((a, b) =>
    a.toy.localeCompare(b.toy) || a.method.localeCompare(b.method) ||
    a.configHash.localeCompare(b.configHash) || a.seed - b.seed
  );
}
