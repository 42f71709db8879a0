/**
 * Registers the built-in toys and methods. Importing this module (or
 * `mod.ts`) makes them available through `getToy` / `getMethod`.
 *
 * @module
 */
import { apdMethod } from "./methods/apd/method.ts";
import { registerMethod } from "./methods/method.ts";
import { spdMethod } from "./methods/spd/method.ts";
import { RESID_MLP_1, RESID_MLP_2, RESID_MLP_3, residMlpToy } from "./toys/resid_mlp.ts";
import { TMS_40_10, TMS_40_10_ID, TMS_5_2, TMS_5_2_ID, tmsToy } from "./toys/tms.ts";
import { registerToy, type Toy } from "./toys/toy.ts";

/**
 * The built-in toys by id, each as a function of overrides of its target
 * recipe: `BUILTIN_TOYS[id]()` is the registered toy; `{ steps: 0 }` gives an
 * untrained target of the same shapes, which costs the same per
 * decomposition step (the speed benchmark uses it).
 */
export const BUILTIN_TOYS: Readonly<Record<string, (target?: { steps?: number }) => Toy>> = {
  "tms_5-2": (o) => tmsToy("tms_5-2", "TMS, 5 features in 2 hidden dims", { ...TMS_5_2, ...o }),
  "tms_5-2-id": (o) =>
    tmsToy("tms_5-2-id", "TMS 5-2 with a fixed 2x2 identity hidden layer", { ...TMS_5_2_ID, ...o }),
  "tms_40-10": (o) =>
    tmsToy("tms_40-10", "TMS, 40 features in 10 hidden dims", { ...TMS_40_10, ...o }),
  "tms_40-10-id": (o) =>
    tmsToy("tms_40-10-id", "TMS 40-10 with a fixed 10x10 identity hidden layer", {
      ...TMS_40_10_ID,
      ...o,
    }),
  "resid_mlp_1": (o) =>
    residMlpToy("resid_mlp_1", "Residual MLP, 1 layer, 100 features, d_mlp 50", {
      ...RESID_MLP_1,
      ...o,
    }),
  "resid_mlp_2": (o) =>
    residMlpToy("resid_mlp_2", "Residual MLP, 2 layers, 100 features, d_mlp 25 each", {
      ...RESID_MLP_2,
      ...o,
    }),
  "resid_mlp_3": (o) =>
    residMlpToy("resid_mlp_3", "Residual MLP, 3 layers, 102 features, d_mlp 17 each", {
      ...RESID_MLP_3,
      ...o,
    }),
};

for (const make of Object.values(BUILTIN_TOYS)) registerToy(make());
registerMethod(spdMethod);
registerMethod(apdMethod);
