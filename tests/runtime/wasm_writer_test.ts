import assert from "node:assert/strict";
import { Code, encodeModule, F32, I32, V128 } from "../../bench/runtime/wasm_writer.ts";

/** Instantiates `functions` on a fresh 1-page memory. */
function instantiate(functions: Record<string, Code>) {
  const bytes = encodeModule(functions);
  assert.ok(WebAssembly.validate(bytes as BufferSource), "the module validates");
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {
    env: { memory },
  });
  return { exports: instance.exports as Record<string, (...a: number[]) => void>, memory };
}

Deno.test("wasm writer: a do-while fill loop with multi-byte LEB constants and f32 stores", () => {
  // fill(out, n, v): out[0..n) = v, then out[n] = -1 and out[n + 1] = 624485 (3-byte LEB).
  const c = new Code([I32, I32, F32]);
  const i = c.local(I32), end = c.local(I32);
  c.get(1).i32(4).i32Mul().set(end);
  c.doWhile(() => {
    c.get(0).get(i).i32Add().get(2).f32Store();
    c.get(i).i32(4).i32Add().set(i);
    c.get(i).get(end).i32LtU();
  });
  c.get(0).get(end).i32Add().f32(-1).f32Store();
  c.get(0).get(end).i32Add().f32(624485).f32Store(4);
  const { exports, memory } = instantiate({ fill: c });
  exports.fill(64, 300, 2.5);
  const f = new Float32Array(memory.buffer, 64, 303);
  assert.ok(f.subarray(0, 300).every((x) => x === 2.5));
  assert.deepEqual([f[300], f[301], f[302]], [-1, 624485, 0]);
});

Deno.test("wasm writer: SIMD lanes: arithmetic, nearest (ties to even), 2^k from exponent bits, lane sums", () => {
  // simd(src, dst): dst[0..4) = nearest(src), dst[4..8) = 2^trunc(src[4..8)),
  // dst[8..12) = |src·src − src| / 2, dst[12..16) = (src > 0) & 1, dst[16] = Σ lanes of src.
  const c = new Code([I32, I32]);
  const v = c.local(V128);
  c.get(1).get(0).v128Load().f32x4Nearest().v128Store();
  c.get(1).get(0).v128Load(16).i32x4TruncSatF32x4S().i32x4Const(127).i32x4Add().i32(23)
    .i32x4Shl().v128Store(16);
  c.get(0).v128Load().set(v);
  c.get(1).get(v).get(v).f32x4Mul().get(v).f32x4Sub().f32x4Abs().f32x4Const(2).f32x4Div()
    .v128Store(32);
  c.get(1).get(v).f32x4Const(0).f32x4Gt().f32x4Const(1).v128And().v128Store(48);
  c.get(1).get(v).f32x4ExtractLane(0).get(v).f32x4ExtractLane(1).f32Add().get(v)
    .f32x4ExtractLane(2).f32Add().get(v).f32x4ExtractLane(3).f32Add().f32Store(64);
  c.get(1).get(v).f32x4Const(-1).f32x4Max().v128Store(80);
  const { exports, memory } = instantiate({ simd: c });
  new Float32Array(memory.buffer, 0, 8).set([0.5, 1.5, -2.5, 3, -3, 0, 4.9, 10]);
  exports.simd(0, 128);
  const out = new Float32Array(memory.buffer, 128, 24);
  assert.deepEqual([...out.subarray(0, 4)], [0, 2, -2, 3]);
  assert.deepEqual([...out.subarray(4, 8)], [0.125, 1, 16, 1024]);
  assert.deepEqual([...out.subarray(8, 12)], [0.125, 0.375, 4.375, 3]);
  assert.deepEqual([...out.subarray(12, 16)], [1, 1, 0, 1]);
  assert.equal(out[16], 2.5);
  assert.deepEqual([...out.subarray(20, 24)], [0.5, 1.5, -1, 3]);
});
