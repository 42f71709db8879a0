/**
 * SPD behind the {@linkcode Method} interface. Its per-toy paper configs live
 * in the `paper` profile (bench/profiles/paper.json).
 *
 * @module
 */
import type { Method } from "../method.ts";
import { resolveSpdConfig, SPD_TMS_5_2, type SpdConfig } from "./config.ts";
import { evaluateSpd } from "./evaluate.ts";
import { trainSpd } from "./train.ts";

/** Stochastic Parameter Decomposition (Bushnaq, Braun, Sharkey 2025), paper-time code. */
export const spdMethod: Method<SpdConfig> = {
  id: "spd",
  description: "Stochastic Parameter Decomposition, paper-faithful (spd.md §11)",
  defaults: SPD_TMS_5_2,
  resolveConfig: resolveSpdConfig,
  steps: (cfg) => cfg.steps,
  resumable: true,
  async run(model, data, cfg, seed, onProgress, checkpoint) {
    const trained = await trainSpd(model, data, cfg, seed, onProgress, checkpoint);
    try {
      const ev = await evaluateSpd(model, trained.params, cfg, data);
      return {
        status: trained.status,
        stepsDone: trained.stepsDone,
        curve: trained.curve,
        components: ev.components,
        importanceOneHot: ev.ciOneHot,
        alive: ev.alive,
        l0: ev.ciL0,
        losses: ev.losses,
        parameterCount: trained.params.parameterCount,
      };
    } finally {
      trained.params.dispose();
    }
  },
};
