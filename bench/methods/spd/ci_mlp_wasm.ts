/**
 * The causal-importance MLPs as two fused WebAssembly SIMD kernels for TF.js's
 * wasm backend: one pass over `[rows, C, d_gate]` forward and one backward,
 * instead of ~37 elementwise TF.js kernels that each read and write the whole
 * `[rows, C, d_gate]` tensor. The kernels are written in TypeScript with
 * {@linkcode Code} and work in place on the wasm backend's memory (no copies).
 *
 * Arithmetic follows the op version in `ci_mlp.ts` step for step (the same
 * A&S 7.1.26 normal CDF, the same products in the same order); what differs
 * is `exp` (a Cephes-style float32 polynomial with 2^k scaling, relative error
 * ≲ 2e-7 against XNNPACK's, 0 below e^−87), the order of the sums over d_gate (four lanes,
 * then lanes added pairwise) and over rows (in row order). So results agree
 * with the op version to float32 rounding, not bit for bit.
 *
 * Kernels: `PdbenchCiMlp` (inputs h, w1, b1, w2, b2 → raw `[rows, C]`) and
 * `PdbenchCiMlpGrad` (inputs dy, h, w1, b1, w2 → dh, dw1, db1, dw2); both need
 * d_gate to be a multiple of 4 and rows ≥ 1.
 *
 * @module
 */
import { tf } from "../../runtime/backend.ts";
import { Code, encodeModule, I32, V128 } from "../../runtime/wasm_writer.ts";

const ERF_P = 0.3275911;
const ERF_A = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429];
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
// Cephes expf: e^x = 2^k · e^r, r = x − k·ln2 (ln2 split in two), e^r a degree-7 polynomial.
const LN2_HI = 0.693359375, LN2_LO = -2.12194440e-4;
const EXP_P = [
  5.0000001201e-1,
  1.6666665459e-1,
  4.1665795894e-2,
  8.3334519073e-3,
  1.3981999507e-3,
  1.98756915e-4,
];

/** Forward kernel name. */
export const CI_MLP_KERNEL = "PdbenchCiMlp";
/** Backward kernel name. */
export const CI_MLP_GRAD_KERNEL = "PdbenchCiMlpGrad";

/**
 * Writes the GELU pieces of `pre` (a v128 local) into the locals `e`
 * (exp(−pre²/2), exactly 0 where pre²/2 > 87) and `cdf` (Φ(pre)), using `t`
 * and `keep` as scratch.
 */
function geluParts(
  c: Code,
  pre: number,
  v: { e: number; cdf: number; t: number; keep: number },
): void {
  const { e, cdf, t, keep } = v;
  // x = pre²·(−½); keep = x > −87; x = max(x, −87); k = nearest(x·log2 e); r = x − k·ln2.
  c.get(pre).get(pre).f32x4Mul().f32x4Const(-0.5).f32x4Mul().set(e);
  c.get(e).f32x4Const(-87).f32x4Gt().set(keep);
  c.get(e).f32x4Const(-87).f32x4Max().set(e);
  c.get(e).f32x4Const(Math.LOG2E).f32x4Mul().f32x4Nearest().set(t);
  c.get(e).get(t).f32x4Const(LN2_HI).f32x4Mul().f32x4Sub()
    .get(t).f32x4Const(LN2_LO).f32x4Mul().f32x4Sub().set(e); // e holds r
  // cdf (as scratch) = polynomial in r; y = (p·r·r + r) + 1.
  c.f32x4Const(EXP_P[5]).set(cdf);
  for (let k = 4; k >= 0; k--) {
    c.get(cdf).get(e).f32x4Mul().f32x4Const(EXP_P[k]).f32x4Add().set(cdf);
  }
  c.get(cdf).get(e).f32x4Mul().get(e).f32x4Mul().get(e).f32x4Add().f32x4Const(1).f32x4Add();
  // · 2^k, built from the exponent bits; 0 where x was below −87.
  c.get(t).i32x4TruncSatF32x4S().i32x4Const(127).i32x4Add().i32(23).i32x4Shl().f32x4Mul();
  c.get(keep).v128And().set(e);
  // t = 1 / (|pre|·p/√2 + 1); tail = P(t)·e; Φ = |step(pre) − tail|.
  c.f32x4Const(1).get(pre).f32x4Abs().f32x4Const(ERF_P * Math.SQRT1_2).f32x4Mul().f32x4Const(1)
    .f32x4Add().f32x4Div().set(t);
  c.get(t).f32x4Const(ERF_A[4] / 2).f32x4Mul().set(cdf);
  for (let k = 3; k >= 0; k--) {
    c.get(cdf).f32x4Const(ERF_A[k] / 2).f32x4Add().get(t).f32x4Mul().set(cdf);
  }
  c.get(pre).f32x4Const(0).f32x4Gt().f32x4Const(1).v128And()
    .get(cdf).get(e).f32x4Mul().f32x4Sub().f32x4Abs().set(cdf);
}

/** Pushes the sum of a v128 local's four lanes: (l0 + l1) + (l2 + l3). */
function laneSum(c: Code, v: number): void {
  c.get(v).f32x4ExtractLane(0).get(v).f32x4ExtractLane(1).f32Add();
  c.get(v).f32x4ExtractLane(2).get(v).f32x4ExtractLane(3).f32Add().f32Add();
}

/** Pushes the address `base + offset` (two i32 locals). */
const at = (c: Code, base: number, offset: number) => c.get(base).get(offset).i32Add();

/** The loop counters of {@linkcode pairLoop}: byte offsets into `[rows, C]` and `[C, G]`. */
interface Counters {
  readonly i: number;
  readonly g: number;
}

/**
 * Loops over every (row, component) pair: `i` walks the `[rows, C]` tensors
 * in bytes, `g` the component's `d_gate` weights in bytes, four units at a
 * time. `before` and `after` write the work around one pair, `group` that for
 * four gate units.
 */
function pairLoop(
  c: Code,
  n: { rows: number; C: number; G: number },
  at: Counters,
  work: { before: () => void; group: () => void; after: () => void },
): void {
  const total = c.local(I32), rowEnd = c.local(I32), gEnd = c.local(I32);
  c.get(n.rows).get(n.C).i32Mul().i32(4).i32Mul().set(total);
  c.doWhile(() => {
    c.get(at.i).get(n.C).i32(4).i32Mul().i32Add().set(rowEnd);
    c.i32(0).set(gEnd);
    c.doWhile(() => {
      work.before();
      c.get(gEnd).set(at.g);
      c.get(at.g).get(n.G).i32(4).i32Mul().i32Add().set(gEnd);
      c.doWhile(() => {
        work.group();
        c.get(at.g).i32(16).i32Add().set(at.g);
        c.get(at.g).get(gEnd).i32LtU();
      });
      work.after();
      c.get(at.i).i32(4).i32Add().set(at.i);
      c.get(at.i).get(rowEnd).i32LtU();
    });
    c.get(at.i).get(total).i32LtU();
  });
}

/** `forward(h, w1, b1, w2, b2, out, rows, C, G)`: raw CI-MLP outputs into `out`. */
function forwardCode(): Code {
  const c = new Code([I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [h, w1, b1, w2, b2, out, rows, C, G] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const ctr = { i: c.local(I32), g: c.local(I32) };
  const cb = c.local(I32);
  const hv = c.local(V128), acc = c.local(V128), pre = c.local(V128);
  const e = c.local(V128), cdf = c.local(V128), t = c.local(V128), keep = c.local(V128);
  pairLoop(c, { rows, C, G }, ctr, {
    before: () => {
      at(c, h, ctr.i).f32Load().f32x4Splat().set(hv);
      c.f32x4Const(0).set(acc);
    },
    group: () => {
      c.get(hv);
      at(c, w1, ctr.g).v128Load().f32x4Mul();
      at(c, b1, ctr.g).v128Load().f32x4Add().set(pre);
      geluParts(c, pre, { e, cdf, t, keep });
      c.get(acc).get(pre).get(cdf).f32x4Mul();
      at(c, w2, ctr.g).v128Load().f32x4Mul().f32x4Add().set(acc);
    },
    after: () => {
      // out[i] = Σ lanes + b2[c]; cb walks b2 and wraps to 0 at the end of each row.
      at(c, out, ctr.i);
      laneSum(c, acc);
      at(c, b2, cb).f32Load().f32Add().f32Store();
      c.get(cb).i32(4).i32Add().set(cb);
      c.get(cb).get(C).i32(4).i32Mul().i32LtU().get(cb).i32Mul().set(cb);
    },
  });
  return c;
}

/**
 * `grad(dy, h, w1, b1, w2, dh, dw1, db1, dw2, rows, C, G)`: dh `[rows, C]`
 * written; dw1, db1, dw2 `[C, G]` accumulated (the caller zeroes them).
 */
function gradCode(): Code {
  const c = new Code([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [dy, h, w1, b1, w2, dh, dw1, db1, dw2, rows, C, G] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const ctr = { i: c.local(I32), g: c.local(I32) };
  const hv = c.local(V128), dyv = c.local(V128), dhAcc = c.local(V128), w1v = c.local(V128);
  const pre = c.local(V128), e = c.local(V128), cdf = c.local(V128), t = c.local(V128);
  const keep = c.local(V128);
  const dPre = c.local(V128);
  /** `*(base + g) += value`, where `value` writes the v128 to add. */
  const accumulate = (base: number, value: () => void) => {
    at(c, base, ctr.g);
    at(c, base, ctr.g).v128Load();
    value();
    c.f32x4Add().v128Store();
  };
  pairLoop(c, { rows, C, G }, ctr, {
    before: () => {
      at(c, h, ctr.i).f32Load().f32x4Splat().set(hv);
      at(c, dy, ctr.i).f32Load().f32x4Splat().set(dyv);
      c.f32x4Const(0).set(dhAcc);
    },
    group: () => {
      at(c, w1, ctr.g).v128Load().set(w1v);
      c.get(hv).get(w1v).f32x4Mul();
      at(c, b1, ctr.g).v128Load().f32x4Add().set(pre);
      geluParts(c, pre, { e, cdf, t, keep });
      // dw2 += (pre·Φ)·dy
      accumulate(dw2, () => c.get(pre).get(cdf).f32x4Mul().get(dyv).f32x4Mul());
      // dPre = (dy·w2)·(Φ + (pre·e)/√(2π))
      c.get(dyv);
      at(c, w2, ctr.g).v128Load().f32x4Mul();
      c.get(cdf).get(pre).get(e).f32x4Mul().f32x4Const(INV_SQRT_2PI).f32x4Mul().f32x4Add();
      c.f32x4Mul().set(dPre);
      accumulate(db1, () => c.get(dPre));
      accumulate(dw1, () => c.get(dPre).get(hv).f32x4Mul());
      c.get(dhAcc).get(dPre).get(w1v).f32x4Mul().f32x4Add().set(dhAcc);
    },
    after: () => {
      at(c, dh, ctr.i);
      laneSum(c, dhAcc);
      c.f32Store();
    },
  });
  return c;
}

interface WasmKernels {
  forward(...args: number[]): void;
  grad(...args: number[]): void;
}

/** The slice of the wasm backend's internals these kernels use. */
interface WasmBackendInternals {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
}

const instances = new WeakMap<WebAssembly.Memory, WasmKernels>();
let compiled: WebAssembly.Module | undefined;

/** The kernels instantiated on `memory` (compiled once per process, instantiated once per memory). */
function kernelsFor(memory: WebAssembly.Memory): WasmKernels {
  let k = instances.get(memory);
  if (!k) {
    compiled ??= new WebAssembly.Module(
      encodeModule({ forward: forwardCode(), grad: gradCode() }) as BufferSource,
    );
    k = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as WasmKernels;
    instances.set(memory, k);
  }
  return k;
}

function internals(backend: unknown): WasmBackendInternals {
  return backend as WasmBackendInternals;
}

function checkShapes(
  h: tf.TensorInfo,
  w1: tf.TensorInfo,
  kernel: string,
): [number, number, number] {
  const [rows, C] = h.shape, G = w1.shape[1];
  if (G % 4 !== 0 || rows < 1 || w1.shape[0] !== C) {
    throw new Error(
      `${kernel}: needs rows >= 1, w1 [C, d_gate] with d_gate % 4 == 0; got h [${h.shape}], w1 [${w1.shape}]`,
    );
  }
  return [rows, C, G];
}

/** Registers both kernels for the wasm backend (idempotent). */
export function registerCiMlpWasmKernels(): void {
  if (tf.getKernel(CI_MLP_KERNEL, "wasm")) return;
  tf.registerKernel({
    kernelName: CI_MLP_KERNEL,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend }) => {
      const { h, w1, b1, w2, b2 } = inputs as unknown as Record<string, tf.TensorInfo>;
      const [rows, C, G] = checkShapes(h, w1, CI_MLP_KERNEL);
      const be = internals(backend);
      const out = be.makeOutput([rows, C], "float32");
      const off = (t: tf.TensorInfo) => be.dataIdMap.get(t.dataId).memoryOffset;
      kernelsFor(be.wasm.asm.memory).forward(
        off(h),
        off(w1),
        off(b1),
        off(w2),
        off(b2),
        off(out),
        rows,
        C,
        G,
      );
      return out;
    },
  });
  tf.registerKernel({
    kernelName: CI_MLP_GRAD_KERNEL,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend }) => {
      const { dy, h, w1, b1, w2 } = inputs as unknown as Record<string, tf.TensorInfo>;
      const [rows, C, G] = checkShapes(h, w1, CI_MLP_GRAD_KERNEL);
      const be = internals(backend);
      const dh = be.makeOutput([rows, C], "float32");
      const sums = [0, 1, 2].map(() => be.makeOutput([C, G], "float32"));
      const off = (t: tf.TensorInfo) => be.dataIdMap.get(t.dataId).memoryOffset;
      const memory = be.wasm.asm.memory;
      for (const s of sums) new Float32Array(memory.buffer, off(s), C * G).fill(0);
      const [dw1, db1, dw2] = sums;
      kernelsFor(memory).grad(
        off(dy),
        off(h),
        off(w1),
        off(b1),
        off(w2),
        off(dh),
        off(dw1),
        off(db1),
        off(dw2),
        rows,
        C,
        G,
      );
      return [dh, dw1, db1, dw2];
    },
  });
}
