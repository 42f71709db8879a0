import assert from "node:assert/strict";
import { formatNumber, formatTable } from "../../tasks/lib/table.ts";

Deno.test("formatNumber", () => {
  assert.equal(formatNumber(3), "3");
  assert.equal(formatNumber(-12), "-12");
  assert.equal(formatNumber(40000), "40000");
  assert.equal(formatNumber(2.5), "2.5");
  assert.equal(formatNumber(1.234567), "1.2346");
  assert.equal(formatNumber(-1234.56789), "-1234.5679");
  assert.equal(formatNumber(1.00001), "1");
  assert.equal(formatNumber(0.5), "0.5");
  assert.equal(formatNumber(0.123456), "0.1235");
  assert.equal(formatNumber(0.000123456), "0.0001235");
  assert.equal(formatNumber(-0.000123456), "-0.0001235");
  assert.equal(formatNumber(1.5e-9), "1.5e-9");
  assert.equal(formatNumber(-0), "0");
  assert.equal(formatNumber(NaN), "NaN");
  assert.equal(formatNumber(-Infinity), "-Infinity");
});

Deno.test("formatTable exact output", () => {
  const out = formatTable(
    ["task", "backend", "ms", "err"],
    [
      ["matmul", "wasm", 1.5, 0.000123456],
      ["qr", "cpu", 12, "n/a"],
      ["svd-large", "webgpu", 1234.56789, 2],
    ],
  );
  assert.equal(
    out,
    [
      "task       backend         ms  err",
      "---------  -------  ---------  ---------",
      "matmul     wasm           1.5  0.0001235",
      "qr         cpu             12  n/a",
      "svd-large  webgpu   1234.5679          2",
    ].join("\n"),
  );
});

Deno.test("formatTable: short rows padded, no rows, too-long rows rejected", () => {
  assert.equal(formatTable(["a", "bb"], [["x"]]), "a  bb\n-  --\nx");
  assert.equal(formatTable(["name", "n"], []), "name  n\n----  -");
  assert.throws(() => formatTable(["a"], [["x", 1]]), RangeError);
});
