/**
 * APD behind the {@linkcode Method} interface. Per-toy configs live in the
 * `paper` profile (the paper's values) and the `apd_repo` profile (the
 * reference repository's configs where they disagree with the paper).
 *
 * @module
 */
import type { Method } from "../method.ts";
import { APD_TMS_5_2, type ApdConfig, resolveApdConfig } from "./config.ts";
import { evaluateApd } from "./evaluate.ts";
import { trainApd } from "./train.ts";

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
      };
    } finally {
      trained.params.dispose();
    }
  },
};
