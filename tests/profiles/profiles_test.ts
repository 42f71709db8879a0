import assert from "node:assert/strict";
import {
  getMethod,
  getProfile,
  parseProfile,
  profileConfig,
  profileNames,
  toyIds,
} from "../../mod.ts";

const spd = getMethod("spd");

/** spd.md §6.4, one row per toy: C, d_gate, β3, p, lr, schedule, steps, batch. */
const PAPER_TABLE: Record<
  string,
  [number, number, number, number, number, string, number, number]
> = {
  "tms_5-2": [20, 16, 3e-3, 1, 1e-3, "cosine_quarter", 40_000, 4096],
  "tms_5-2-id": [20, 16, 3e-3, 1, 1e-3, "cosine_quarter", 40_000, 4096],
  "tms_40-10": [200, 16, 1e-4, 2, 1e-3, "cosine_quarter", 40_000, 4096],
  "tms_40-10-id": [200, 16, 1e-4, 2, 1e-3, "cosine_quarter", 40_000, 4096],
  "resid_mlp_1": [100, 16, 1e-5, 2, 2e-3, "constant", 30_000, 2048],
  "resid_mlp_2": [400, 16, 1e-5, 2, 1e-3, "constant", 50_000, 2048],
  "resid_mlp_3": [500, 128, 5e-6, 2, 1e-3, "constant", 200_000, 2048],
};

Deno.test("the paper profile holds spd.md §6.4's values for every toy", () => {
  const paper = getProfile("paper");
  assert.deepEqual(Object.keys(paper).sort(), toyIds());
  for (const [toy, row] of Object.entries(PAPER_TABLE)) {
    const c = spd.resolveConfig(spd.defaults, profileConfig(paper, toy, "spd")!) as Record<
      string,
      unknown
    >;
    assert.deepEqual(
      [c.C, c.dGate, c.importanceCoeff, c.pNorm, c.lr, c.schedule, c.steps, c.batchSize],
      row,
      toy,
    );
    assert.deepEqual([c.faithfulnessCoeff, c.stochasticReconCoeff, c.layerwiseReconCoeff], [
      1,
      1,
      1,
    ]);
    assert.match(paper[toy].source, /^spd\.md §6\.4/);
  }
});

Deno.test("the quick profile differs from the paper only in steps and log cadence", () => {
  const paper = getProfile("paper"), quick = getProfile("quick");
  for (const toy of toyIds()) {
    const p = { ...profileConfig(paper, toy, "spd")! },
      q = { ...profileConfig(quick, toy, "spd")! };
    assert.ok((q.steps as number) < (p.steps as number), toy);
    for (const k of ["steps", "logEvery"]) {
      delete p[k];
      delete q[k];
    }
    assert.deepEqual(q, p, toy);
    assert.match(quick[toy].source, /steps instead of/);
  }
  assert.deepEqual(profileNames(), ["paper", "quick", "ci"]);
});

Deno.test("profile validation names the entry and field at fault", () => {
  assert.throws(() => parseProfile([], "p.json"), /p\.json: must be an object/);
  assert.throws(
    () => parseProfile({ t: { spd: {} } }, "p.json"),
    /entry 't' needs a string 'source'/,
  );
  assert.throws(
    () => parseProfile({ t: { source: "x", spd: 3 } }, "p.json"),
    /'t\.spd' must be an object/,
  );
  assert.throws(() => getProfile("fast"), /allowed: paper, quick, ci/);
  assert.equal(profileConfig(getProfile("paper"), "tms_5-2", "apd"), null);
});
