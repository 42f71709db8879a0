/**
 * Adam / AdamW written out with TF.js ops, matching torch.optim.AdamW
 * (decoupled weight decay, bias-corrected moments, eps outside the square
 * root). TF.js's own Adam defaults eps to 1e-7 and fixes the learning rate at
 * construction; the papers need eps 1e-8 and a schedule.
 *
 * @module
 */
import { tf, variableFrom } from "../runtime/backend.ts";

/** Adam hyperparameters (torch defaults). */
export interface AdamOptions {
  /** First-moment decay. */
  beta1: number;
  /** Second-moment decay. */
  beta2: number;
  /** Added to the root of the second moment. */
  eps: number;
  /** Decoupled weight decay (AdamW); 0 = plain Adam. */
  weightDecay: number;
}

/** torch.optim.Adam defaults: β = (0.9, 0.999), eps 1e-8, no weight decay. */
export const ADAM_DEFAULTS: Readonly<AdamOptions> = {
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
};

/** Adam state over a fixed list of variables. Call {@linkcode Adam.dispose} when done. */
export class Adam {
  readonly #vars: tf.Variable[];
  readonly #m: tf.Variable[];
  readonly #v: tf.Variable[];
  readonly #opts: AdamOptions;
  #t = 0;

  /** Creates zeroed moments for `vars`. */
  constructor(vars: tf.Variable[], opts: Partial<AdamOptions> = {}) {
    this.#vars = vars;
    this.#opts = { ...ADAM_DEFAULTS, ...opts };
    this.#m = vars.map((v) => variableFrom(tf.zerosLike(v), false));
    this.#v = vars.map((v) => variableFrom(tf.zerosLike(v), false));
  }

  /** Number of updates applied so far. */
  get steps(): number {
    return this.#t;
  }

  /** Applies one update with learning rate `lr`; `grads[i]` belongs to `vars[i]`. */
  step(grads: readonly tf.Tensor[], lr: number): void {
    if (grads.length !== this.#vars.length) {
      throw new RangeError(`Adam.step: ${grads.length} gradients for ${this.#vars.length} vars`);
    }
    this.#t += 1;
    const { beta1, beta2, eps, weightDecay } = this.#opts;
    const bc1 = 1 - beta1 ** this.#t;
    const bc2 = 1 - beta2 ** this.#t;
    const stepSize = lr / bc1;
    const rootBc2 = Math.sqrt(bc2);
    tf.tidy(() => {
      for (let i = 0; i < this.#vars.length; i++) {
        const p = this.#vars[i], g = grads[i], m = this.#m[i], v = this.#v[i];
        const mNew = m.mul(beta1).add(g.mul(1 - beta1));
        const vNew = v.mul(beta2).add(g.square().mul(1 - beta2));
        const denom = vNew.sqrt().div(rootBc2).add(eps);
        const decayed = weightDecay === 0 ? p : p.mul(1 - lr * weightDecay);
        p.assign(decayed.sub(mNew.div(denom).mul(stepSize)));
        m.assign(mNew);
        v.assign(vNew);
      }
    });
  }

  /** Frees the moment tensors. */
  dispose(): void {
    for (const t of [...this.#m, ...this.#v]) t.dispose();
  }
}
