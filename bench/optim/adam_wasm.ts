/**
 * Adam's update as one WebAssembly SIMD kernel for TF.js's wasm backend: for
 * each variable one pass computes the new parameter and both moments,
 * instead of ~13 elementwise TF.js kernels (each with its own dispatch, a
 * cost that dominates small models such as TMS 5-2). Every operation is the
 * op version's (`adam.ts`), in the same order and in float32, and IEEE
 * arithmetic is exact per operation, so the results are the same bits.
 *
 * Kernel `PdbenchAdam`: inputs p, g, m, v (same shape, float32); attrs the
 * float32 constants `beta1, oneMinusBeta1, beta2, oneMinusBeta2, rootBc2,
 * eps, stepSize, decay`; outputs the new p, m, v.
 *
 * @module
 */
import { tf } from "../runtime/backend.ts";
import { callKernel, kernelModule, wasmInternals } from "../runtime/wasm_kernels.ts";
import { Code, F32, I32, V128 } from "../runtime/wasm_writer.ts";

/** Kernel name. */
export const ADAM_KERNEL = "PdbenchAdam";

/** The update's constants, in the order of the kernel's float32 parameters. */
export const ADAM_CONSTANTS = [
  "beta1",
  "oneMinusBeta1",
  "beta2",
  "oneMinusBeta2",
  "rootBc2",
  "eps",
  "stepSize",
  "decay",
] as const;

/** Values of {@linkcode ADAM_CONSTANTS}. */
export type AdamConstants = Record<(typeof ADAM_CONSTANTS)[number], number>;

/**
 * `adam(p, g, m, v, pOut, mOut, vOut, n, …constants)`: the update of `n`
 * floats, four at a time, then one at a time for the rest:
 * m' = m·β1 + g·(1−β1); v' = v·β2 + g²·(1−β2); p' = p·decay − (m' / (√v' / √bc2 + eps))·stepSize.
 */
function adamCode(): Code {
  const c = new Code([I32, I32, I32, I32, I32, I32, I32, I32, ...ADAM_CONSTANTS.map(() => F32)]);
  const [p, g, m, v, pOut, mOut, vOut, n] = c.params.keys();
  const k = Object.fromEntries(ADAM_CONSTANTS.map((name, j) => [name, 8 + j])) as AdamConstants;
  const i = c.local(I32), vecEnd = c.local(I32), end = c.local(I32);
  const kv = Object.fromEntries(
    ADAM_CONSTANTS.map((name) => [name, c.local(V128)]),
  ) as AdamConstants;
  for (const name of ADAM_CONSTANTS) c.get(k[name]).f32x4Splat().set(kv[name]);
  c.get(n).i32(4).i32Mul().set(end);
  c.get(n).i32(-4).i32And().i32(4).i32Mul().set(vecEnd);
  const at = (base: number) => c.address(base, i);
  /** One update of a vector (`lanes`) or a single float at byte offset i. */
  const update = (lanes: boolean) => {
    const K = lanes ? kv : k;
    const load = (base: number) => lanes ? at(base).v128Load() : at(base).f32Load();
    const mul = () => lanes ? c.f32x4Mul() : c.f32Mul();
    const add = () => lanes ? c.f32x4Add() : c.f32Add();
    const sub = () => lanes ? c.f32x4Sub() : c.f32Sub();
    const div = () => lanes ? c.f32x4Div() : c.f32Div();
    const sqrt = () => lanes ? c.f32x4Sqrt() : c.f32Sqrt();
    const store = () => lanes ? c.v128Store() : c.f32Store();
    // m' (stored, then reloaded from the output: no extra locals needed).
    at(mOut);
    load(m).get(K.beta1);
    mul();
    load(g).get(K.oneMinusBeta1);
    mul();
    add();
    store();
    // v'
    at(vOut);
    load(v).get(K.beta2);
    mul();
    load(g);
    load(g);
    mul();
    c.get(K.oneMinusBeta2);
    mul();
    add();
    store();
    // p' = p·decay − (m' / (√v' / √bc2 + eps))·stepSize
    at(pOut);
    load(p).get(K.decay);
    mul();
    load(mOut);
    load(vOut);
    sqrt();
    c.get(K.rootBc2);
    div();
    c.get(K.eps);
    add();
    div();
    c.get(K.stepSize);
    mul();
    sub();
    store();
  };
  c.get(vecEnd).ifThen(() => c.countUp(i, 16, vecEnd, () => update(true)));
  c.get(i).get(end).i32LtU().ifThen(() => c.countUp(i, 4, end, () => update(false)));
  return c;
}

const adam = kernelModule(() => ({ adam: adamCode() }));

/** Registers the kernel for the wasm backend (idempotent). */
export function registerAdamWasmKernel(): void {
  if (tf.getKernel(ADAM_KERNEL, "wasm")) return;
  tf.registerKernel({
    kernelName: ADAM_KERNEL,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { p, g, m, v } = inputs as unknown as Record<string, tf.TensorInfo>;
      const be = wasmInternals(backend);
      const outs = [p, m, v].map((t) => be.makeOutput([...t.shape], "float32"));
      const k = attrs as unknown as AdamConstants;
      callKernel(be, adam, "adam", [p, g, m, v, ...outs], [
        tf.util.sizeFromShape(p.shape),
        ...ADAM_CONSTANTS.map((name) => k[name]),
      ]);
      return outs;
    },
  });
}
