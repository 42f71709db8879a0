/**
 * The causal-importance MLPs as two fused WebAssembly SIMD kernels for TF.js's
 * wasm backend: one pass over `[rows, C, d_gate]` forward and one backward,
 * instead of ~37 elementwise TF.js kernels that each read and write the whole
 * `[rows, C, d_gate]` tensor. The kernels are written in TypeScript with
 * {@linkcode Code} and work in place on the wasm backend's memory (no copies).
 *
 * Arithmetic follows the op version in `ci_mlp.ts` step for step (the same
 * A&S 7.1.26 normal CDF, the same products in the same order); what differs
 * is `exp` (a Cephes-style float32 polynomial with 2^k scaling, exactly 0
 * below e^−80 so that no denormal enters a product), the order of the sums
 * over d_gate (four lanes, then lanes added pairwise) and over rows (in row
 * order). So results agree with the op version to float32 rounding, not bit
 * for bit.
 *
 * Kernels: `PdbenchCiMlp` (inputs h, w1, b1, w2, b2 → raw `[rows, C]`) and
 * `PdbenchCiMlpGrad` (inputs dy, h, w1, b1, w2 → dh, dw1, db1, dw2); both need
 * d_gate to be a multiple of 4 and rows ≥ 1. Each iteration computes 4, 8 or
 * 16 gate units (the largest that divides d_gate), interleaving their
 * independent chains; the order of every sum is the same for all three, so
 * they give the same bits.
 *
 * @module
 */
import { tf } from "../../runtime/backend.ts";
import { callKernel, kernelModule, offsetOf, wasmInternals } from "../../runtime/wasm_kernels.ts";
import { Code, I32, V128 } from "../../runtime/wasm_writer.ts";

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

/** The v128 locals of one lane group (four gate units at byte offset `offset` from `g`). */
interface Lanes {
  readonly offset: number;
  readonly pre: number;
  readonly e: number;
  readonly cdf: number;
  readonly t: number;
  readonly keep: number;
  readonly w1v: number;
  readonly dPre: number;
}

/** One statement, written for one lane group. */
type Step = (c: Code, l: Lanes) => void;

/**
 * Writes each step for every lane group before the next step, so the
 * groups' independent dependency chains sit side by side and the CPU can
 * overlap them. Steps that touch a shared accumulator run in group order,
 * which keeps every sum in the order of one group at a time.
 */
function interleave(c: Code, groups: readonly Lanes[], steps: readonly Step[]): void {
  for (const step of steps) for (const l of groups) step(c, l);
}

/**
 * The GELU pieces of `pre`: `e` = exp(−pre²/2), exactly 0 where pre²/2 > 80
 * (so no denormal ever enters the products), and `cdf` = Φ(pre). `t` and
 * `keep` are scratch.
 */
const GELU_STEPS: readonly Step[] = [
  // x = pre²·(−½) (in e); keep = x > −80; k = nearest(x·log2 e) (in t); r = x − k·ln2 (in e).
  (c, l) => c.get(l.pre).get(l.pre).f32x4Mul().f32x4Const(-0.5).f32x4Mul().set(l.e),
  (c, l) => c.get(l.e).f32x4Const(-80).f32x4Gt().set(l.keep),
  (c, l) => c.get(l.e).f32x4Const(Math.LOG2E).f32x4Mul().f32x4Nearest().set(l.t),
  (c, l) =>
    c.get(l.e).get(l.t).f32x4Const(LN2_HI).f32x4Mul().f32x4Sub()
      .get(l.t).f32x4Const(LN2_LO).f32x4Mul().f32x4Sub().set(l.e),
  // The polynomial in r (in cdf), then y = (p·r·r + r) + 1, times 2^k from the exponent bits,
  // zeroed where x ≤ −80 (where the bits of 2^k may be garbage).
  (c, l) => c.f32x4Const(EXP_P[5]).set(l.cdf),
  ...[4, 3, 2, 1, 0].map((k): Step => (c, l) =>
    c.get(l.cdf).get(l.e).f32x4Mul().f32x4Const(EXP_P[k]).f32x4Add().set(l.cdf)
  ),
  (c, l) =>
    c.get(l.cdf).get(l.e).f32x4Mul().get(l.e).f32x4Mul().get(l.e).f32x4Add().f32x4Const(1)
      .f32x4Add().get(l.t).i32x4TruncSatF32x4S().i32x4Const(127).i32x4Add().i32(23).i32x4Shl()
      .f32x4Mul().get(l.keep).v128And().set(l.e),
  // t = 1 / (|pre|·p/√2 + 1); tail = P(t)·e; Φ = |step(pre) − tail|.
  (c, l) =>
    c.f32x4Const(1).get(l.pre).f32x4Abs().f32x4Const(ERF_P * Math.SQRT1_2).f32x4Mul()
      .f32x4Const(1).f32x4Add().f32x4Div().set(l.t),
  (c, l) => c.get(l.t).f32x4Const(ERF_A[4] / 2).f32x4Mul().set(l.cdf),
  ...[3, 2, 1, 0].map((k): Step => (c, l) =>
    c.get(l.cdf).f32x4Const(ERF_A[k] / 2).f32x4Add().get(l.t).f32x4Mul().set(l.cdf)
  ),
  (c, l) =>
    c.get(l.pre).f32x4Const(0).f32x4Gt().f32x4Const(1).v128And()
      .get(l.cdf).get(l.e).f32x4Mul().f32x4Sub().f32x4Abs().set(l.cdf),
];

/** Pushes the sum of a v128 local's four lanes: (l0 + l1) + (l2 + l3). */
function laneSum(c: Code, v: number): void {
  c.get(v).f32x4ExtractLane(0).get(v).f32x4ExtractLane(1).f32Add();
  c.get(v).f32x4ExtractLane(2).get(v).f32x4ExtractLane(3).f32Add().f32Add();
}

/** `groups` lane groups of fresh locals, at byte offsets 0, 16, 32, … */
function laneGroups(c: Code, groups: number): Lanes[] {
  return Array.from({ length: groups }, (_, u) => ({
    offset: 16 * u,
    pre: c.local(V128),
    e: c.local(V128),
    cdf: c.local(V128),
    t: c.local(V128),
    keep: c.local(V128),
    w1v: c.local(V128),
    dPre: c.local(V128),
  }));
}

/** The loop counters of {@linkcode pairLoop}: byte offsets into `[rows, C]` and `[C, G]`. */
interface Counters {
  readonly i: number;
  readonly g: number;
}

/**
 * Loops over every (row, component) pair: `i` walks the `[rows, C]` tensors
 * in bytes, `g` the component's `d_gate` weights in bytes, `groups` × 4 units
 * at a time. `before` and `after` write the work around one pair, `body` that
 * for one stride of gate units.
 */
function pairLoop(
  c: Code,
  n: { rows: number; C: number; G: number },
  at: Counters,
  groups: number,
  work: { before: () => void; body: () => void; after: () => void },
): void {
  const total = c.local(I32), rowEnd = c.local(I32), gEnd = c.local(I32);
  c.get(n.rows).get(n.C).i32Mul().i32(4).i32Mul().set(total);
  c.doWhile(() => {
    c.get(at.i).get(n.C).i32(4).i32Mul().i32Add().set(rowEnd);
    c.i32(0).set(gEnd);
    c.countUp(at.i, 4, rowEnd, () => {
      work.before();
      c.get(gEnd).set(at.g);
      c.get(at.g).get(n.G).i32(4).i32Mul().i32Add().set(gEnd);
      c.countUp(at.g, 16 * groups, gEnd, work.body);
      work.after();
    });
    c.get(at.i).get(total).i32LtU();
  });
}

/**
 * `forward(h, w1, b1, w2, b2, out, rows, C, G)`: raw CI-MLP outputs into
 * `out`, 4 × `groups` gate units per iteration (G must be a multiple).
 */
function forwardCode(groups: number): Code {
  const c = new Code([I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [h, w1, b1, w2, b2, out, rows, C, G] = c.params.keys();
  const ctr = { i: c.local(I32), g: c.local(I32) };
  const cb = c.local(I32), hv = c.local(V128), acc = c.local(V128);
  const lanes = laneGroups(c, groups);
  pairLoop(c, { rows, C, G }, ctr, groups, {
    before: () => {
      c.address(h, ctr.i).f32Load().f32x4Splat().set(hv);
      c.f32x4Const(0).set(acc);
    },
    body: () =>
      interleave(c, lanes, [
        (c, l) => {
          c.get(hv);
          c.address(w1, ctr.g).v128Load(l.offset).f32x4Mul();
          c.address(b1, ctr.g).v128Load(l.offset).f32x4Add().set(l.pre);
        },
        ...GELU_STEPS,
        (c, l) => {
          c.get(acc).get(l.pre).get(l.cdf).f32x4Mul();
          c.address(w2, ctr.g).v128Load(l.offset).f32x4Mul().f32x4Add().set(acc);
        },
      ]),
    after: () => {
      // out[i] = Σ lanes + b2[c]; cb walks b2 and wraps to 0 at the end of each row.
      c.address(out, ctr.i);
      laneSum(c, acc);
      c.address(b2, cb).f32Load().f32Add().f32Store();
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
function gradCode(groups: number): Code {
  const c = new Code([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [dy, h, w1, b1, w2, dh, dw1, db1, dw2, rows, C, G] = c.params.keys();
  const ctr = { i: c.local(I32), g: c.local(I32) };
  const hv = c.local(V128), dyv = c.local(V128), dhAcc = c.local(V128);
  const lanes = laneGroups(c, groups);
  /** `*(base + g + offset) += value`, where `value` pushes the v128 to add. */
  const accumulate = (base: number, l: Lanes, value: () => void) => {
    c.address(base, ctr.g);
    c.address(base, ctr.g).v128Load(l.offset);
    value();
    c.f32x4Add().v128Store(l.offset);
  };
  pairLoop(c, { rows, C, G }, ctr, groups, {
    before: () => {
      c.address(h, ctr.i).f32Load().f32x4Splat().set(hv);
      c.address(dy, ctr.i).f32Load().f32x4Splat().set(dyv);
      c.f32x4Const(0).set(dhAcc);
    },
    body: () =>
      interleave(c, lanes, [
        (c, l) => {
          c.address(w1, ctr.g).v128Load(l.offset).set(l.w1v);
          c.get(hv).get(l.w1v).f32x4Mul();
          c.address(b1, ctr.g).v128Load(l.offset).f32x4Add().set(l.pre);
        },
        ...GELU_STEPS,
        // dw2 += (pre·Φ)·dy; dPre = (dy·w2)·(Φ + (pre·e)/√(2π)); db1 += dPre; dw1 += dPre·h.
        (_, l) => accumulate(dw2, l, () => c.get(l.pre).get(l.cdf).f32x4Mul().get(dyv).f32x4Mul()),
        (c, l) => {
          c.get(dyv);
          c.address(w2, ctr.g).v128Load(l.offset).f32x4Mul();
          c.get(l.cdf).get(l.pre).get(l.e).f32x4Mul().f32x4Const(INV_SQRT_2PI).f32x4Mul()
            .f32x4Add().f32x4Mul().set(l.dPre);
        },
        (_, l) => accumulate(db1, l, () => c.get(l.dPre)),
        (_, l) => accumulate(dw1, l, () => c.get(l.dPre).get(hv).f32x4Mul()),
        (c, l) => c.get(dhAcc).get(l.dPre).get(l.w1v).f32x4Mul().f32x4Add().set(dhAcc),
      ]),
    after: () => {
      c.address(dh, ctr.i);
      laneSum(c, dhAcc);
      c.f32Store();
    },
  });
  return c;
}

/** Lane groups per iteration the module is built for: 1 (d_gate % 4), 2 (% 8), 4 (% 16). */
const GROUPINGS = [1, 2, 4] as const;

/**
 * Lane groups per iteration for d_gate `G`: `requested` (the kernels' optional
 * `groups` attribute, for tests; any grouping gives the same bits) or the
 * largest that divides `G` into whole iterations.
 */
function groupingFor(G: number, requested: unknown, kernel: string): number {
  if (requested === undefined) return [...GROUPINGS].reverse().find((u) => G % (4 * u) === 0)!;
  if (!GROUPINGS.some((u) => u === requested) || G % (4 * (requested as number)) !== 0) {
    const allowed = `one of ${GROUPINGS.join(", ")} and divide d_gate / 4 = ${G / 4}`;
    throw new RangeError(`${kernel}: groups must be ${allowed}; got ${requested}`);
  }
  return requested as number;
}

const kernels = kernelModule(() =>
  Object.fromEntries(GROUPINGS.flatMap((u) => [
    [`forward${u}`, forwardCode(u)],
    [`grad${u}`, gradCode(u)],
  ]))
);

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
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { h, w1, b1, w2, b2 } = inputs as unknown as Record<string, tf.TensorInfo>;
      const [rows, C, G] = checkShapes(h, w1, CI_MLP_KERNEL);
      const be = wasmInternals(backend);
      const out = be.makeOutput([rows, C], "float32");
      const groups = groupingFor(G, attrs?.groups, CI_MLP_KERNEL);
      callKernel(be, kernels, `forward${groups}`, [h, w1, b1, w2, b2, out], [rows, C, G]);
      return out;
    },
  });
  tf.registerKernel({
    kernelName: CI_MLP_GRAD_KERNEL,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, h, w1, b1, w2 } = inputs as unknown as Record<string, tf.TensorInfo>;
      const [rows, C, G] = checkShapes(h, w1, CI_MLP_GRAD_KERNEL);
      const be = wasmInternals(backend);
      const dh = be.makeOutput([rows, C], "float32");
      const sums = [0, 1, 2].map(() => be.makeOutput([C, G], "float32"));
      const memory = be.wasm.asm.memory;
      for (const s of sums) new Float32Array(memory.buffer, offsetOf(be, s), C * G).fill(0);
      const [dw1, db1, dw2] = sums;
      const groups = groupingFor(G, attrs?.groups, CI_MLP_GRAD_KERNEL);
      const tensors = [dy, h, w1, b1, w2, dh, dw1, db1, dw2];
      callKernel(be, kernels, `grad${groups}`, tensors, [rows, C, G]);
      return [dh, dw1, db1, dw2];
    },
  });
}
