/**
 * Settings for running the bundled suite outside a checkout (the GPU pack,
 * `tools/gpu/pack.sh`): where TF.js's wasm binaries are when there is no
 * node_modules, and which device a backend runs on.
 *
 * @module
 */
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

/**
 * When `PDBENCH_WASM_DIR` is set, the wasm backend loads its `.wasm` files
 * from that directory (a bundle cannot find them next to its package). Call
 * before the backend initialises.
 */
export function useWasmDirFromEnv(): void {
  const dir = Deno.env.get("PDBENCH_WASM_DIR");
  if (dir) setWasmPaths(dir.endsWith("/") ? dir : `${dir}/`);
}

/** WebGPU adapter facts, as WebGPU reports them. */
interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

/**
 * A one-line description of what `backend` computes on: the WebGPU adapter
 * (e.g. `nvidia ... NVIDIA H100` or `mesa llvmpipe`), or null for CPU
 * backends (their CPU is in the provenance).
 */
export async function describeDevice(backend: string): Promise<string | null> {
  if (backend !== "webgpu") return null;
  const gpu = (navigator as Navigator & {
    gpu?: { requestAdapter(): Promise<{ info?: AdapterInfoLike } | null> };
  }).gpu;
  const adapter = await gpu?.requestAdapter();
  if (!adapter?.info) return null;
  const i = adapter.info;
  return [i.vendor, i.architecture, i.device, i.description].filter((s) => s).join(" | ") || null;
}
