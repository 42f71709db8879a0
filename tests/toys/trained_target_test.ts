import assert from "node:assert/strict";
import {
  canonicalJson,
  hashOf,
  targetFromJson,
  targetHash,
  targetToJson,
  type TrainedTarget,
} from "../../mod.ts";

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function sampleTarget(): TrainedTarget {
  return {
    toy: "tms_5-2",
    seedRequested: 0,
    seedUsed: 1,
    attempts: [
      {
        seed: 0,
        health: { healthy: false, failures: ["dead feature 3"], measures: { loss: 0.5 } },
      },
      { seed: 1, health: { healthy: true, failures: [], measures: { loss: 0.01 } } },
    ],
    tensors: {
      W: {
        shape: [2, 3],
        // 0.1 and 1/3 are not float32-exact as doubles; 1e-40 is a float32 subnormal.
        data: Float32Array.from([0.1, -1 / 3, 1e-40, 3.4028234663852886e38, 1e-7, -2.5]),
      },
      b: { shape: [3], data: Float32Array.from([0.2, 0, -0.7]) },
    },
  };
}

function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}

Deno.test("canonicalJson sorts object keys at every level, arrays keep their order", () => {
  const value = { b: 1, a: { d: [{ z: 1, y: [3, 1] }, 2], c: null }, A: "x" };
  assert.equal(
    canonicalJson(value),
    '{"A":"x","a":{"c":null,"d":[{"y":[3,1],"z":1},2]},"b":1}',
  );
  assert.equal(canonicalJson([{ b: 2, a: 1 }]), '[{"a":1,"b":2}]');
  assert.equal(canonicalJson(1.5), "1.5");
});

Deno.test("hashOf: SHA-256 of canonical JSON, independent of key order", async () => {
  const h = hashOf({ x: 1, y: { b: true, a: "s" } });
  assert.equal(h, hashOf({ y: { a: "s", b: true }, x: 1 }));
  assert.equal(h, await sha256('{"x":1,"y":{"a":"s","b":true}}'));
  assert.notEqual(h, hashOf({ x: 2, y: { a: "s", b: true } }));
});

Deno.test("targetHash covers names, shapes and float32 bits", () => {
  const t = sampleTarget().tensors;
  const h = targetHash(t);
  assert.match(h, /^[0-9a-f]{64}$/);
  // Insertion order of tensor names does not matter.
  assert.equal(targetHash({ b: t.b, W: t.W }), h);
  // Same bytes, different shape → different hash.
  assert.notEqual(targetHash({ ...t, W: { shape: [3, 2], data: t.W.data } }), h);
  // One bit flipped → different hash.
  const flipped = t.b.data.slice();
  new Uint32Array(flipped.buffer)[0] ^= 1;
  assert.notEqual(targetHash({ ...t, b: { shape: [3], data: flipped } }), h);
  // A different name → different hash.
  assert.notEqual(targetHash({ W: t.W, bias: t.b }), h);
});

Deno.test("targetToJson → JSON text → targetFromJson round-trips bit-exactly", () => {
  const target = sampleTarget();
  const json = targetToJson(target) as { hash: string; tensors: { W: { data: number[] } } };
  assert.equal(json.hash, targetHash(target.tensors));
  // The stored numbers are the float32 values, e.g. 0.1 → 0.10000000149011612.
  assert.equal(json.tensors.W.data[0], 0.10000000149011612);
  const back = targetFromJson(JSON.parse(JSON.stringify(json)));
  assert.equal(back.toy, "tms_5-2");
  assert.equal(back.seedRequested, 0);
  assert.equal(back.seedUsed, 1);
  assert.deepEqual(back.attempts, target.attempts);
  for (const name of ["W", "b"]) {
    assert.ok(back.tensors[name].data instanceof Float32Array);
    assert.deepEqual(back.tensors[name].shape, target.tensors[name].shape);
    assert.deepEqual(bits(back.tensors[name].data), bits(target.tensors[name].data), name);
  }
  assert.equal(back.tensors.W.data[0], Math.fround(0.1));
  assert.equal(back.tensors.W.data[2], Math.fround(1e-40));
  assert.equal(targetHash(back.tensors), json.hash);
});

Deno.test("targetFromJson rejects a tampered data entry with a hash error", () => {
  const json = JSON.parse(JSON.stringify(targetToJson(sampleTarget())));
  json.tensors.b.data[1] = 1e-6;
  assert.throws(() => targetFromJson(json), /hash/);
  // A tampered stored hash is rejected too.
  const json2 = JSON.parse(JSON.stringify(targetToJson(sampleTarget())));
  json2.hash = "0".repeat(64);
  assert.throws(() => targetFromJson(json2), /content hash [0-9a-f]{12} != stored 000000000000/);
});

Deno.test("targetFromJson rejects a wrong-length data array, naming the tensor", () => {
  const json = JSON.parse(JSON.stringify(targetToJson(sampleTarget())));
  json.tensors.W.data.pop();
  assert.throws(() => targetFromJson(json), /tensor 'W' has 5 entries, shape needs 6/);
  const json2 = JSON.parse(JSON.stringify(targetToJson(sampleTarget())));
  json2.tensors.b.data = "oops";
  assert.throws(() => targetFromJson(json2), /tensor 'b'/);
});

Deno.test("targetFromJson rejects non-target input", () => {
  assert.throws(() => targetFromJson(null), /not a target object/);
  assert.throws(() => targetFromJson({ tensors: {} }), /missing 'toy'/);
  assert.throws(() => targetFromJson({ toy: "t" }), /'tensors'/);
});

// Regression: JSON has no negative zero, so -0 comes back as +0; the hash must
// still verify (it treats -0 as +0), or the cache would retrain on every run.
Deno.test({
  name: "a target containing -0 survives the JSON text round trip (as +0)",
  fn() {
    const target = sampleTarget();
    const withNegZero: TrainedTarget = {
      ...target,
      tensors: { ...target.tensors, b: { shape: [3], data: Float32Array.from([0.2, -0, -0.7]) } },
    };
    const back = targetFromJson(JSON.parse(JSON.stringify(targetToJson(withNegZero))));
    assert.ok(Object.is(back.tensors.b.data[1], 0));
    assert.deepEqual(Array.from(back.tensors.b.data), [Math.fround(0.2), 0, Math.fround(-0.7)]);
  },
});
