import assert from "node:assert/strict";
import { ablationCosts, getToy, initBackend, oneHotBatch } from "../../mod.ts";
import { pentagonTensors, solvedTmsResult } from "../helpers/pentagon.ts";

await initBackend("wasm");

// Golden values from an independent float64 computation (numpy) of
// mean over s = (k + 0.5)/32 of mean_o (ReLU((x − s·x·W_c)·Wᵀ + b) − ReLU(x·W·Wᵀ + b))²
// on the pentagon target (radius 1.13, bias −0.25), one-hot inputs of 0.75.
Deno.test("ablationCosts: a solved TMS 5-2 decomposition matches the golden costs", async () => {
  const model = getToy("tms_5-2").buildModel(pentagonTensors());
  try {
    const [linear1] = solvedTmsResult().components;
    const costs = (await ablationCosts(model, [linear1], oneHotBatch(5))).linear1;
    assert.equal(costs.rows, 5);
    assert.equal(costs.cols, 20);
    const at = (i: number, c: number) => costs.data[i * 20 + c];
    // Feature 0's live subcomponent (index 7): its own input loses its whole hidden vector, and the
    // output ReLU cuts the error off once s > 0.739.
    assert.ok(Math.abs(at(0, 7) - 0.0515799229289044) < 1e-6, `live: ${at(0, 7)}`);
    // It is a row of W for input 0 only: other inputs do not see it at all.
    assert.equal(at(1, 7), 0);
    assert.equal(at(2, 7), 0);
    // Subcomponent 1 is a dead 0.001 stub on row 1: a tiny cost, on input 1 only (float32
    // differences of outputs near 1 carry a relative error of ~1e-4 here).
    assert.ok(Math.abs(at(1, 1) / 8.377610435485471e-8 - 1) < 1e-3, `dead: ${at(1, 1)}`);
    assert.equal(at(0, 1), 0);
  } finally {
    model.dispose();
  }
});

Deno.test("ablationCosts: rejects rows of the wrong width, bad nodes and unknown layers", async () => {
  const model = getToy("tms_5-2").buildModel(pentagonTensors());
  try {
    const [linear1] = solvedTmsResult().components;
    await assert.rejects(ablationCosts(model, [linear1], new Float32Array(7)), /not rows of 5/);
    await assert.rejects(ablationCosts(model, [linear1], oneHotBatch(5), 0), /nodes must be/);
    await assert.rejects(
      ablationCosts(model, [{ ...linear1, layer: "nope" }], oneHotBatch(5)),
      /layer 'nope' is not one of linear1,linear2/,
    );
  } finally {
    model.dispose();
  }
});
