/**
 * Floating-point operation counts of TF.js kernels, from the shapes a
 * `tf.profile` records: what a training step asks of the hardware, whatever
 * the method. Conventions: a matMul of `[m, k]·[k, n]` is `2·m·n·k` (per batch
 * entry); an elementwise op is one operation per output element
 * (transcendentals such as `Exp` and `Erf` count as one, although they cost
 * more); a reduction is one per input element; `AddN` of n inputs is n − 1 per
 * output element; pure data movement (reshape, transpose, copy, gather,
 * concat, casts) is zero, as are wrapper kernels (`forward` of a custom
 * gradient) whose inner kernels are recorded themselves. pdbench's fused
 * CI-MLP kernels count the arithmetic they execute per gate unit, their
 * polynomial `exp` in full (`CI_MLP_FLOPS`).
 *
 * @module
 */

/** The part of a `tf.profile` kernel record that counting needs. */
export interface KernelShapes {
  /** Kernel name, e.g. `BatchMatMul`. */
  readonly name: string;
  /** Shapes of the inputs. */
  readonly inputShapes: readonly (readonly number[])[];
  /** Shapes of the outputs. */
  readonly outputShapes: readonly (readonly number[])[];
}

const MATMULS = new Set(["BatchMatMul", "_FusedMatMul", "MatMul"]);
const REDUCTIONS = new Set(["Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "ArgMax", "ArgMin"]);
const ELEMENTWISE = new Set([
  "Abs",
  "Add",
  "Cos",
  "Elu",
  "Erf",
  "Exp",
  "Expm1",
  "FloorDiv",
  "Greater",
  "GreaterEqual",
  "LeakyRelu",
  "Less",
  "LessEqual",
  "Log",
  "Log1p",
  "Maximum",
  "Minimum",
  "Multiply",
  "Neg",
  "NotEqual",
  "Equal",
  "Pow",
  "Prelu",
  "RealDiv",
  "Reciprocal",
  "Relu",
  "Relu6",
  "Rsqrt",
  "Select",
  "Sigmoid",
  "Sign",
  "Sin",
  "Softplus",
  "Sqrt",
  "Square",
  "SquaredDifference",
  "Step",
  "Sub",
  "Tanh",
]);

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Arithmetic per (row, component, gate unit) and per (row, component) of the
 * fused CI-MLP kernels (`bench/methods/spd/ci_mlp_wasm.ts`). Forward: the
 * pre-activation 2, exp 28, the A&S normal CDF 18, the activation and its
 * weighted sum 3; per pair the lane sum and bias 4. Backward recomputes the
 * 48 of pre-activation, exp and CDF, then 13 for the four gradients; per pair
 * the lane sum 3.
 */
export const CI_MLP_FLOPS = {
  PdbenchCiMlp: { perUnit: 51, perPair: 4 },
  PdbenchCiMlpGrad: { perUnit: 61, perPair: 3 },
} as const;

/** FLOPs of one kernel call (see the module doc for the conventions). */
export function kernelFlops(k: KernelShapes): number {
  const out = k.outputShapes[0] ?? [];
  if (MATMULS.has(k.name)) {
    const a = k.inputShapes[0];
    if (!a || a.length < 2 || out.length < 2) return 0;
    const m = out[out.length - 2];
    const [a1, a2] = [a[a.length - 2], a[a.length - 1]];
    const inner = a1 === m ? a2 : a1; // a is [m, k] or, transposed, [k, m]
    const extra = k.name === "_FusedMatMul" ? size(out) : 0; // bias / activation
    return 2 * size(out) * inner + extra;
  }
  if (k.name in CI_MLP_FLOPS) {
    const { perUnit, perPair } = CI_MLP_FLOPS[k.name as keyof typeof CI_MLP_FLOPS];
    const pairs = size(k.outputShapes[0] ?? []);
    const gate = k.inputShapes[k.name === "PdbenchCiMlp" ? 1 : 2]?.[1] ?? 0;
    return pairs * (perUnit * gate + perPair);
  }
  if (REDUCTIONS.has(k.name)) return size(k.inputShapes[0] ?? []);
  if (k.name === "AddN") return Math.max(0, k.inputShapes.length - 1) * size(out);
  if (k.name === "SquaredDifference") return 2 * size(out);
  if (ELEMENTWISE.has(k.name)) return size(out);
  return 0;
}

/** What {@linkcode countFlops} reports. */
export interface FlopCount {
  /** Total FLOPs. */
  readonly flops: number;
  /** Of which in matMuls. */
  readonly matmulFlops: number;
  /** Kernel calls. */
  readonly kernels: number;
  /** Kernel names counted as zero that are not pure data movement (for auditing the count). */
  readonly uncounted: readonly string[];
}

const DATA_MOVEMENT = new Set([
  "Cast",
  "Concat",
  "ExpandDims",
  "Fill",
  "GatherV2",
  "Identity",
  "OnesLike",
  "Pack",
  "Reshape",
  "Slice",
  "SplitV",
  "Tile",
  "Transpose",
  "Unpack",
  "UnsortedSegmentSum",
  "ZerosLike",
  "forward",
]);

/** Sums {@linkcode kernelFlops} over the kernels of one step. */
export function countFlops(kernels: readonly KernelShapes[]): FlopCount {
  let flops = 0, matmulFlops = 0;
  const uncounted = new Set<string>();
  for (const k of kernels) {
    const f = kernelFlops(k);
    flops += f;
    if (MATMULS.has(k.name)) matmulFlops += f;
    if (f === 0 && !DATA_MOVEMENT.has(k.name) && !MATMULS.has(k.name)) uncounted.add(k.name);
  }
  return { flops, matmulFlops, kernels: kernels.length, uncounted: [...uncounted].sort() };
}
