/**
 * Reading a JSON-lines file of run records, as every task that takes one does.
 *
 * @module
 */
import { parseRunRecord, type RunRecord } from "../../mod.ts";
import { readJsonLines } from "./atomic_file.ts";

/**
 * The run records in `path`, each validated. Errors name the file and the
 * line (`runs/x.jsonl:3: …`); a missing file is a `Deno.errors.NotFound`.
 */
export function readRecords(path: string): Promise<RunRecord[]> {
  return readJsonLines(path, parseRunRecord);
}
