import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { checkpointPath, encodeCheckpoint } from "../../tasks/lib/checkpoint_file.ts";
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
  assert.match(again.stdout, /\| tms_5-2 \| spd \| 1 \| .* \| (pass|fail: [^|]*) \| 4 \|/);
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
  const par = await bench([...args, "--out", two, "--workers", "2", "--checkpoint-every", "2"]);
  assert.equal(par.code, 0, par.stderr);
  assert.equal((await recordsIn(two)).length, 3);
  assert.deepEqual(hashes(await recordsIn(two)), hashes(await recordsIn(one)));
  assert.deepEqual([...Deno.readDirSync(join(dir, "checkpoints"))], [], "saved, then removed");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a job killed after a checkpoint resumes from it and writes the unbroken run's record", async () => {
  const dir = await seededCache();
  const args = [...TINY, "--seed", "0", "--steps", "300", "--cache-dir", dir];
  const whole = join(dir, "whole.jsonl"), killed = join(dir, "killed.jsonl");
  assert.equal((await bench([...args, "--out", whole])).code, 0);

  const ckptDir = join(dir, "checkpoints");
  const child = benchProcess([...args, "--out", killed, "--checkpoint-every", "50"]);
  // A save writes a temp file first: wait for the renamed checkpoint itself.
  const saved = () => {
    try {
      return [...Deno.readDirSync(ckptDir)].some((e) => e.name.endsWith(".ckpt"));
    } catch {
      return false; // no folder yet
    }
  };
  while (!saved()) await new Promise((r) => setTimeout(r, 5));
  child.kill("SIGKILL");
  await child.output();
  assert.equal((await recordsIn(killed)).length, 0, "killed before the job finished");

  const resumed = await bench([...args, "--out", killed]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const step = Number(/resuming from step (\d+)/.exec(resumed.stderr)?.[1]);
  assert.ok(step >= 50 && step < 300 && step % 50 === 0, resumed.stderr);
  const [rec] = await recordsIn(killed);
  assert.equal(rec.resultHash, (await recordsIn(whole))[0].resultHash);
  assert.equal((rec.timing as { resumedFromStep: number }).resumedFromStep, step);
  assert.deepEqual([...Deno.readDirSync(ckptDir)], [], "the finished job's checkpoint is removed");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a checkpoint of another job is refused before anything runs, and the records stay", async () => {
  const dir = await seededCache();
  const out = join(dir, "r.jsonl");
  const args = [...TINY, "--seed", "0,1", "--out", out, "--cache-dir", dir];
  assert.equal((await bench([...args, "--seed", "0"])).code, 0);
  const [rec] = await recordsIn(out);
  const before = await Deno.readTextFile(out);
  const job = { toy: "tms_5-2", method: "spd", seed: 1, configHash: rec.configHash as string };
  const path = checkpointPath(join(dir, "checkpoints"), job, "wasm");
  const state = {
    stepsDone: 2,
    params: [],
    adam: { t: 2, m: [], v: [] },
    rngs: {},
    curve: [],
  };
  const identity = {
    jobId: "another",
    targetHash: "t",
    backend: "wasm",
    codeHash: "c",
    gitCommit: null,
  };
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeFile(path, encodeCheckpoint(identity, { state, elapsedS: 1 }));
  const run = await bench(args);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /checkpoint .*s1__.*\.ckpt: jobId is another, this run has [0-9a-f]{64}; delete the file/,
  );
  assert.equal(await Deno.readTextFile(out), before);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--stop-at writes a scored partial record and keeps the checkpoint; without it the job finishes to the unbroken record", async () => {
  const dir = await seededCache();
  const args = [...TINY, "--seed", "0", "--steps", "80", "--cache-dir", dir];
  const whole = join(dir, "whole.jsonl"), out = join(dir, "r.jsonl");
  assert.equal((await bench([...args, "--out", whole])).code, 0);
  const stopped = await bench([...args, "--out", out, "--stop-at", "30"]);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(
    stopped.stdout,
    /\| tms_5-2 \| spd \| 0 \| .* \| partial: (pass|fail: [^|]*) \| 30 \|/,
  );
  const [part] = await recordsIn(out);
  assert.equal((part.timing as { stepsDone: number }).stepsDone, 30);
  assert.equal(typeof (part.metrics as Record<string, { value: number }>).mmcs.value, "number");
  assert.equal([...Deno.readDirSync(join(dir, "checkpoints"))].length, 1, "checkpoint kept");

  const finished = await bench([...args, "--out", out]);
  assert.equal(finished.code, 0, finished.stderr);
  assert.match(finished.stderr, /0 already finished, 1 to run/);
  assert.match(finished.stderr, /resuming from step 30/);
  const recs = await recordsIn(out);
  assert.deepEqual(recs.map((r) => r.status), ["partial", "completed"]);
  assert.equal(recs[1].resultHash, (await recordsIn(whole))[0].resultHash);
  const bad = await bench([...args, "--out", out, "--stop-at", "0"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--stop-at: must be an integer >= 1, got '0'/);
  await Deno.remove(dir, { recursive: true });
});
