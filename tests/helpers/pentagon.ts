/**
 * A hand-built, healthy TMS 5-2 target: the five feature columns form a
 * regular pentagon of radius 1.13 and the bias is −0.25, the solution TMS
 * training finds (spd.md §13). Lets tests skip target training.
 */
import type { NamedArray } from "../../mod.ts";

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
