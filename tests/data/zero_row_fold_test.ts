import assert from "node:assert/strict";
import { foldZeroRows, sliceFoldedBatch, unfoldedBatch } from "../../mod.ts";

const xs = Float32Array.from([0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 3, 4]); // rows: 0, nz, 0, nz, 0, nz

Deno.test("foldZeroRows keeps the non-zero rows in order and adds one weighted zero row", () => {
  const b = foldZeroRows(xs, 6, 2);
  assert.equal(b.rows, 4);
  assert.deepEqual(Array.from(b.xs), [1, 0, 0, 2, 3, 4, 0, 0]);
  assert.deepEqual(Array.from(b.weights), [1, 1, 1, 3]);
  assert.equal(b.datapoints, 6);
  assert.ok(b.hasZeroRow);
});

Deno.test("foldZeroRows without zero rows is the batch itself; all-zero batches fold to one row", () => {
  const dense = foldZeroRows(Float32Array.from([1, 2, 3, 4]), 2, 2);
  assert.deepEqual([dense.rows, dense.hasZeroRow, Array.from(dense.weights)], [2, false, [1, 1]]);
  const empty = foldZeroRows(new Float32Array(8), 4, 2);
  assert.deepEqual([empty.rows, empty.hasZeroRow, Array.from(empty.weights)], [1, true, [4]]);
});

Deno.test("sliceFoldedBatch: weights and datapoints of a chunk; only the last chunk has the zero row", () => {
  const b = foldZeroRows(xs, 6, 2);
  const head = sliceFoldedBatch(b, 0, 2), tail = sliceFoldedBatch(b, 2, 2);
  assert.deepEqual([head.datapoints, head.hasZeroRow], [2, false]);
  assert.deepEqual([tail.datapoints, tail.hasZeroRow], [4, true]);
  assert.deepEqual(Array.from(tail.xs), [3, 4, 0, 0]);
  assert.equal(unfoldedBatch(xs, 6, 2).datapoints, 6);
});
