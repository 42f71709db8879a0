/**
 * Plumbing for pdbench's own WebAssembly kernels on TF.js's wasm backend:
 * the backend's memory and tensor offsets, and modules compiled once per
 * process and instantiated on that memory, so a kernel reads and writes
 * tensors in place.
 *
 * @module
 */
import type { tf } from "./backend.ts";
import { type Code, encodeModule } from "./wasm_writer.ts";

/** The slice of the wasm backend's internals a kernel uses. */
export interface WasmBackendInternals {
  /** The emscripten module, whose exports include its memory. */
  readonly wasm: { readonly asm: { readonly memory: WebAssembly.Memory } };
  /** Where each tensor's data lives. */
  readonly dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  /** Allocates an output tensor in wasm memory. */
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
}

/** The wasm backend handed to a kernel function, with the internals it uses. */
export function wasmInternals(backend: unknown): WasmBackendInternals {
  return backend as WasmBackendInternals;
}

/** Byte offset of a tensor's data in the backend's memory. */
export function offsetOf(be: WasmBackendInternals, t: tf.TensorInfo): number {
  return be.dataIdMap.get(t.dataId).memoryOffset;
}

/** Exported functions of a kernel module, all taking numbers and returning nothing. */
export type KernelExports = Record<string, (...args: number[]) => void>;

/**
 * A module of the functions `build` writes, compiled on first use and
 * instantiated once per memory (the backend's memory object stays the same
 * when it grows).
 */
export function kernelModule(
  build: () => Record<string, Code>,
): (memory: WebAssembly.Memory) => KernelExports {
  let compiled: WebAssembly.Module | undefined;
  const instances = new WeakMap<WebAssembly.Memory, KernelExports>();
  return (memory) => {
    let exports = instances.get(memory);
    if (!exports) {
      compiled ??= new WebAssembly.Module(encodeModule(build()) as BufferSource);
      exports = new WebAssembly.Instance(compiled, { env: { memory } }).exports as KernelExports;
      instances.set(memory, exports);
    }
    return exports;
  };
}

/**
 * Runs exported function `fn` of `module` on the backend's memory: its
 * arguments are the byte offsets of `tensors`, then `numbers`.
 */
export function callKernel(
  be: WasmBackendInternals,
  module: (memory: WebAssembly.Memory) => KernelExports,
  fn: string,
  tensors: readonly tf.TensorInfo[],
  numbers: readonly number[],
): void {
  module(be.wasm.asm.memory)[fn](...tensors.map((t) => offsetOf(be, t)), ...numbers);
}
