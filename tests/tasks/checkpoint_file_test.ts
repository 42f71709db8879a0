import assert from "node:assert/strict";
import { join } from "node:path";
import type { SavedRun } from "../../mod.ts";
import {
  assertSameIdentity,
  checkpointPath,
  decodeCheckpoint,
  encodeCheckpoint,
  readCheckpoint,
  savePolicy,
} from "../../tasks/lib/checkpoint_file.ts";

const identity = {
  jobId: "j1",
  targetHash: "t1",
  backend: "wasm",
  codeHash: "c1",
  gitCommit: "abc",
};
const saved: SavedRun = {
  elapsedS: 12.5,
  state: {
    stepsDone: 40,
    params: [
      { shape: [2, 3], values: new Float32Array([1, -2, 3.5, 1e-30, -0, 7]) },
      { shape: [1], values: new Float32Array([Math.fround(0.1)]) },
    ],
    adam: {
      t: 40,
      m: [new Float32Array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), new Float32Array([9])],
      v: [new Float32Array(6).fill(2), new Float32Array([3e-8])],
    },
    rngs: { data: { words: [1, 2, 3, 4294967295], spareNormal: -0.25 } },
    curve: [{ step: 0, lr: 1e-3, losses: { total: 1, faith: Infinity } }],
  },
};

Deno.test("a checkpoint survives encoding bit for bit (non-finite losses included)", () => {
  const bytes = encodeCheckpoint(identity, saved);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), "PDBCKPT1");
  const back = decodeCheckpoint(bytes, "x.ckpt");
  assert.deepEqual(back.identity, identity);
  assert.deepEqual(back.saved, saved);
  assert.ok(Object.is(back.saved.state.params[0].values[4], -0));
});

Deno.test("a file that is not a whole checkpoint is refused, naming the path", () => {
  const bytes = encodeCheckpoint(identity, saved);
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4), "a.ckpt"), {
    message: /checkpoint a\.ckpt: expected 21 float32 values after the header, found 20/,
  });
  assert.throws(
    () => decodeCheckpoint(new TextEncoder().encode("{}"), "b.ckpt"),
    /checkpoint b\.ckpt: not a pdbench checkpoint/,
  );
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, 20), "c.ckpt"), /header cut short/);
  const garbled = bytes.slice();
  garbled[12] = 0x7e; // the header's opening brace
  assert.throws(
    () => decodeCheckpoint(garbled, "d.ckpt"),
    /checkpoint d\.ckpt: header is not JSON/,
  );
});

Deno.test("another job, target, backend or commit is refused with the way out", () => {
  assertSameIdentity("p", identity, { ...identity });
  assert.throws(
    () => assertSameIdentity("p", identity, { ...identity, codeHash: "c2", gitCommit: "def" }),
    /checkpoint p: codeHash is c1, this run has c2; resume with the code it was written by \(git checkout abc, undo any edits\) or delete the file/,
  );
  // Another commit with the same code (e.g. only results committed since) resumes.
  assertSameIdentity("p", identity, { ...identity, gitCommit: "def" });
  assert.throws(
    () => assertSameIdentity("p", identity, { ...identity, backend: "cpu" }),
    /backend is wasm, this run has cpu; delete the file to start the job from step 0/,
  );
});

Deno.test("checkpoint paths read like run ids; a missing file reads as none", async () => {
  const job = { toy: "tms_5-2", method: "spd", seed: 3, configHash: "0123456789abcdef" };
  assert.equal(
    checkpointPath("d", job, "wasm"),
    join("d", "tms_5-2__spd__s3__0123456789ab__wasm.ckpt"),
  );
  assert.equal(await readCheckpoint(join(await Deno.makeTempDir(), "none.ckpt")), null);
});

Deno.test("save policy: every N steps, or once M minutes have passed since the last save", () => {
  const steps = savePolicy({ everySteps: 50, everyMinutes: 10 });
  assert.deepEqual([49, 50, 51, 100].map(steps), [false, true, false, true]);
  const clock = { ms: 0 };
  const timed = savePolicy({ everySteps: null, everyMinutes: 2 }, () => clock.ms);
  const asked = [60_000, 119_999, 120_000, 180_000, 240_000].map((ms, step) => {
    clock.ms = ms;
    return timed(step);
  });
  assert.deepEqual(asked, [false, false, true, false, true]);
  assert.equal(savePolicy({ everySteps: null, everyMinutes: 0 })(1), false);
});
