/**
 * The `webgpu` backend against `wasm` on a short SPD run. Runs wherever a
 * WebGPU adapter exists (Mesa's llvmpipe software adapter on CPU-only
 * machines: `apt-get install mesa-vulkan-drivers libvulkan1`); skipped
 * otherwise, unless PDBENCH_REQUIRE_WEBGPU=1 (as in CI), which fails instead.
 */
import assert from "node:assert/strict";
import {
  evaluateSpd,
  initBackend,
  resolveSpdConfig,
  SPD_TMS_5_2,
  TMS_5_2,
  tmsToy,
  trainSpd,
} from "../../mod.ts";
import { pentagonTensors } from "../helpers/pentagon.ts";

const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
const hasAdapter = !!gpu && (await gpu.requestAdapter()) !== null;
const required = Deno.env.get("PDBENCH_REQUIRE_WEBGPU") === "1";

async function shortRun(backend: string) {
  await initBackend(backend);
  const toy = tmsToy("tms_5-2", "test", TMS_5_2);
  const model = toy.buildModel(pentagonTensors());
  const cfg = resolveSpdConfig(SPD_TMS_5_2, { steps: 30, batchSize: 512, logEvery: 10, lr: 3e-3 });
  const trained = await trainSpd(model, toy.data, cfg, 0);
  const ev = await evaluateSpd(model, trained.params, cfg, toy.data);
  trained.params.dispose();
  model.dispose();
  return { curve: trained.curve, ev };
}

Deno.test({
  name: "webgpu agrees with wasm on a short SPD run (curve, evaluation losses, CI on one-hot)",
  ignore: !hasAdapter && !required,
  async fn() {
    assert.ok(hasAdapter, "no WebGPU adapter (PDBENCH_REQUIRE_WEBGPU=1)");
    const a = await shortRun("wasm");
    const b = await shortRun("webgpu");
    const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(1e-4, Math.abs(x));
    assert.equal(b.curve.length, a.curve.length);
    a.curve.forEach((p, i) => {
      for (const [k, v] of Object.entries(p.losses)) {
        const w = b.curve[i].losses[k as keyof typeof p.losses];
        assert.ok(rel(v, w) < 1e-3, `step ${p.step} ${k}: wasm ${v} vs webgpu ${w}`);
      }
    });
    for (const [k, v] of Object.entries(a.ev.losses)) {
      const w = b.ev.losses[k as keyof typeof a.ev.losses];
      assert.ok(rel(v, w) < 1e-3, `evaluation ${k}: wasm ${v} vs webgpu ${w}`);
    }
    for (const [layer, m] of Object.entries(a.ev.ciOneHot)) {
      const g = b.ev.ciOneHot[layer].data;
      m.data.forEach((v, i) =>
        assert.ok(Math.abs(v - g[i]) < 1e-3, `CI ${layer}[${i}]: wasm ${v} vs webgpu ${g[i]}`)
      );
    }
    assert.deepEqual(b.ev.alive, a.ev.alive);
  },
});
