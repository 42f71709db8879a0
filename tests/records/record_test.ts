import assert from "node:assert/strict";
import {
  configHash,
  encodeNonFinite,
  makeRecord,
  parseRunRecord,
  type Provenance,
  type RunRecord,
  SCHEMA_VERSION,
  SUITE_VERSION,
} from "../../mod.ts";

type Fields = Parameters<typeof makeRecord>[0];

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

const PROVENANCE: Provenance = {
  gitCommit: "0123456789abcdef0123456789abcdef01234567",
  gitDirty: false,
  deno: "2.0.0",
  v8: "13.0",
  typescript: "5.6",
  tfjs: "4.22.0",
  os: "linux 6.1",
  arch: "x86_64",
  cpuModel: null,
  cpuCores: 2,
  hostname: "box-a",
};

const CONFIG = { steps: 10, lr: 0.001 };

function fields(overrides: Partial<Fields> = {}): Fields {
  return {
    toy: "tms_5-2",
    method: "spd",
    seed: 3,
    config: CONFIG,
    configHash: configHash("tms_5-2", "spd", CONFIG, 0),
    target: { seedRequested: 0, seedUsed: 0, hash: "ab".repeat(32), attempts: [] },
    backend: "wasm",
    status: "completed",
    error: null,
    metrics: {
      mmcs: { value: 0.99, direction: "higher" },
      ml2r: { value: 1.01, direction: "target", target: 1 },
    },
    curve: [{ step: 0, lr: 0.001, losses: { total: 2.5 } }],
    timing: {
      startedAt: "2024-01-01T00:00:00.000Z",
      wallTimeS: 1.5,
      stepsPerSecond: 6.7,
      stepsDone: 10,
    },
    provenance: PROVENANCE,
    ...overrides,
  };
}

Deno.test("configHash is SHA-256 of the canonical (key-sorted) job identity", async () => {
  const want = await sha256(
    '{"config":{"lr":0.001,"steps":10},"method":"spd","targetSeed":0,"toy":"tms_5-2"}',
  );
  assert.equal(configHash("tms_5-2", "spd", CONFIG, 0), want);
  assert.equal(configHash("tms_5-2", "spd", { lr: 0.001, steps: 10 }, 0), want);
  assert.notEqual(configHash("tms_5-2", "spd", CONFIG, 1), want);
});

Deno.test("makeRecord fills schema, suite version, runId and a 64-hex resultHash", async () => {
  const f = fields();
  const rec = makeRecord(f);
  assert.equal(rec.schemaVersion, SCHEMA_VERSION);
  assert.equal(rec.schemaVersion, 1);
  assert.equal(rec.suiteVersion, SUITE_VERSION);
  assert.equal(rec.runId, `tms_5-2__spd__s3__${f.configHash.slice(0, 12)}__wasm`);
  assert.match(rec.runId, /^tms_5-2__spd__s3__[0-9a-f]{12}__wasm$/);
  assert.match(rec.resultHash, /^[0-9a-f]{64}$/);
  // resultHash = SHA-256 of the canonical JSON of the deterministic fields.
  const want = await sha256(
    '{"config":{"lr":0.001,"steps":10},"curve":[{"losses":{"total":2.5},"lr":0.001,"step":0}],' +
      '"metrics":{"ml2r":{"direction":"target","target":1,"value":1.01},' +
      '"mmcs":{"direction":"higher","value":0.99}},"status":"completed","target":"' +
      "ab".repeat(32) + '"}',
  );
  assert.equal(rec.resultHash, want);
  // The input fields are carried over unchanged.
  assert.equal(rec.seed, 3);
  assert.deepEqual(rec.metrics, f.metrics);
  assert.equal(rec.provenance, PROVENANCE);
});

Deno.test("resultHash ignores timing and provenance", () => {
  const a = makeRecord(fields());
  const b = makeRecord(fields({
    timing: {
      startedAt: "2030-06-01T12:00:00.000Z",
      wallTimeS: 99,
      stepsPerSecond: 0.1,
      stepsDone: 10,
    },
    provenance: { ...PROVENANCE, hostname: "box-b", gitDirty: true, cpuCores: 64 },
  }));
  assert.equal(a.resultHash, b.resultHash);
  // Backend and seed are part of the runId but not of the result.
  const c = makeRecord(fields({ backend: "cpu" }));
  assert.equal(c.resultHash, a.resultHash);
  assert.notEqual(c.runId, a.runId);
});

Deno.test("resultHash changes with a metric value, status, curve, config or target hash", () => {
  const base = makeRecord(fields()).resultHash;
  const variants: Partial<Fields>[] = [
    { metrics: { ...fields().metrics, mmcs: { value: 0.9900001, direction: "higher" } } },
    { metrics: { ...fields().metrics, mmcs: { value: 0.99, direction: "lower" } } },
    { status: "diverged" },
    { curve: [{ step: 0, lr: 0.001, losses: { total: 2.5000001 } }] },
    { config: { steps: 11, lr: 0.001 } },
    { target: { seedRequested: 0, seedUsed: 0, hash: "cd".repeat(32), attempts: [] } },
    { target: null },
  ];
  const hashes = variants.map((v) => makeRecord(fields(v)).resultHash);
  for (const [i, h] of hashes.entries()) assert.notEqual(h, base, `variant ${i}`);
  assert.equal(new Set(hashes).size, hashes.length);
});

Deno.test("encodeNonFinite writes non-finite numbers as strings, leaves the rest", () => {
  const enc = encodeNonFinite({ a: Infinity, b: [-Infinity, NaN, 1.5], c: { d: null, e: "x" } });
  assert.deepEqual(enc, { a: "Infinity", b: ["-Infinity", "NaN", 1.5], c: { d: null, e: "x" } });
});

Deno.test("encodeNonFinite + JSON + parseRunRecord round-trips non-finite metric values", () => {
  const rec = makeRecord(fields({
    metrics: {
      ratio: { value: Infinity, direction: "target", target: 1 },
      neg: { value: -Infinity, direction: "higher" },
      bad: { value: NaN, direction: "lower" },
      ok: { value: 0.25, direction: "lower" },
    },
  }));
  const line = JSON.stringify(encodeNonFinite(rec));
  assert.match(line, /"value":"Infinity"/);
  const back = parseRunRecord(JSON.parse(line));
  assert.equal(back.metrics.ratio.value, Infinity);
  assert.equal(back.metrics.ratio.target, 1);
  assert.equal(back.metrics.neg.value, -Infinity);
  assert.ok(Number.isNaN(back.metrics.bad.value));
  assert.deepEqual(back.metrics.ok, { value: 0.25, direction: "lower" });
  assert.equal(back.runId, rec.runId);
  assert.equal(back.resultHash, rec.resultHash);
  // Rebuilding the record from the parsed fields reproduces the same hash.
  const { schemaVersion: _s, suiteVersion: _v, runId: _r, resultHash: _h, ...rest } = back;
  assert.equal(makeRecord(rest).resultHash, rec.resultHash);
});

function expectParseError(mutate: (o: Record<string, unknown>) => void, pattern: RegExp) {
  const o = JSON.parse(JSON.stringify(encodeNonFinite(makeRecord(fields())))) as Record<
    string,
    unknown
  >;
  mutate(o);
  assert.throws(() => parseRunRecord(o), (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("parseRunRecord accepts a valid record", () => {
  const rec: RunRecord = makeRecord(fields());
  assert.deepEqual(parseRunRecord(JSON.parse(JSON.stringify(rec))), rec);
});

Deno.test("parseRunRecord errors name the faulty field", () => {
  assert.throws(() => parseRunRecord(null), /not an object/);
  assert.throws(() => parseRunRecord("x"), /not an object/);
  expectParseError((o) => (o.schemaVersion = 2), /schemaVersion must be 1, got 2/);
  expectParseError((o) => delete o.schemaVersion, /schemaVersion/);
  expectParseError(
    (o) => (o.status = "done"),
    /'status'.*completed, diverged, partial, failed.*'done'/,
  );
  expectParseError((o) => (o.runId = 7), /'runId' must be a string/);
  expectParseError((o) => (o.seed = 1.5), /'seed' must be an integer/);
  expectParseError((o) => (o.config = null), /'config'/);
  expectParseError((o) => (o.metrics = "x"), /'metrics'/);
  expectParseError((o) => (o.curve = {}), /'curve' must be an array/);
  expectParseError((o) => delete o.timing, /'timing'/);
  expectParseError((o) => delete o.provenance, /'provenance'/);
  expectParseError(
    (o) => ((o.metrics as Record<string, unknown>).mmcs = { value: 1, direction: "up" }),
    /metric 'mmcs' direction must be one of higher, lower, target; got 'up'/,
  );
  expectParseError(
    (o) => ((o.metrics as Record<string, unknown>).mmcs = { value: "high", direction: "higher" }),
    /metric 'mmcs' has no numeric value/,
  );
  expectParseError(
    (o) => ((o.metrics as Record<string, unknown>).ml2r = { value: null, direction: "target" }),
    /metric 'ml2r'/,
  );
});

// Regression: a diverged run's curve holds the non-finite loss that stopped it;
// it must come back as a number, not the string "NaN".
Deno.test({
  name: "parseRunRecord decodes non-finite curve losses back to numbers",
  fn() {
    const rec = makeRecord(fields({
      status: "diverged",
      curve: [{ step: 5, lr: 0.001, losses: { total: NaN, faith: Infinity } }],
    }));
    const back = parseRunRecord(JSON.parse(JSON.stringify(encodeNonFinite(rec))));
    assert.equal(typeof back.curve[0].losses.total, "number");
    assert.ok(Number.isNaN(back.curve[0].losses.total));
    assert.equal(back.curve[0].losses.faith, Infinity);
  },
});

Deno.test("artifacts: optional, hashed when present, round-trip through JSON with non-finite values", () => {
  const artifacts = {
    version: 1,
    importanceOneHot: {
      linear1: { components: [1, 0], values: [[0.97, 0]], dropped: 0, droppedMax: 0 },
    },
    cosine: {
      layer: "linear1",
      components: [1, 0],
      values: [[1, NaN]],
      bestComponent: [1],
      dropped: 0,
    },
    neuronContributions: [],
  };
  const without = makeRecord(fields());
  const withA = makeRecord({ ...fields(), artifacts });
  assert.equal(without.artifacts, undefined);
  assert.ok(!("artifacts" in without), "no artifacts key at all when absent");
  assert.notEqual(withA.resultHash, without.resultHash);
  assert.equal(makeRecord({ ...fields(), artifacts }).resultHash, withA.resultHash);
  const back = parseRunRecord(JSON.parse(JSON.stringify(encodeNonFinite(withA))));
  assert.ok(Number.isNaN(back.artifacts!.cosine!.values[0][1]));
  assert.deepEqual(back.artifacts!.importanceOneHot, artifacts.importanceOneHot);
  assert.throws(
    () => parseRunRecord({ ...JSON.parse(JSON.stringify(withA)), artifacts: { version: 2 } }),
    /artifacts\.version must be 1/,
  );
});

Deno.test("every committed record parses and re-hashes to its resultHash, with or without artifacts", async () => {
  const dir = new URL("../../reports/results/", import.meta.url);
  let withArtifacts = 0, without = 0;
  for await (const e of Deno.readDir(dir)) {
    if (!e.name.endsWith(".jsonl")) continue;
    const text = await Deno.readTextFile(new URL(e.name, dir));
    for (const line of text.split("\n").filter(Boolean)) {
      const rec = parseRunRecord(JSON.parse(line));
      if (rec.artifacts) withArtifacts++;
      else without++;
      const { schemaVersion: _s, suiteVersion: _v, runId: _r, resultHash, ...rest } = rec;
      assert.equal(makeRecord(rest).resultHash, resultHash, `${e.name}: ${rec.runId}`);
    }
  }
  // Both kinds are committed: the SPD TMS 5-2 paper runs predate artifacts, the APD runs carry them.
  assert.ok(without >= 5 && withArtifacts >= 5, `${without} without, ${withArtifacts} with`);
});
