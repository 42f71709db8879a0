import assert from "node:assert/strict";
import { fromRankOneFactors, type MethodResult, scoreRun, TMS_5_2, tmsToy } from "../../mod.ts";
import { pentagonTensors } from "../helpers/pentagon.ts";

const C = 20;
const tensors = pentagonTensors();
const truth = tmsToy("tms_5-2", "t", TMS_5_2).groundTruth(tensors);

/** A solved decomposition: subcomponent j (< 5) is feature j's column; the rest are tiny. */
function solved(): MethodResult {
  const v = new Float32Array(5 * C), u = new Float32Array(C * 2);
  for (let c = 0; c < C; c++) {
    if (c < 5) {
      v[c * C + c] = 1;
      u.set(tensors.W.data.subarray(2 * c, 2 * c + 2), 2 * c);
    } else {
      v[(c % 5) * C + c] = 1;
      u[2 * c] = 0.001;
    }
  }
  const ci = new Float32Array(5 * C);
  for (let j = 0; j < 5; j++) ci[j * C + j] = 0.97;
  const importance = { rows: 5, cols: C, data: ci };
  const alive = Array.from({ length: C }, (_, c) => c < 5);
  return {
    status: "completed",
    stepsDone: 1,
    curve: [],
    components: [fromRankOneFactors("linear1", 5, 2, C, v, u)],
    importanceOneHot: { linear1: importance, linear2: importance },
    alive: { linear1: alive, linear2: alive },
    l0: { linear1: 0.19, linear2: 0.19 },
    losses: { total: 0.001 },
  };
}

Deno.test("a solved TMS 5-2 decomposition scores MMCS 1, ML2R 1, CI error 0, 5 alive, large norm gap", () => {
  const m = scoreRun(truth, solved());
  assert.ok(Math.abs(m.mmcs.value - 1) < 1e-9);
  assert.ok(Math.abs(m.ml2r.value - 1) < 1e-6);
  assert.equal(m.ci_pattern_error.value, 0);
  assert.deepEqual(m["alive.linear1"], { value: 5, direction: "target", target: 5 });
  assert.equal(m["non_negligible_0.017"].value, 5);
  // Live norm 1.13 against dead norm 0.001: ratio 1130.
  assert.ok(Math.abs(m.alive_norm_ratio.value - 1130) < 1e-3, `${m.alive_norm_ratio.value}`);
  assert.equal(m["l0.linear1"].value, 0.19);
  assert.deepEqual(m["loss.total"], { value: 0.001, direction: "lower" });
});

Deno.test("a missing diagonal and a leaked CI entry each add one pattern error", () => {
  const r = solved();
  const broken = Float32Array.from(r.importanceOneHot.linear1.data);
  broken[3 * C + 3] = 0.5; // feature 3's subcomponent only half on
  broken[0 * C + 7] = 0.4; // feature 0 also fires subcomponent 7
  const m = scoreRun(truth, {
    ...r,
    importanceOneHot: { ...r.importanceOneHot, linear1: { rows: 5, cols: C, data: broken } },
  });
  assert.equal(m["ci_pattern_error.linear1"].value, 2);
  assert.equal(m["ci_pattern_error.linear2"].value, 0);
  assert.equal(m.ci_pattern_error.value, 2);
});
