/**
 * Selection of the TF.js backend, and the fixes pdbench applies to every
 * backend before training.
 *
 * - `wasm`: XNNPACK + SIMD, single thread. The fast CPU default.
 * - `cpu`: the plain JavaScript backend. Slow, but the reference for agreement checks.
 * - `webgpu`: Deno's built-in WebGPU. A software adapter (Mesa llvmpipe) on
 *   machines without a GPU, a real GPU where one is present.
 * - `tensorflow`: `@tensorflow/tfjs-node-gpu`, loaded only when the user has
 *   installed it (it downloads libtensorflow at install time); see the README.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

/** The backends pdbench can select. */
export const BACKEND_NAMES = ["wasm", "cpu", "webgpu", "tensorflow"] as const;

/** One of {@linkcode BACKEND_NAMES}. */
export type BackendName = typeof BACKEND_NAMES[number];

/** What {@linkcode initBackend} selected. */
export interface BackendInfo {
  /** The pdbench backend name. */
  name: BackendName;
  /** The TF.js backend actually active (`tf.getBackend()`). */
  active: string;
  /** The TF.js version. */
  tfjs: string;
}

/** Is `value` one of {@linkcode BACKEND_NAMES}? */
export function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

let fixesApplied = false;

/**
 * A variable initialised from `init`, which is then released: `tf.variable`
 * alone keeps its initial tensor alive, a leak of one tensor per variable.
 */
export function variableFrom<R extends tf.Rank>(
  init: tf.Tensor<R>,
  trainable = true,
): tf.Variable<R> {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

/** Runs `fn` with console.warn silenced (TF.js warns when a gradient is overridden). */
function quietly(fn: () => void): void {
  const warn = console.warn;
  console.warn = () => {};
  try {
    fn();
  } finally {
    console.warn = warn;
  }
}

function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = [...Array(t.rank).keys()];
  [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1], perm[t.rank - 2]];
  return tf.transpose(t, perm);
}

/**
 * Replaces the BatchMatMul gradient with one built from explicit transposes
 * and untransposed matMuls. The wasm backend runs transposed matMuls about 12x
 * slower than plain ones, and the stock gradient uses them; the results are
 * identical. Harmless on the other backends.
 */
function registerUntransposedMatMulGrad(): void {
  const mm = (p: tf.Tensor, q: tf.Tensor, tp: boolean, tq: boolean) =>
    tf.matMul(tp ? swapLastTwo(p) : p, tq ? swapLastTwo(q) : q);
  tf.registerGradient({
    kernelName: "BatchMatMul",
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as {
        transposeA: boolean;
        transposeB: boolean;
      };
      const d = dy as tf.Tensor;
      if (!transposeA && !transposeB) {
        return { a: () => mm(d, b, false, true), b: () => mm(a, d, true, false) };
      }
      if (!transposeA && transposeB) {
        return { a: () => mm(d, b, false, false), b: () => mm(d, a, true, false) };
      }
      if (transposeA && !transposeB) {
        return { a: () => mm(b, d, false, true), b: () => mm(a, d, false, false) };
      }
      return { a: () => mm(b, d, true, true), b: () => mm(d, a, true, true) };
    },
  });
}

/**
 * Registers zero gradients for the comparison ops TF.js leaves without one
 * (only GreaterEqual has a gradient), so a `tf.where` whose condition depends
 * on a differentiated tensor works.
 */
function registerComparisonZeroGrads(): void {
  for (const kernelName of ["Greater", "Less", "LessEqual", "Equal", "NotEqual"]) {
    tf.registerGradient({
      kernelName,
      inputsToSave: ["a", "b"],
      gradFunc: (_dy, saved) => ({
        a: () => tf.zerosLike(saved[0]),
        b: () => tf.zerosLike(saved[1]),
      }),
    });
  }
}

/** The slice of the wasm backend's API that a JavaScript kernel needs. */
interface WasmBackendLike {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput(shape: number[], dtype: string, memoryOffset?: number, values?: Float32Array): unknown;
}

/**
 * Sums the rows of `x` into `numSegments` segments: `out[ids[b]] += x[b]`, in
 * ascending b (deterministic). Exported for tests of the wasm kernel below.
 */
export function segmentSumRows(
  x: ArrayLike<number>,
  ids: ArrayLike<number>,
  rowSize: number,
  numSegments: number,
): Float32Array {
  const out = new Float32Array(numSegments * rowSize);
  for (let b = 0; b < ids.length; b++) {
    const s = ids[b];
    if (s < 0 || s >= numSegments) continue;
    for (let k = 0; k < rowSize; k++) out[s * rowSize + k] += x[b * rowSize + k];
  }
  return out;
}

/**
 * The wasm backend lacks UnsortedSegmentSum, which is the gradient of
 * `tf.gather`. This JavaScript kernel covers 1-D segment ids over the first
 * axis, the only form gather's gradient along axis 0 produces.
 */
function registerWasmSegmentSum(): void {
  tf.registerKernel({
    kernelName: "UnsortedSegmentSum",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as unknown as Record<string, tf.TensorInfo>;
      const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
      if (segmentIds.shape.length !== 1 || segmentIds.shape[0] !== x.shape[0]) {
        throw new Error(
          "UnsortedSegmentSum (wasm): only 1-D ids over the first axis are supported",
        );
      }
      const be = backend as unknown as WasmBackendLike;
      const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
      const out = segmentSumRows(
        be.readSync(x.dataId),
        be.readSync(segmentIds.dataId),
        rowSize,
        numSegments,
      );
      return be.makeOutput(
        [numSegments, ...x.shape.slice(1)],
        x.dtype,
        undefined,
        out,
      ) as tf.TensorInfo;
    },
  });
}

/**
 * Makes wasm's `Identity` share its input's memory instead of copying it, as
 * the cpu backend's does (tensors are immutable; wasm's own `Reshape` already
 * shares). TF.js runs `Identity` on every tensor it saves for the backward
 * pass, so on wasm each saved activation was copied once per step (a tenth of
 * a residual-MLP SPD step). Values are unchanged.
 */
function registerWasmZeroCopyIdentity(): void {
  const copying = tf.getKernel("Identity", "wasm");
  tf.registerKernel({
    kernelName: "Identity",
    backendName: "wasm",
    kernelFunc: (args) => {
      const x = (args.inputs as unknown as { x: tf.TensorInfo }).x;
      if (x.dtype === "string" && copying) return copying.kernelFunc(args);
      (args.backend as unknown as { incRef(dataId: unknown): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}

/** Applies the gradient fixes once per process (idempotent). */
export function applyGradientFixes(): void {
  if (fixesApplied) return;
  quietly(() => {
    registerUntransposedMatMulGrad();
    registerComparisonZeroGrads();
    registerWasmSegmentSum();
    registerWasmZeroCopyIdentity();
  });
  fixesApplied = true;
}

const TFJS_NODE_GPU_HELP = "backend 'tensorflow' needs @tensorflow/tfjs-node-gpu, which is not " +
  "installed. On a machine with CUDA and internet access: add " +
  '"@tensorflow/tfjs-node-gpu": "npm:@tensorflow/tfjs-node-gpu@4.22.0" to the imports of ' +
  "deno.json, then run `deno install --allow-scripts=npm:@tensorflow/tfjs-node-gpu` (its " +
  "install script downloads libtensorflow). See the README section 'Backends'.";

/**
 * Selects and initialises a backend, applying the gradient fixes. Throws an
 * Error naming the backend and what to do when it cannot start.
 */
export async function initBackend(name: string): Promise<BackendInfo> {
  if (!isBackendName(name)) {
    throw new RangeError(`backend: unknown value '${name}'; allowed: ${BACKEND_NAMES.join(", ")}`);
  }
  applyGradientFixes();
  if (name === "webgpu") {
    await import("@tensorflow/tfjs-backend-webgpu");
    const nav = globalThis.navigator as Navigator & {
      gpu?: { requestAdapter(): Promise<unknown> };
    };
    if (!nav.gpu || (await nav.gpu.requestAdapter()) === null) {
      throw new Error(
        "backend 'webgpu': no WebGPU adapter found. Without a GPU, install a software adapter " +
          "(`apt-get install mesa-vulkan-drivers libvulkan1`) and do not set DENO_WEBGPU_BACKEND " +
          "to an empty string.",
      );
    }
  }
  if (name === "tensorflow") {
    const specifier = "@tensorflow/tfjs-node-gpu";
    try {
      await import(specifier);
    } catch (cause) {
      throw new Error(TFJS_NODE_GPU_HELP, { cause });
    }
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend '${name}' failed to initialise`);
  await tf.ready();
  return { name, active: tf.getBackend(), tfjs: tf.version.tfjs };
}

export { tf };
