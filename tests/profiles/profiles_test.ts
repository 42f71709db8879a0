import assert from "node:assert/strict";
import {
  getMethod,
  getProfile,
  methodIds,
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

/**
 * apd.md §6.4, the paper's values: C, m, top-k, minimality, act-recon, simplicity, p, lr,
 * schedule, warmup fraction, steps, batch, attribution source, unit-norm A.
 */
const APD_PAPER_TABLE: Record<string, unknown[]> = {
  "tms_5-2": [5, 3, 0.211, 1, 0, 0.7, 1, 3e-2, "constant", 0.05, 20_000, 2048, "apd_model", false],
  "tms_40-10": [
    50,
    11,
    1,
    10,
    0,
    20,
    0.9,
    1e-3,
    "cosine_quarter",
    0.05,
    20_000,
    2048,
    "target",
    false,
  ],
  "resid_mlp_1": [
    130,
    50,
    1.28,
    1,
    1,
    10,
    0.9,
    1e-3,
    "cosine_quarter",
    0.01,
    40_000,
    256,
    "target",
    true,
  ],
  "resid_mlp_2": [
    200,
    25,
    1.28,
    2,
    1,
    7,
    0.9,
    1e-3,
    "cosine_quarter",
    0.01,
    10_000,
    256,
    "target",
    false,
  ],
};

Deno.test("the paper profile holds apd.md §6.4's APD values where the paper gives them", () => {
  const apd = getMethod("apd");
  const paper = getProfile("paper");
  for (const [toy, row] of Object.entries(APD_PAPER_TABLE)) {
    const c = apd.resolveConfig(apd.defaults, profileConfig(paper, toy, "apd")!) as Record<
      string,
      unknown
    >;
    const keys = ["C", "rank", "topk", "minimalityCoeff", "actReconCoeff", "simplicityCoeff"];
    keys.push("schattenP", "lr", "schedule", "warmupPct", "steps", "batchSize");
    keys.push("attributionSource", "unitNormA");
    assert.deepEqual(keys.map((k) => c[k]), row, toy);
    assert.match(paper[toy].source, /APD \(apd\.md §6\.4/);
  }
  for (const toy of toyIds()) assert.ok(profileConfig(paper, toy, "apd"), toy);
});

Deno.test("the apd_repo profile differs from the paper exactly where apd.md §9.3 says", () => {
  const paper = getProfile("paper"), repo = getProfile("apd_repo");
  const diff = (toy: string) => {
    const p = profileConfig(paper, toy, "apd")!, r = profileConfig(repo, toy, "apd")!;
    return Object.keys(r).filter((k) => r[k] !== p[k]).map((k) => `${k}=${r[k]}`);
  };
  assert.deepEqual(diff("tms_5-2"), ["attributionSource=target"]);
  assert.deepEqual(diff("tms_40-10"), ["C=40", "topk=2", "simplicityCoeff=15"]);
  assert.deepEqual(diff("resid_mlp_1"), ["steps=10000"]);
});

Deno.test("the quick profile differs from the paper only in steps and log cadence", () => {
  const paper = getProfile("paper"), quick = getProfile("quick");
  for (const toy of toyIds()) {
    for (const method of ["spd", "apd"]) {
      const p = { ...profileConfig(paper, toy, method)! },
        q = { ...profileConfig(quick, toy, method)! };
      assert.ok((q.steps as number) < (p.steps as number), `${toy} ${method}`);
      for (const k of ["steps", "logEvery"]) {
        delete p[k];
        delete q[k];
      }
      assert.deepEqual(q, p, `${toy} ${method}`);
    }
    assert.match(quick[toy].source, /steps instead of/);
  }
  assert.deepEqual(profileNames(), ["paper", "quick", "ci", "apd_repo"]);
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
  assert.throws(() => getProfile("fast"), /allowed: paper, quick, ci, apd_repo/);
  assert.equal(profileConfig(getProfile("paper"), "tms_5-2", "nmf"), null);
  // Against the registered ids, a misspelt toy or method is refused, not skipped as "no config".
  const known = { toys: ["tms_5-2", "tms_5-2-id"], methods: ["spd", "apd"] };
  for (const name of profileNames()) {
    const builtIn = getProfile(name);
    assert.equal(parseProfile(builtIn, name, { toys: toyIds(), methods: methodIds() }), builtIn);
  }
  assert.throws(
    () => parseProfile({ "tms_5-3": { source: "x", spd: {} } }, "p.json", known),
    new Error("p.json: unknown toy 'tms_5-3'; allowed: tms_5-2, tms_5-2-id"),
  );
  assert.throws(
    () => parseProfile({ "tms_5-2": { source: "x", spdd: {} } }, "p.json", known),
    new Error("p.json: 'tms_5-2.spdd': unknown method; allowed: source, spd, apd"),
  );
});
