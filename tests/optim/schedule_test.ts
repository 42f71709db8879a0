import assert from "node:assert/strict";
import { learningRate, type Schedule, SCHEDULE_KINDS } from "../../mod.ts";

const LR = 3e-3;

function close(got: number, want: number, tol = 1e-15) {
  assert.ok(Math.abs(got - want) <= tol, `got ${got}, want ${want}`);
}

Deno.test("SCHEDULE_KINDS lists constant and cosine_quarter", () => {
  assert.deepEqual([...SCHEDULE_KINDS], ["constant", "cosine_quarter"]);
});

Deno.test("constant schedule returns lr at every step", () => {
  const s: Schedule = { kind: "constant", lr: LR, warmupSteps: 0 };
  for (const t of [0, 1, 50, 99]) assert.equal(learningRate(s, t, 100), LR);
});

Deno.test("cosine_quarter: lr at t=0, lr·cos(π/4) halfway, ~0 at the last update", () => {
  const s: Schedule = { kind: "cosine_quarter", lr: LR, warmupSteps: 0 };
  const T = 11;
  assert.equal(learningRate(s, 0, T), LR);
  close(learningRate(s, 5, T), LR * Math.SQRT1_2);
  close(learningRate(s, 5, T), 0.0021213203435596424);
  const last = learningRate(s, T - 1, T);
  assert.ok(Math.abs(last) < 1e-12 * LR, `last lr ${last}`);
  // t = 1 of 11: lr·cos(π/20)
  close(learningRate(s, 1, T), LR * Math.cos(Math.PI / 20));
  // Strictly decreasing over the run.
  for (let t = 1; t < T; t++) assert.ok(learningRate(s, t, T) < learningRate(s, t - 1, T));
});

Deno.test("cosine_quarter with a single step keeps lr (no division by zero)", () => {
  const s: Schedule = { kind: "cosine_quarter", lr: LR, warmupSteps: 0 };
  assert.equal(learningRate(s, 0, 1), LR);
});

Deno.test("warmup: linear from 0, then cosine over the remaining steps", () => {
  const w = 4, T = 21; // 17 post-warmup updates: s = 0 … 16
  const s: Schedule = { kind: "cosine_quarter", lr: LR, warmupSteps: w };
  assert.equal(learningRate(s, 0, T), 0);
  close(learningRate(s, w / 2, T), LR / 2);
  close(learningRate(s, 1, T), LR / 4);
  close(learningRate(s, 3, T), 0.75 * LR);
  assert.equal(learningRate(s, w, T), LR); // main schedule starts at its peak
  close(learningRate(s, w + 8, T), LR * Math.SQRT1_2); // halfway through s = 0…16
  close(learningRate(s, w + 1, T), LR * Math.cos(Math.PI / 32));
  assert.ok(Math.abs(learningRate(s, T - 1, T)) < 1e-12 * LR);
});

Deno.test("warmup then constant", () => {
  const s: Schedule = { kind: "constant", lr: LR, warmupSteps: 10 };
  close(learningRate(s, 5, 100), LR / 2);
  close(learningRate(s, 9, 100), 0.9 * LR);
  assert.equal(learningRate(s, 10, 100), LR);
  assert.equal(learningRate(s, 99, 100), LR);
});
