/**
 * Registers the built-in toys and methods. Importing this module (or
 * `mod.ts`) makes them available through `getToy` / `getMethod`.
 *
 * @module
 */
import { registerMethod } from "./methods/method.ts";
import { spdMethod } from "./methods/spd/method.ts";
import { TMS_5_2, TMS_5_2_ID, tmsToy } from "./toys/tms.ts";
import { registerToy } from "./toys/toy.ts";

registerToy(tmsToy("tms_5-2", "TMS, 5 features in 2 hidden dims", TMS_5_2));
registerToy(tmsToy("tms_5-2-id", "TMS 5-2 with a fixed 2x2 identity hidden layer", TMS_5_2_ID));
registerMethod(spdMethod);
