import assert from "node:assert/strict";
import { encodeNonFinite, type RunRecord } from "../../mod.ts";
import { readRecords } from "../../tasks/lib/records_file.ts";
import { main } from "../../tasks/merge.ts";
import { tmsRecord } from "../helpers/report_records.ts";
import { runMain } from "../helpers/run_main.ts";

const jsonl = (records: RunRecord[]) =>
  records.map((r) => JSON.stringify(encodeNonFinite(r)) + "\n").join("");

const merge = (argv: string[]) => runMain(main, argv);

Deno.test("merge: one record per job, a completed run over a partial one, OUT may be an input", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pdbench-merge-" });
  try {
    const done = tmsRecord({ seed: 0 });
    const partial: RunRecord = {
      ...done,
      status: "partial",
      timing: { ...done.timing, stepsDone: 50 },
    };
    const out = `${dir}/out.jsonl`, more = `${dir}/more.jsonl`;
    await Deno.writeTextFile(out, jsonl([partial, tmsRecord({ seed: 1 })]));
    await Deno.writeTextFile(more, jsonl([done]));
    const { code, err } = await merge([out, out, more]);
    assert.equal(code, 0);
    assert.match(err, /3 records from 2 file\(s\) -> 2 jobs/);
    const merged = await readRecords(out);
    assert.deepEqual(merged.map((r) => [r.seed, r.status]), [[0, "completed"], [1, "completed"]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("merge: a missing or malformed input, or an OUT it would drop, fails and leaves OUT as it was", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pdbench-merge-" });
  try {
    const out = `${dir}/out.jsonl`, bad = `${dir}/bad.jsonl`, missing = `${dir}/typo.jsonl`;
    const before = jsonl([tmsRecord({ seed: 0 }), tmsRecord({ seed: 1 })]);
    await Deno.writeTextFile(out, before);
    await Deno.writeTextFile(bad, jsonl([tmsRecord({ seed: 2 })]) + '{"schemaVersion": 1}\n');
    // A typo in an input must not read as an empty file.
    const typo = await merge([out, out, missing]);
    assert.equal(typo.code, 2);
    assert.equal(typo.err, `merge: ${missing}: no such file`);
    const malformed = await merge([out, out, bad]);
    assert.equal(malformed.code, 2);
    assert.match(malformed.err, new RegExp(`^merge: ${bad}:2: `));
    // Merging new records into a file that is not named as an input would drop what it held.
    const good = `${dir}/good.jsonl`;
    await Deno.writeTextFile(good, jsonl([tmsRecord({ seed: 3 })]));
    const dropping = await merge([out, good]);
    assert.equal(dropping.code, 2);
    assert.match(dropping.err, /out\.jsonl is not empty and is not among the inputs/);
    assert.equal(await Deno.readTextFile(out), before);
    assert.equal((await merge([`${dir}/new.jsonl`, good])).code, 0, "a new OUT is fine");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
