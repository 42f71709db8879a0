import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { gelu, initBackend, lowerLeakyHardSigmoid, upperLeakyHardSigmoid } from "../../../mod.ts";

await initBackend("cpu");

const XS = [-2, -0.5, 0.25, 0.5, 0.999, 1.5, 3];

function valuesAndGrads(fn: (x: tf.Tensor) => tf.Tensor): [number[], number[]] {
  const x = tf.tensor1d(XS);
  const y = Array.from(fn(x).dataSync());
  const g = Array.from(tf.grad((t: tf.Tensor) => tf.sum(fn(t)))(x).dataSync());
  return [y, g];
}

function close(actual: number[], expected: number[], tol: number) {
  actual.forEach((a, i) =>
    assert.ok(Math.abs(a - expected[i]) <= tol, `index ${i}: ${a} vs ${expected[i]}`)
  );
}

Deno.test("lower-leaky hard sigmoid: αx below 0, x on (0,1], 1 above; slopes α, 1, 0", () => {
  const [y, g] = valuesAndGrads((x) => lowerLeakyHardSigmoid(x, 0.01));
  close(y, [-0.02, -0.005, 0.25, 0.5, 0.999, 1, 1], 1e-7);
  close(g, [0.01, 0.01, 1, 1, 1, 0, 0], 1e-8);
});

Deno.test("upper-leaky hard sigmoid: 0 below 0, x on (0,1], 1+α(x−1) above; slopes 0, 1, α", () => {
  const [y, g] = valuesAndGrads((x) => upperLeakyHardSigmoid(x, 0.01));
  close(y, [0, 0, 0.25, 0.5, 0.999, 1.005, 1.02], 1e-6);
  close(g, [0, 0, 1, 1, 1, 0.01, 0.01], 1e-7);
});

/** erf by its Maclaurin series (converges fast for |x| < 3). */
function erf(x: number): number {
  let sum = 0, term = x;
  for (let n = 0; n < 80; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

Deno.test("GELU is the exact erf form and its custom gradient is Φ(x) + xφ(x)", () => {
  const [y, g] = valuesAndGrads(gelu);
  const phi = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
  const cdf = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
  close(y, XS.map((x) => x * cdf(x)), 2e-6);
  close(g, XS.map((x) => cdf(x) + x * phi(x)), 2e-6);
  // Golden values: GELU(1) = 0.8413447, GELU(-0.5) = -0.1542688.
  close([y[XS.indexOf(-0.5)]], [-0.1542688], 1e-6);
});
