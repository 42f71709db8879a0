import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend, rngStream, segmentSumRows } from "../../mod.ts";

await initBackend("cpu");

/** Row-major matrix with uniform entries in [-1, 1) from a named stream. */
function randomData(rows: number, cols: number, purpose: string): Float32Array {
  return rngStream(1, purpose).fillUniform(new Float32Array(rows * cols), -1, 1);
}

/** Float64 product of row-major `p` (n×k) and `q` (k×m). */
function mul(p: Float32Array, q: Float32Array, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += p[i * k + l] * q[l * m + j];
      out[i * m + j] = s;
    }
  }
  return out;
}

/** Transpose of a row-major rows×cols matrix. */
function transpose(p: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = p[i * cols + j];
  return out;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, what: string) {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (err > rel * Math.max(scale, 1e-30)) {
      assert.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]} (rel tol ${rel})`);
    }
  }
}

interface MatMulCase {
  transposeA: boolean;
  transposeB: boolean;
}

const N = 3, K = 4, M = 5; // C = op(A) op(B) is N×M with inner dimension K.

/**
 * Gradients of L = sum(matMul(a, b, tA, tB) * w) on the active backend, and the
 * analytic float64 expectation: dL/dop(A) = W op(B)ᵀ, dL/dop(B) = op(A)ᵀ W.
 */
async function matMulGrads({ transposeA, transposeB }: MatMulCase) {
  const opA = randomData(N, K, "mm-a"); // op(A), N×K
  const opB = randomData(K, M, "mm-b"); // op(B), K×M
  const w = randomData(N, M, "mm-w");
  const aData = transposeA ? transpose(opA, N, K) : opA;
  const bData = transposeB ? transpose(opB, K, M) : opB;
  const a = tf.tensor2d(aData, transposeA ? [K, N] : [N, K]);
  const b = tf.tensor2d(bData, transposeB ? [M, K] : [K, M]);
  const wt = tf.tensor2d(w, [N, M]);
  const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
    tf.matMul(x, y, transposeA, transposeB).mul(wt).sum()
  )([a, b]);
  const got = { a: await ga.data(), b: await gb.data() };
  tf.dispose([a, b, wt, ga, gb]);
  // Expected, in float64.
  const gOpA = mul(w, transpose(opB, K, M), N, M, K); // N×K
  const gOpB = mul(transpose(opA, N, K), w, K, N, M); // K×M
  const want = {
    a: transposeA ? transpose(gOpA, N, K) : Float32Array.from(gOpA),
    b: transposeB ? transpose(gOpB, K, M) : Float32Array.from(gOpB),
  };
  return { got, want };
}

const CASES: MatMulCase[] = [
  { transposeA: false, transposeB: false },
  { transposeA: false, transposeB: true },
  { transposeA: true, transposeB: false },
  { transposeA: true, transposeB: true },
];

Deno.test("initBackend rejects an unknown name, listing the allowed ones", async () => {
  await assert.rejects(() => initBackend("nope"), (e: unknown) => {
    assert.ok(e instanceof RangeError);
    assert.match(e.message, /'nope'/);
    assert.match(e.message, /wasm, cpu, webgpu, tensorflow/);
    return true;
  });
});

Deno.test("initBackend('tensorflow') explains how to install tfjs-node-gpu", async () => {
  await assert.rejects(() => initBackend("tensorflow"), (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /tfjs-node-gpu/);
    assert.match(e.message, /deno\.json/);
    return true;
  });
  // The failed attempt leaves the previous backend usable.
  await initBackend("cpu");
  assert.equal(tf.getBackend(), "cpu");
});

Deno.test("BatchMatMul gradient (all transpose variants): wasm = cpu = analytic", async () => {
  const results: Record<string, Awaited<ReturnType<typeof matMulGrads>>[]> = {};
  for (const backend of ["cpu", "wasm"]) {
    const info = await initBackend(backend);
    assert.equal(info.active, backend);
    results[backend] = [];
    for (const c of CASES) results[backend].push(await matMulGrads(c));
  }
  await initBackend("cpu");
  CASES.forEach((c, i) => {
    const tag = `tA=${c.transposeA} tB=${c.transposeB}`;
    const cpu = results.cpu[i], wasm = results.wasm[i];
    assertClose(cpu.got.a, cpu.want.a, 1e-5, `cpu dA ${tag}`);
    assertClose(cpu.got.b, cpu.want.b, 1e-5, `cpu dB ${tag}`);
    assertClose(wasm.got.a, cpu.got.a, 1e-5, `wasm vs cpu dA ${tag}`);
    assertClose(wasm.got.b, cpu.got.b, 1e-5, `wasm vs cpu dB ${tag}`);
  });
});

Deno.test("BatchMatMul gradient of a batched (rank-3) transposed product matches finite differences", async () => {
  await initBackend("wasm");
  const aData = randomData(2, 6, "bmm-a"), bData = randomData(2, 8, "bmm-b");
  const a = tf.tensor3d(aData, [2, 2, 3]); // op(A) = Aᵀ: 2 × (3×2)
  const b = tf.tensor3d(bData, [2, 4, 2]); // op(B) = Bᵀ: 2 × (2×4)
  const w = tf.tensor3d(randomData(2, 12, "bmm-w"), [2, 3, 4]);
  const loss = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, true, true).mul(w).sum();
  const [ga, gb] = tf.grads(loss)([a, b]);
  const gotA = await ga.data(), gotB = await gb.data();
  // The loss is bilinear, so central differences are exact up to rounding.
  const h = 0.5;
  const lossAt = async (ad: Float32Array, bd: Float32Array) => {
    const l = tf.tidy(() => loss(tf.tensor3d(ad, [2, 2, 3]), tf.tensor3d(bd, [2, 4, 2])));
    const v = (await l.data())[0];
    l.dispose();
    return v;
  };
  for (let i = 0; i < aData.length; i++) {
    const p = aData.slice(), m = aData.slice();
    p[i] += h;
    m[i] -= h;
    const fd = ((await lossAt(p, bData)) - (await lossAt(m, bData))) / (2 * h);
    assert.ok(Math.abs(fd - gotA[i]) < 1e-5, `dA[${i}]: fd ${fd}, grad ${gotA[i]}`);
  }
  for (let i = 0; i < bData.length; i++) {
    const p = bData.slice(), m = bData.slice();
    p[i] += h;
    m[i] -= h;
    const fd = ((await lossAt(aData, p)) - (await lossAt(aData, m))) / (2 * h);
    assert.ok(Math.abs(fd - gotB[i]) < 1e-5, `dB[${i}]: fd ${fd}, grad ${gotB[i]}`);
  }
  tf.dispose([a, b, w, ga, gb]);
  await initBackend("cpu");
});

Deno.test("segmentSumRows: hand-built case, out-of-range ids dropped", () => {
  // 4 rows of size 2, ids [2, 0, 2, 5]; 3 segments, id 5 is out of range.
  const x = [1, 2, 10, 20, 100, 200, 1000, 2000];
  const out = segmentSumRows(x, [2, 0, 2, 5], 2, 3);
  assert.ok(out instanceof Float32Array);
  assert.deepEqual(Array.from(out), [10, 20, 0, 0, 101, 202]);
  // Negative id dropped too; a single segment sums everything in range.
  assert.deepEqual(Array.from(segmentSumRows([1.5, -2, 4], [0, -1, 0], 1, 1)), [5.5]);
  // No rows: zeros of the requested size.
  assert.deepEqual(Array.from(segmentSumRows([], [], 3, 2)), [0, 0, 0, 0, 0, 0]);
});

Deno.test("gather gradient (UnsortedSegmentSum) on wasm equals cpu and the hand result", async () => {
  const xData = randomData(4, 3, "gather-x");
  const idx = [3, 1, 3, 0, 3, 1]; // duplicates; row 2 never gathered
  const wData = randomData(6, 3, "gather-w");
  const run = async (backend: string) => {
    await initBackend(backend);
    const x = tf.tensor2d(xData, [4, 3]);
    const ids = tf.tensor1d(idx, "int32");
    const w = tf.tensor2d(wData, [6, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.gather(t, ids).mul(w).sum())(x);
    assert.deepEqual(g.shape, [4, 3]);
    const out = await g.data();
    tf.dispose([x, ids, w, g]);
    return out;
  };
  const cpu = await run("cpu");
  const wasm = await run("wasm");
  await initBackend("cpu");
  const want = new Float64Array(12);
  idx.forEach((row, b) => {
    for (let k = 0; k < 3; k++) want[row * 3 + k] += wData[b * 3 + k];
  });
  assertClose(cpu, want, 1e-6, "cpu gather grad");
  assertClose(wasm, cpu, 1e-6, "wasm vs cpu gather grad");
  for (let k = 0; k < 3; k++) assert.equal(wasm[2 * 3 + k], 0, "ungathered row gets zero");
});
