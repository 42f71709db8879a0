/**
 * From raw CI-MLP outputs to everything SPD uses of them, as one WebAssembly
 * SIMD kernel for TF.js's wasm backend, with a one-kernel gradient: the
 * lower-leaky importances g, the upper-leaky ones, and the two stochastic
 * masks `g + (1 − g)·r` (full and layerwise noise). The op version is about
 * 10 elementwise kernels forward and 20 backward over `[rows, C]`
 * (comparisons, casts and selects for the hard sigmoids' gradients).
 *
 * Forward values are the op version's bits (the same float32 operations);
 * the gradient is `dg·(1 − r)` where the ops compute `dg − dg·r`, so it agrees
 * to float32 rounding.
 *
 * Kernel `PdbenchCiGates`: inputs raw, rFull, rLayer `[rows, C]`, attrs
 * `alpha` and `oneMinusAlpha` (as the op version rounds it); outputs lower,
 * upper, maskFull, maskLayer. Kernel
 * `PdbenchCiGatesGrad`: inputs raw, rFull, rLayer, dLower, dUpper, dMaskFull,
 * dMaskLayer; output dRaw. Both need rows·C to be a multiple of 4.
 *
 * @module
 */
import { tf } from "../../runtime/backend.ts";
import { callKernel, kernelModule, wasmInternals } from "../../runtime/wasm_kernels.ts";
import { Code, F32, I32, V128 } from "../../runtime/wasm_writer.ts";

/** Forward kernel name. */
export const CI_GATES_KERNEL = "PdbenchCiGates";
/** Backward kernel name. */
export const CI_GATES_GRAD_KERNEL = "PdbenchCiGatesGrad";

/**
 * A loop over `n` floats four at a time: `body(i)` writes the work for the
 * lanes at byte offset `i` (local) of every tensor.
 */
function vectorLoop(c: Code, n: number, body: (i: number) => void): void {
  const i = c.local(I32), end = c.local(I32);
  c.get(n).i32(4).i32Mul().set(end);
  c.countUp(i, 16, end, () => body(i));
}

/** The attributes of both kernels. */
export interface CiGatesAttrs {
  /** The leak α of both hard sigmoids. */
  readonly alpha: number;
  /** 1 − α, computed in float64 and rounded once, as the op version's scalar is. */
  readonly oneMinusAlpha: number;
}

/**
 * `gates(raw, rFull, rLayer, lower, upper, maskFull, maskLayer, n, alpha, 1 − alpha)`:
 * a = x > 0 ? x : α·x; lower = min(a, 1); upper = relu(x) − relu(x − 1)·(1 − α);
 * mask = lower + (1 − lower)·r.
 */
function gatesCode(): Code {
  const c = new Code([I32, I32, I32, I32, I32, I32, I32, I32, F32, F32]);
  const [raw, rFull, rLayer, lower, upper, maskFull, maskLayer, n, alpha, oneMinusAlpha] = c.params
    .keys();
  const x = c.local(V128), g = c.local(V128), av = c.local(V128), leak = c.local(V128);
  c.get(alpha).f32x4Splat().set(av);
  c.get(oneMinusAlpha).f32x4Splat().set(leak);
  vectorLoop(c, n, (i) => {
    c.address(raw, i).v128Load().set(x);
    // lower = pmin(bitselect(x, α·x, x > 0), 1): a NaN in x stays NaN.
    c.get(x).get(x).get(av).f32x4Mul().get(x).f32x4Const(0).f32x4Gt().v128Bitselect()
      .f32x4Const(1).f32x4Pmin().set(g);
    c.address(lower, i).get(g).v128Store();
    // upper = relu(x) − relu(x − 1)·(1 − α), relu(y) = y where y > 0, else 0.
    c.address(upper, i);
    c.get(x).get(x).f32x4Const(0).f32x4Gt().v128And();
    c.get(x).f32x4Const(1).f32x4Sub().get(x).f32x4Const(1).f32x4Gt().v128And();
    c.get(leak).f32x4Mul().f32x4Sub().v128Store();
    for (const [r, mask] of [[rFull, maskFull], [rLayer, maskLayer]]) {
      c.address(mask, i).get(g).f32x4Const(1).get(g).f32x4Sub();
      c.address(r, i).v128Load().f32x4Mul().f32x4Add().v128Store();
    }
  });
  return c;
}

/**
 * `grad(raw, rFull, rLayer, dLower, dUpper, dMaskFull, dMaskLayer, dRaw, n, alpha, 1 − alpha)`:
 * dg = dLower + dMaskFull·(1 − rFull) + dMaskLayer·(1 − rLayer);
 * dRaw = dg·[a ≤ 1]·(x > 0 ? 1 : α) + dUpper·([x > 0] − [x > 1]·(1 − α)).
 */
function gradCode(): Code {
  const c = new Code([I32, I32, I32, I32, I32, I32, I32, I32, I32, F32, F32]);
  const [raw, rFull, rLayer, dLower, dUpper, dMaskFull, dMaskLayer, dRaw, n, alpha, oneMinusAlpha] =
    c.params.keys();
  const x = c.local(V128), pos = c.local(V128), av = c.local(V128), leak = c.local(V128);
  c.get(alpha).f32x4Splat().set(av);
  c.get(oneMinusAlpha).f32x4Splat().set(leak);
  vectorLoop(c, n, (i) => {
    c.address(raw, i).v128Load().set(x);
    c.get(x).f32x4Const(0).f32x4Gt().set(pos);
    c.address(dRaw, i);
    // dg
    c.address(dLower, i).v128Load();
    for (const [r, dMask] of [[rFull, dMaskFull], [rLayer, dMaskLayer]]) {
      c.address(dMask, i).v128Load().f32x4Const(1);
      c.address(r, i).v128Load().f32x4Sub().f32x4Mul().f32x4Add();
    }
    // · (x > 0 ? 1 : α), kept where a = (x > 0 ? x : α·x) ≤ 1
    c.f32x4Const(1).get(av).get(pos).v128Bitselect().f32x4Mul();
    c.get(x).get(x).get(av).f32x4Mul().get(pos).v128Bitselect().f32x4Const(1).f32x4Le().v128And();
    // + dUpper·([x > 0] − [x > 1]·(1 − α))
    c.address(dUpper, i).v128Load();
    c.f32x4Const(1).get(pos).v128And();
    c.get(leak).get(x).f32x4Const(1).f32x4Gt().v128And().f32x4Sub();
    c.f32x4Mul().f32x4Add().v128Store();
  });
  return c;
}

const module = kernelModule(() => ({ gates: gatesCode(), grad: gradCode() }));

function size(t: tf.TensorInfo): number {
  const n = tf.util.sizeFromShape(t.shape);
  if (n % 4 !== 0) throw new Error(`${CI_GATES_KERNEL}: rows·C must be a multiple of 4; got ${n}`);
  return n;
}

function attrValues(attrs: unknown): [number, number] {
  const { alpha, oneMinusAlpha } = attrs as CiGatesAttrs;
  return [alpha, oneMinusAlpha];
}

/** Registers both kernels for the wasm backend and the forward one's gradient (idempotent). */
export function registerCiGatesWasmKernels(): void {
  if (tf.getKernel(CI_GATES_KERNEL, "wasm")) return;
  tf.registerKernel({
    kernelName: CI_GATES_KERNEL,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { raw, rFull, rLayer } = inputs as unknown as Record<string, tf.TensorInfo>;
      const be = wasmInternals(backend);
      const outs = [0, 1, 2, 3].map(() => be.makeOutput([...raw.shape], "float32"));
      callKernel(be, module, "gates", [raw, rFull, rLayer, ...outs], [
        size(raw),
        ...attrValues(attrs),
      ]);
      return outs;
    },
  });
  tf.registerKernel({
    kernelName: CI_GATES_GRAD_KERNEL,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const t = inputs as unknown as Record<string, tf.TensorInfo>;
      const be = wasmInternals(backend);
      const dRaw = be.makeOutput([...t.raw.shape], "float32");
      const order = ["raw", "rFull", "rLayer", "dLower", "dUpper", "dMaskFull", "dMaskLayer"];
      callKernel(be, module, "grad", [...order.map((name) => t[name]), dRaw], [
        size(t.raw),
        ...attrValues(attrs),
      ]);
      return dRaw;
    },
  });
  tf.registerGradient({
    kernelName: CI_GATES_KERNEL,
    inputsToSave: ["raw", "rFull", "rLayer"],
    gradFunc: (dy, saved, attrs) => {
      const [raw, rFull, rLayer] = saved;
      const [dLower, dUpper, dMaskFull, dMaskLayer] = dy as tf.Tensor[];
      const inputs = { raw, rFull, rLayer, dLower, dUpper, dMaskFull, dMaskLayer };
      return {
        raw: () => tf.engine().runKernel(CI_GATES_GRAD_KERNEL, inputs, attrs) as tf.Tensor,
        rFull: () => tf.zerosLike(rFull),
        rLayer: () => tf.zerosLike(rLayer),
      };
    },
  });
}
