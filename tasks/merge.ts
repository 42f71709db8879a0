/**
 * `deno task merge OUT IN…`: combine record files (e.g. shards) into one,
 * one record per job, refusing to mix suite versions. OUT is written
 * atomically and may be one of the inputs; an OUT that already holds records
 * must be, so that merging never drops what it held.
 *
 * @module
 */
import { encodeNonFinite, mergeRecords } from "../mod.ts";
import { resolve } from "node:path";
import { writeFileAtomic } from "./lib/atomic_file.ts";
import { readRecords } from "./lib/records_file.ts";

/** Runs the merge; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv.length < 2) {
    console.error("usage: deno task merge OUT.jsonl IN.jsonl …");
    return 2;
  }
  const [out, ...inputs] = argv;
  try {
    if (!inputs.some((f) => resolve(f) === resolve(out))) {
      const held = await Deno.readTextFile(out).catch((err) => {
        if (err instanceof Deno.errors.NotFound) return "";
        throw err;
      });
      if (held.trim() !== "") {
        throw new Error(
          `${out} is not empty and is not among the inputs; name it as an input too ` +
            `to keep what it holds (merge ${out} ${out} ${inputs.join(" ")}), or choose a new OUT`,
        );
      }
    }
    const lists = await Promise.all(inputs.map(readRecords));
    const merged = mergeRecords(lists);
    const text = merged.map((r) => JSON.stringify(encodeNonFinite(r))).join("\n");
    await writeFileAtomic(out, merged.length ? text + "\n" : "");
    const total = lists.reduce((n, l) => n + l.length, 0);
    console.error(
      `merge: ${total} records from ${inputs.length} file(s) -> ${merged.length} jobs in ${out}`,
    );
    return 0;
  } catch (err) {
    console.error(`merge: ${(err as Error).message}`);
    return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
