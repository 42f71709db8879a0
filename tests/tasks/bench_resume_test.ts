import assert from "node:assert/strict";
import { join } from "node:path";
import { bench, benchProcess, recordsIn, seededCache, TINY } from "../helpers/bench_cli.ts";

const hashes = (recs: Record<string, unknown>[]) =>
  recs.map((r) => `${r.seed}:${r.resultHash}`).sort();

Deno.test("re-running skips finished jobs; --force re-runs them", async () => {
  const dir = await seededCache();
  const out = join(dir, "r.jsonl");
  const args = [...TINY, "--seed", "0,1", "--out", out, "--cache-dir", dir];
  assert.equal((await bench(args)).code, 0);
  const again = await bench(args);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /2 job\(s\) planned, shard 0\/1: 2, 2 already finished, 0 to run/);
  assert.equal((await recordsIn(out)).length, 2);
  assert.match(again.stdout, /tms_5-2\s+spd\s+1\s+completed/);
  assert.equal((await bench([...args, "--force"])).code, 0);
  assert.equal((await recordsIn(out)).length, 4);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a bench killed mid-run and restarted ends with the uninterrupted run's records, none lost or duplicated", async () => {
  const dir = await seededCache();
  const seeds = ["--seed", "0-3", "--steps", "60"];
  const whole = join(dir, "whole.jsonl"), killed = join(dir, "killed.jsonl");
  assert.equal((await bench([...TINY, ...seeds, "--out", whole, "--cache-dir", dir])).code, 0);

  const child = benchProcess([...TINY, ...seeds, "--out", killed, "--cache-dir", dir]);
  while ((await recordsIn(killed)).length < 1) await new Promise((r) => setTimeout(r, 20));
  child.kill("SIGKILL");
  await child.output();
  const partial = (await recordsIn(killed)).length;
  assert.ok(partial >= 1 && partial < 4, `records before the kill: ${partial}`);

  const resumed = await bench([...TINY, ...seeds, "--out", killed, "--cache-dir", dir]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`${partial} already finished, ${4 - partial} to run`));
  const recs = await recordsIn(killed);
  assert.equal(recs.length, 4);
  assert.deepEqual(hashes(recs), hashes(await recordsIn(whole)));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("parallel Web Workers produce the same records as one process", async () => {
  const dir = await seededCache();
  const one = join(dir, "one.jsonl"), two = join(dir, "two.jsonl");
  const args = [...TINY, "--seed", "0-2", "--cache-dir", dir];
  assert.equal((await bench([...args, "--out", one])).code, 0);
  const par = await bench([...args, "--out", two, "--workers", "2"]);
  assert.equal(par.code, 0, par.stderr);
  assert.equal((await recordsIn(two)).length, 3);
  assert.deepEqual(hashes(await recordsIn(two)), hashes(await recordsIn(one)));
  await Deno.remove(dir, { recursive: true });
});
