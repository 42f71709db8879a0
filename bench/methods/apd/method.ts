/**
 * APD behind the {@linkcode Method} interface. Per-toy configs live in the
 * `paper` profile (the paper's values) and the `apd_repo` profile (the
 * reference repository's configs where they disagree with the paper).
 *
 * @module
 */
import type { ExtraMetric, Method } from "../method.ts";
import type { ApdAblations } from "./ablations.ts";
import { APD_TMS_5_2, type ApdConfig, resolveApdConfig } from "./config.ts";
import { evaluateApd } from "./evaluate.ts";
import { trainApd } from "./train.ts";

/** A feature counts as split when its top-1 relative error exceeds this (metric name below). */
export const TOP1_SPLIT_ERROR = 0.1;

/**
 * The ablation tests as metrics: `top1_rel_error_mean` / `_max` over
 * features, `features_top1_rel_error_above_0.1` (features one component does
 * not carry), `scrubbed_mse` and `anti_scrubbed_mse`.
 */
export function ablationMetrics(a: ApdAblations): Record<string, ExtraMetric> {
  const errors = [...a.top1RelativeError];
  return {
    top1_rel_error_mean: {
      value: errors.reduce((s, e) => s + e, 0) / errors.length,
      direction: "lower",
    },
    top1_rel_error_max: { value: Math.max(...errors), direction: "lower" },
    [`features_top1_rel_error_above_${TOP1_SPLIT_ERROR}`]: {
      value: errors.filter((e) => e > TOP1_SPLIT_ERROR).length,
      direction: "lower",
    },
    scrubbed_mse: { value: a.scrubbedMse, direction: "lower" },
    anti_scrubbed_mse: { value: a.antiScrubbedMse, direction: "higher" },
  };
}

/** Attribution-based Parameter Decomposition (Braun et al. 2025), top-k formulation. */
export const apdMethod: Method<ApdConfig> = {
  id: "apd",
  description: "Attribution-based Parameter Decomposition, top-k formulation (apd.md §10)",
  defaults: APD_TMS_5_2,
  resolveConfig: resolveApdConfig,
  steps: (cfg) => cfg.steps,
  resumable: true,
  async run(model, data, cfg, seed, onProgress, checkpoint) {
    const trained = await trainApd(model, data, cfg, seed, onProgress, checkpoint);
    try {
      const ev = await evaluateApd(model, trained.params, cfg, data);
      return {
        status: trained.status,
        stepsDone: trained.stepsDone,
        curve: trained.curve,
        components: ev.components,
        componentsSpanLayers: true,
        importanceOneHot: ev.relativeAttributionOneHot,
        alive: ev.alive,
        l0: ev.l0,
        losses: ev.losses,
        parameterCount: trained.params.variables.reduce((n, v) => n + v.size, 0),
        ...(ev.ablations ? { extraMetrics: ablationMetrics(ev.ablations) } : {}),
      };
    } finally {
      trained.params.dispose();
    }
  },
};
