import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend, TMS_5_2, tmsToy, type Toy } from "../../mod.ts";
import { loadOrTrainTarget, targetCacheKey } from "../../tasks/lib/target_cache.ts";
import { pentagonTensors } from "../helpers/pentagon.ts";

await initBackend("wasm");

/** A TMS toy whose "training" returns the pentagon and counts calls. */
function countingToy(): Toy & { calls: number } {
  const toy = tmsToy("tms_5-2", "test", TMS_5_2);
  const counted = { ...toy, calls: 0 };
  counted.trainTarget = () => {
    counted.calls++;
    return Promise.resolve(pentagonTensors());
  };
  return counted;
}

Deno.test("the key depends on toy config, seed and backend", () => {
  const toy = tmsToy("tms_5-2", "t", TMS_5_2);
  const other = tmsToy("tms_5-2", "t", { ...TMS_5_2, steps: 1 });
  const k = targetCacheKey(toy, 0, "wasm");
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(k, targetCacheKey(toy, 0, "wasm"));
  assert.notEqual(k, targetCacheKey(other, 0, "wasm"));
  assert.notEqual(k, targetCacheKey(toy, 1, "wasm"));
  assert.notEqual(k, targetCacheKey(toy, 0, "cpu"));
});

Deno.test("a miss trains and stores; a hit loads bit-identical tensors; a tampered file is retrained", async () => {
  const dir = await Deno.makeTempDir();
  const toy = countingToy();
  const lines: string[] = [];
  const first = await loadOrTrainTarget(toy, 0, "wasm", dir, (l) => lines.push(l));
  assert.equal(toy.calls, 1);
  const second = await loadOrTrainTarget(toy, 0, "wasm", dir, (l) => lines.push(l));
  assert.equal(toy.calls, 1);
  assert.deepEqual(Array.from(second.tensors.W.data), Array.from(first.tensors.W.data));
  assert.match(lines[1], /cached/);
  const [file] = [...Deno.readDirSync(dir)].map((e) => join(dir, e.name));
  const json = JSON.parse(await Deno.readTextFile(file));
  json.tensors.W.data[0] += 0.5;
  await Deno.writeTextFile(file, JSON.stringify(json));
  await loadOrTrainTarget(toy, 0, "wasm", dir, (l) => lines.push(l));
  assert.equal(toy.calls, 2);
  assert.match(lines[2], /cache file rejected \(cached target: content hash/);
  await Deno.remove(dir, { recursive: true });
});
