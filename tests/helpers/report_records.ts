/**
 * Synthetic run records for report tests: a solved TMS 5-2 run (hand-built
 * pentagon target and decomposition, scored and with artifacts exactly as
 * `runJob` builds them), a residual-MLP record with neuron-contribution
 * artifacts, an old-style record without artifacts, a two-field sweep, and a
 * method with differently named loss terms. No training.
 */
import {
  configHash,
  type Criterion,
  fromRankOneFactors,
  type GroundTruth,
  makeRecord,
  type MethodResult,
  type Provenance,
  runArtifacts,
  type RunRecord,
  scoreRun,
  TMS_5_2,
  tmsSolved,
  tmsToy,
} from "../../mod.ts";
import { pentagonTensors, solvedTmsResult } from "./pentagon.ts";

const PROVENANCE: Provenance = {
  gitCommit: "0123456789abcdef0123456789abcdef01234567",
  gitDirty: false,
  deno: "2.9.6",
  v8: "15",
  typescript: "6",
  tfjs: "4.22.0",
  os: "linux",
  arch: "x86_64",
  cpuModel: "Test CPU",
  cpuCores: 2,
  hostname: "test",
};

/** Success criterion lookup for the fixtures (every toy is judged as TMS 5-2). */
export const criterionFor = (_toy: string): Criterion => tmsSolved(5);

function curve(names: readonly string[], seed: number) {
  return Array.from({ length: 11 }, (_, k) => ({
    step: k * 10,
    lr: 1e-3,
    losses: Object.fromEntries(names.map((n, i) => [n, (i + 1) * Math.exp(-k / (3 + seed))])),
  }));
}

/** The fixture config; the sweep varies importanceCoeff and lr around it. */
export const BASE_CONFIG = {
  steps: 100,
  batchSize: 64,
  logEvery: 10,
  importanceCoeff: 0.003,
  lr: 0.001,
};

interface Options {
  toy?: string;
  method?: string;
  seed?: number;
  config?: Record<string, unknown>;
  withArtifacts?: boolean;
  shrink?: number;
  broken?: boolean;
  lossNames?: readonly string[];
  backend?: string;
}

/** A scored TMS 5-2-like record (artifacts as runJob computes them unless withArtifacts is false). */
export function tmsRecord(o: Options = {}): RunRecord {
  const toy = o.toy ?? "tms_5-2";
  const method = o.method ?? "spd";
  const seed = o.seed ?? 0;
  const config = o.config ?? BASE_CONFIG;
  const truth = tmsToy("tms_5-2", "t", TMS_5_2).groundTruth(pentagonTensors());
  const result = solvedTmsResult({ shrink: o.shrink, broken: o.broken });
  const names = o.lossNames ?? ["faithfulness", "stochasticRecon", "importanceMinimality"];
  return makeRecord({
    toy,
    method,
    seed,
    config,
    configHash: configHash(toy, method, config, 0),
    target: null,
    backend: o.backend ?? "wasm",
    status: "completed",
    error: null,
    metrics: scoreRun(truth, result),
    curve: curve(names, seed),
    timing: {
      startedAt: "2026-01-01T00:00:00Z",
      wallTimeS: 60,
      stepsPerSecond: 20 + seed,
      stepsDone: 100,
    },
    provenance: PROVENANCE,
    ...(o.withArtifacts === false ? {} : { artifacts: runArtifacts(truth, result) }),
  });
}

/** A residual-MLP-like record with neuron-contribution artifacts (2 layers, 6 features, 3 neurons). */
export function residRecord(): RunRecord {
  const nF = 6, dE = 4, dM = 3;
  const embedding = {
    rows: nF,
    cols: dE,
    data: Float64Array.from({ length: nF * dE }, (_, k) => Math.sin(k + 1)),
  };
  const layer = (l: number) => ({
    mlpIn: `layers.${l}.mlp_in`,
    mlpOut: `layers.${l}.mlp_out`,
    wIn: {
      rows: dE,
      cols: dM,
      data: Float64Array.from({ length: dE * dM }, (_, k) => Math.cos(k + l)),
    },
    wOut: {
      rows: dM,
      cols: dE,
      data: Float64Array.from({ length: dM * dE }, (_, k) => Math.sin(2 * k + l)),
    },
  });
  const truth: GroundTruth = {
    features: null,
    ciPatterns: {},
    residual: { embedding, layers: [layer(0), layer(1)] },
  };
  // Each layer decomposed exactly: mlp_in as one rank-1 component per embedding row, mlp_out whole.
  const components = truth.residual!.layers.flatMap((L) => {
    const v = new Float32Array(dE * dE), u = new Float32Array(dE * dM);
    for (let e = 0; e < dE; e++) {
      v[e * dE + e] = 1;
      for (let n = 0; n < dM; n++) u[e * dM + n] = L.wIn.data[e * dM + n];
    }
    const vo = new Float32Array(dM * dM), uo = new Float32Array(dM * dE);
    for (let n = 0; n < dM; n++) {
      vo[n * dM + n] = 1;
      for (let e = 0; e < dE; e++) uo[n * dE + e] = L.wOut.data[n * dE + e];
    }
    return [
      fromRankOneFactors(L.mlpIn, dE, dM, dE, v, u),
      fromRankOneFactors(L.mlpOut, dM, dE, dM, vo, uo),
    ];
  });
  const result: MethodResult = {
    status: "completed",
    stepsDone: 10,
    curve: [],
    components,
    importanceOneHot: {},
    alive: {},
    l0: {},
    losses: {},
    parameterCount: 0,
  };
  return makeRecord({
    toy: "resid_mlp_2",
    method: "spd",
    seed: 0,
    config: { steps: 10 },
    configHash: "resid",
    target: null,
    backend: "wasm",
    status: "completed",
    error: null,
    metrics: {
      "neuron_contrib_pearson.layers.0": { value: 0.99, direction: "higher", target: 1 },
      "neuron_contrib_slope.layers.0": { value: 0.97, direction: "target", target: 1 },
    },
    curve: curve(["faithfulness"], 0),
    timing: { startedAt: "", wallTimeS: 1, stepsPerSecond: 2, stepsDone: 10 },
    provenance: PROVENANCE,
    artifacts: runArtifacts(truth, result),
  });
}

/** A 2 × 3 sweep (importanceCoeff × lr), two seeds per cell, on TMS 5-2 · spd. */
export function sweepRecords(): RunRecord[] {
  const out: RunRecord[] = [];
  for (const beta of [0.001, 0.003]) {
    for (const lr of [0.0003, 0.001, 0.003]) {
      for (const seed of [0, 1]) {
        out.push(tmsRecord({
          seed,
          config: { ...BASE_CONFIG, importanceCoeff: beta, lr },
          withArtifacts: false,
          broken: seed === 1 && lr === 0.003, // CI-pattern error 1 fails the criterion
        }));
      }
    }
  }
  return out;
}
