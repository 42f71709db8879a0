/**
 * Adam / AdamW written out with TF.js ops, matching torch.optim.AdamW
 * (decoupled weight decay, bias-corrected moments, eps outside the square
 * root). TF.js's own Adam defaults eps to 1e-7 and fixes the learning rate at
 * construction; the papers need eps 1e-8 and a schedule. On the wasm backend
 * each variable's update is one fused kernel with the same bits
 * (`adam_wasm.ts`).
 *
 * @module
 */
import { tf, variableFrom } from "../runtime/backend.ts";
import { ADAM_KERNEL, type AdamConstants, registerAdamWasmKernel } from "./adam_wasm.ts";

registerAdamWasmKernel();

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

/** Adam's state: the update count and both moments per variable, in variable order. */
export interface AdamState {
  /** Updates applied. */
  readonly t: number;
  /** First moments. */
  readonly m: readonly Float32Array[];
  /** Second moments. */
  readonly v: readonly Float32Array[];
}

/**
 * Two variables that stand for one storage, `vars[view]` = `vars[source]`ᵀ
 * (2-D), each with its own gradient and moments: torch's two parameters on
 * shared memory (spd.md §1.6). Both updates land on the storage.
 */
export interface AdamTie {
  /** Index of the variable that holds the storage. */
  readonly source: number;
  /** Index of its transposed copy, rewritten from the source after every step. */
  readonly view: number;
}

/** Adam state over a fixed list of variables. Call {@linkcode Adam.dispose} when done. */
export class Adam {
  readonly #vars: tf.Variable[];
  readonly #m: tf.Variable[];
  readonly #v: tf.Variable[];
  readonly #opts: AdamOptions;
  readonly #ties: readonly AdamTie[];
  #t = 0;

  /**
   * Creates zeroed moments for `vars`; `ties` makes pairs of them one storage
   * with two moment sets (checked: indices in range, each used once, shapes transposed).
   */
  constructor(vars: tf.Variable[], opts: Partial<AdamOptions> = {}, ties: readonly AdamTie[] = []) {
    const used = new Set<number>();
    for (const { source, view } of ties) {
      for (const i of [source, view]) {
        if (!Number.isInteger(i) || i < 0 || i >= vars.length || used.has(i)) {
          throw new RangeError(`Adam: tie index ${i} is out of range or used twice`);
        }
        used.add(i);
      }
      const [a, b] = [vars[source].shape, vars[view].shape];
      if (a.length !== 2 || b.length !== 2 || a[0] !== b[1] || a[1] !== b[0]) {
        throw new RangeError(`Adam: tied shapes [${a}] and [${b}] are not transposes`);
      }
    }
    this.#vars = vars;
    this.#ties = ties;
    this.#opts = { ...ADAM_DEFAULTS, ...opts };
    this.#m = vars.map((v) => variableFrom(tf.zerosLike(v), false));
    this.#v = vars.map((v) => variableFrom(tf.zerosLike(v), false));
  }

  /** Number of updates applied so far. */
  get steps(): number {
    return this.#t;
  }

  /** Reads the moments back (a copy): with the variables, all an exact resume needs. */
  async state(): Promise<AdamState> {
    const read = (ts: tf.Variable[]) =>
      Promise.all(ts.map((t) => t.data() as Promise<Float32Array>));
    return { t: this.#t, m: await read(this.#m), v: await read(this.#v) };
  }

  /** Replaces the moments and update count by a saved {@linkcode AdamState} (checked first). */
  restore(state: AdamState): void {
    const n = this.#vars.length;
    if (!Number.isInteger(state.t) || state.t < 0) {
      throw new RangeError(`Adam.restore: t must be an integer >= 0, got ${state.t}`);
    }
    const parts = [["m", state.m, this.#m], ["v", state.v, this.#v]] as const;
    for (const [name, saved, live] of parts) {
      if (saved.length !== n) {
        throw new RangeError(
          `Adam.restore: ${name} has ${saved.length} tensors for ${n} variables`,
        );
      }
      saved.forEach((values, i) => {
        if (values.length !== live[i].size) {
          throw new RangeError(
            `Adam.restore: ${name}[${i}] has ${values.length} values, variable has ${live[i].size}`,
          );
        }
      });
    }
    for (const [, saved, live] of parts) {
      saved.forEach((values, i) => tf.tidy(() => live[i].assign(tf.tensor(values, live[i].shape))));
    }
    this.#t = state.t;
  }

  /**
   * Applies one update with learning rate `lr`; `grads[i]` belongs to `vars[i]`.
   * A tie's source then also takes its view's update (transposed), and the
   * view is rewritten as the source's transpose.
   */
  step(grads: readonly tf.Tensor[], lr: number): void {
    if (grads.length !== this.#vars.length) {
      throw new RangeError(`Adam.step: ${grads.length} gradients for ${this.#vars.length} vars`);
    }
    const before = this.#ties.map((t) => tf.clone(this.#vars[t.view]));
    this.#update(grads, lr);
    tf.tidy(() =>
      this.#ties.forEach(({ source, view }, i) => {
        const src = this.#vars[source], v = this.#vars[view];
        src.assign(tf.add(src, tf.transpose(tf.sub(v, before[i]))));
        v.assign(tf.transpose(src));
      })
    );
    tf.dispose(before);
  }

  #update(grads: readonly tf.Tensor[], lr: number): void {
    this.#t += 1;
    const { beta1, beta2, eps, weightDecay } = this.#opts;
    const bc1 = 1 - beta1 ** this.#t;
    const bc2 = 1 - beta2 ** this.#t;
    const stepSize = lr / bc1;
    const rootBc2 = Math.sqrt(bc2);
    if (tf.getBackend() === "wasm") {
      const constants: AdamConstants = {
        beta1,
        oneMinusBeta1: 1 - beta1,
        beta2,
        oneMinusBeta2: 1 - beta2,
        rootBc2,
        eps,
        stepSize,
        decay: 1 - lr * weightDecay,
      };
      tf.tidy(() => {
        this.#vars.forEach((p, i) => {
          const m = this.#m[i], v = this.#v[i];
          const inputs = { p, g: grads[i], m, v };
          const [pNew, mNew, vNew] = tf.engine().runKernel(
            ADAM_KERNEL,
            inputs,
            constants as unknown as tf.NamedAttrMap,
          ) as tf.Tensor[];
          p.assign(pNew);
          m.assign(mNew);
          v.assign(vNew);
        });
      });
      return;
    }
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
