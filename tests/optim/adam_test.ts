import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Adam, ADAM_DEFAULTS, initBackend } from "../../mod.ts";

await initBackend("cpu");

interface Hyper {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/**
 * torch.optim.AdamW for one scalar, written out by hand in float64:
 *   p ← p·(1 − lr·wd);  m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²
 *   p ← p − lr · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + eps)
 */
function torchAdamW(p0: number, grads: number[], lrs: number[], h: Hyper): number[] {
  let p = p0, m = 0, v = 0;
  const trace: number[] = [];
  grads.forEach((g, i) => {
    const t = i + 1, lr = lrs[i];
    p *= 1 - lr * h.weightDecay;
    m = h.beta1 * m + (1 - h.beta1) * g;
    v = h.beta2 * v + (1 - h.beta2) * g * g;
    const mHat = m / (1 - h.beta1 ** t);
    const vHat = v / (1 - h.beta2 ** t);
    p -= (lr * mHat) / (Math.sqrt(vHat) + h.eps);
    trace.push(p);
  });
  return trace;
}

/** Runs pdbench's Adam on a vector variable, returning the values after each step. */
async function runAdam(
  p0: number[],
  grad: number[],
  lrs: number[],
  opts: Partial<Hyper>,
): Promise<number[][]> {
  const v = tf.variable(tf.tensor1d(p0));
  const g = tf.tensor1d(grad);
  const adam = new Adam([v], opts);
  const trace: number[][] = [];
  for (const lr of lrs) {
    adam.step([g], lr);
    trace.push(Array.from(await v.data()));
  }
  assert.equal(adam.steps, lrs.length);
  adam.dispose();
  tf.dispose([v, g]);
  return trace;
}

function assertClose(got: number, want: number, tol: number, what: string) {
  assert.ok(
    Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)),
    `${what}: got ${got}, want ${want}`,
  );
}

const P0 = [1.0, -2.0, 0.25];
const G = [0.5, -0.1, 3.0];
const LRS = [0.1, 0.05, 0.02]; // a different lr each step, as under a schedule

for (const weightDecay of [0, 0.01]) {
  Deno.test(`Adam (wd ${weightDecay}) matches torch AdamW after 1 and 3 steps`, async () => {
    const h = { ...ADAM_DEFAULTS, weightDecay };
    const trace = await runAdam(P0, G, LRS, { weightDecay });
    P0.forEach((p0, i) => {
      const want = torchAdamW(p0, [G[i], G[i], G[i]], LRS, h);
      assertClose(trace[0][i], want[0], 2e-7, `step 1, entry ${i}`);
      assertClose(trace[2][i], want[2], 2e-7, `step 3, entry ${i}`);
    });
  });
}

Deno.test("Adam step 1 by hand: moves each entry by lr·sign(g), decay applied first", async () => {
  // Step 1 with bias correction: m̂ = g, v̂ = g², so the update is lr·g/(|g|+eps).
  const [plain] = await runAdam([1.0], [0.5], [0.1], {});
  assertClose(plain[0], 1.0 - 0.1 * 0.5 / (0.5 + 1e-8), 1e-7, "wd 0");
  assertClose(plain[0], 0.9, 1e-7, "wd 0 ≈ 0.9");
  const [decayed] = await runAdam([1.0], [0.5], [0.1], { weightDecay: 0.01 });
  // p·(1 − 0.1·0.01) − 0.1 = 0.999 − 0.1 = 0.899
  assertClose(decayed[0], 0.899, 1e-7, "wd 0.01");
});

Deno.test("Adam: eps is added outside the bias-corrected square root (large eps)", async () => {
  // With eps = 0.5 and g = 0.5 the placements differ visibly:
  //   torch:             0.5 / (0.5 + 0.5)             = 0.5   per unit lr
  //   eps inside sqrt:   0.5 / sqrt(0.25 + 0.5)        ≈ 0.577
  //   eps on raw sqrt v (lr·sqrt(bc2)/bc1 scaling, TF.js style) ≈ 0.0307 at step 1
  const h = { ...ADAM_DEFAULTS, eps: 0.5 };
  const trace = await runAdam([0], [0.5], [1, 1, 1], { eps: 0.5 });
  const want = torchAdamW(0, [0.5, 0.5, 0.5], [1, 1, 1], h);
  assertClose(trace[0][0], -0.5, 1e-7, "step 1");
  for (let t = 0; t < 3; t++) assertClose(trace[t][0], want[t], 2e-7, `step ${t + 1}`);
});

Deno.test("Adam: a time-varying gradient follows the hand recurrence (moments accumulate)", async () => {
  const grads = [1.0, -0.5, 0.25, 2.0];
  const lrs = [0.1, 0.1, 0.1, 0.1];
  const opts = { beta1: 0.8, beta2: 0.9, eps: 1e-3, weightDecay: 0.1 };
  const v = tf.variable(tf.tensor1d([0.3]));
  const adam = new Adam([v], opts);
  const got: number[] = [];
  for (let i = 0; i < grads.length; i++) {
    const g = tf.tensor1d([grads[i]]);
    adam.step([g], lrs[i]);
    g.dispose();
    got.push((await v.data())[0]);
  }
  adam.dispose();
  v.dispose();
  const want = torchAdamW(0.3, grads, lrs, opts);
  for (let t = 0; t < grads.length; t++) assertClose(got[t], want[t], 3e-7, `step ${t + 1}`);
});

Deno.test("Adam.step rejects a gradient count that does not match the variables", () => {
  const v = tf.variable(tf.tensor1d([1]));
  const adam = new Adam([v]);
  assert.throws(() => adam.step([], 0.1), /0 gradients for 1 vars/);
  assert.equal(adam.steps, 0);
  adam.dispose();
  v.dispose();
});

Deno.test("Adam.state() / restore(): a restored optimiser takes the same next step bit for bit", async () => {
  const grads = [G, [0.2, 0.4, -1], [-3, 0.01, 0.5]].map((g) => tf.tensor1d(g));
  const a = tf.variable(tf.tensor1d(P0));
  const adamA = new Adam([a]);
  adamA.step([grads[0]], 0.1);
  adamA.step([grads[1]], 0.05);
  const saved = await adamA.state();
  assert.equal(saved.t, 2);
  const b = tf.variable(tf.tensor1d(Array.from(await a.data())));
  const adamB = new Adam([b]);
  adamB.restore(saved);
  assert.equal(adamB.steps, 2);
  adamA.step([grads[2]], 0.02);
  adamB.step([grads[2]], 0.02);
  assert.deepEqual(await b.data(), await a.data());
  assert.throws(() => adamB.restore({ ...saved, m: [] }), /m has 0 tensors for 1 variables/);
  assert.throws(
    () => adamB.restore({ ...saved, v: [new Float32Array(2)] }),
    /v\[0\] has 2 values, variable has 3/,
  );
  assert.throws(() => adamB.restore({ ...saved, t: -1 }), /t must be an integer >= 0/);
  adamA.dispose();
  adamB.dispose();
  tf.dispose([a, b, ...grads]);
});

Deno.test("Adam ties: both uses keep their own moments and both updates land on the storage (torch on shared memory)", async () => {
  // Two steps, gradient g1 for the source [2, 3] and g2 for its transposed view [3, 2].
  const s0 = [0.5, -1, 2, 0.25, 0, -0.75];
  const g1 = [[0.2, -0.4, 1, 0, 3, -2], [0.1, 0.1, -1, 0.5, -3, 2]];
  const g2 = [[1, -1, 0.5, 0.5, -0.3, 0.2], [-2, 1, 0.5, -0.5, 0.3, 0.2]]; // view layout [3, 2]
  const h = { ...ADAM_DEFAULTS }, lrs = [0.1, 0.05];
  const src = tf.variable(tf.tensor2d(s0, [2, 3]));
  const view = tf.variable(tf.transpose(src));
  const adam = new Adam([src, view], {}, [{ source: 0, view: 1 }]);
  for (let t = 0; t < 2; t++) {
    adam.step([tf.tensor2d(g1[t], [2, 3]), tf.tensor2d(g2[t], [3, 2])], lrs[t]);
  }
  // Expected, entry by entry: s0 − (Adam delta of the g1 stream) − (Adam delta of the g2 stream).
  const got = await src.data(), gotView = await view.data();
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 3; j++) {
      const k = i * 3 + j, kv = j * 2 + i;
      const d1 = s0[k] - torchAdamW(s0[k], g1.map((g) => g[k]), lrs, h)[1];
      const d2 = s0[k] - torchAdamW(s0[k], g2.map((g) => g[kv]), lrs, h)[1];
      const want = s0[k] - d1 - d2;
      assert.ok(Math.abs(got[k] - want) < 1e-6, `(${i},${j}): ${got[k]} vs ${want}`);
      assert.equal(gotView[kv], got[k], "view is the source's transpose");
    }
  }
  assert.throws(() => new Adam([src, view], {}, [{ source: 0, view: 0 }]), /used twice/);
  assert.throws(() => new Adam([src, src], {}, [{ source: 0, view: 1 }]), /not transposes/);
  adam.dispose();
  tf.dispose([src, view]);
});
