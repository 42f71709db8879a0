/**
 * A hand-built, healthy TMS 5-2 target: the five feature columns form a
 * regular pentagon of radius 1.13 and the bias is −0.25, the solution TMS
 * training finds (spd.md §13), and a solved C = 20 decomposition of it. Lets
 * tests skip target and decomposition training.
 */
import { fromRankOneFactors, type MethodResult, type NamedArray } from "../../mod.ts";

export const PENTAGON_RADIUS = 1.13;
export const PENTAGON_BIAS = -0.25;

export function pentagonTensors(radius = PENTAGON_RADIUS): Record<string, NamedArray> {
  const w = new Float32Array(10);
  for (let j = 0; j < 5; j++) {
    w[2 * j] = radius * Math.cos((2 * Math.PI * j) / 5);
    w[2 * j + 1] = radius * Math.sin((2 * Math.PI * j) / 5);
  }
  return {
    W: { shape: [5, 2], data: w },
    b: { shape: [5], data: new Float32Array(5).fill(PENTAGON_BIAS) },
  };
}

/** Options of {@link solvedTmsResult}. */
export interface SolvedTmsOptions {
  /** Scale of the live components (1 = no shrinkage). */
  readonly shrink?: number;
  /** Lowers feature 0's importance to 0.5 (CI-pattern error 1). */
  readonly broken?: boolean;
  /** Importance of each live subcomponent on its feature's one-hot input. */
  readonly liveImportance?: number;
}

/**
 * A solved TMS 5-2 decomposition of {@link pentagonTensors} with C = 20: the
 * live subcomponents sit at the shuffled indices 7, 3, 12, 0, 9 (feature
 * j's column at `live[j]`), every other one is tiny (norm 0.001, importance
 * 0.002).
 */
export function solvedTmsResult(o: SolvedTmsOptions = {}): MethodResult {
  const C = 20, shrink = o.shrink ?? 1;
  const w = pentagonTensors().W.data;
  const v = new Float32Array(5 * C), u = new Float32Array(C * 2);
  const ci = new Float32Array(5 * C);
  const live = [7, 3, 12, 0, 9];
  for (let c = 0; c < C; c++) {
    const j = live.indexOf(c);
    if (j >= 0) {
      v[j * C + c] = 1;
      u[2 * c] = shrink * w[2 * j];
      u[2 * c + 1] = shrink * w[2 * j + 1];
      ci[j * C + c] = o.liveImportance ?? 0.98;
    } else {
      v[(c % 5) * C + c] = 1;
      u[2 * c] = 0.001;
      ci[(c % 5) * C + c] = 0.002;
    }
  }
  if (o.broken) ci[live[0]] = 0.5;
  const importance = { rows: 5, cols: C, data: ci };
  const alive = Array.from({ length: C }, (_, c) => live.includes(c));
  return {
    status: "completed",
    stepsDone: 100,
    curve: [],
    components: [fromRankOneFactors("linear1", 5, 2, C, v, u)],
    importanceOneHot: { linear1: importance, linear2: importance },
    alive: { linear1: alive, linear2: alive },
    l0: { linear1: 0.19, linear2: 0.19 },
    losses: { total: 0.001 },
    parameterCount: 140,
  };
}
