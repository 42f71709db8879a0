/**
 * The project's seeded random generator. Every random draw in pdbench (data,
 * initialisations, mask noise) goes through it, so one seed gives the same
 * numbers on every backend and machine. Draws happen in JavaScript and are
 * uploaded as tensors; backends never generate randomness of their own.
 *
 * The generator is xoshiro128** (Blackman & Vigna), a 32-bit generator with a
 * 128-bit state. Independent streams are derived from a run seed and a purpose
 * name ("data", "mask", "init", ...) by hashing both into the initial state,
 * so adding a stream never shifts the numbers of another.
 *
 * @module
 */

const TWO_POW_MINUS_24 = 1 / 16777216;

/** A generator's complete state: its four words and the cached second normal of a pair. */
export interface RngState {
  /** The xoshiro128** state words (unsigned 32-bit). */
  readonly words: readonly [number, number, number, number];
  /** The spare normal draw waiting to be returned, or null. */
  readonly spareNormal: number | null;
}

/**
 * Version of the generator and its seed derivation. Anything cached from
 * random draws (trained targets) keys on it, so a change here invalidates it.
 */
export const RNG_VERSION = 2;

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A seeded xoshiro128** generator. Create one with {@linkcode rngStream}. */
export class Rng {
  // The state words as int32 in a typed array: plain number fields holding 32-bit values become
  // boxed heap numbers in V8 (an allocation per draw); the bits are the same either way.
  readonly #s = new Int32Array(4);
  #spareNormal: number | null = null;

  /** Starts from four 32-bit state words; they must not all be zero. */
  constructor(s0: number, s1: number, s2: number, s3: number) {
    if ((s0 | s1 | s2 | s3) === 0) throw new RangeError("Rng: state must not be all zero");
    this.#s.set([s0, s1, s2, s3]);
  }

  /** The complete state; {@linkcode Rng.fromState} continues the sequence exactly from here. */
  state(): RngState {
    const [s0, s1, s2, s3] = this.#s;
    return { words: [s0 >>> 0, s1 >>> 0, s2 >>> 0, s3 >>> 0], spareNormal: this.#spareNormal };
  }

  /** A generator that continues from a saved {@linkcode RngState}. */
  static fromState(state: RngState): Rng {
    const { words, spareNormal } = state;
    if (words.length !== 4 || !words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)) {
      throw new RangeError("Rng.fromState: words must be four unsigned 32-bit integers");
    }
    if (spareNormal !== null && !Number.isFinite(spareNormal)) {
      throw new RangeError("Rng.fromState: spareNormal must be a finite number or null");
    }
    const rng = new Rng(...words);
    rng.#spareNormal = spareNormal;
    return rng;
  }

  /** Next uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.#s;
    let s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
    const r = Math.imul(s1, 5);
    const result = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    return result;
  }

  /**
   * Uniform on [0, 1) with 24 random bits, so every value is exactly
   * representable in float32 (no rounding up to 1 after conversion).
   */
  uniform(): number {
    return (this.nextUint32() >>> 8) * TWO_POW_MINUS_24;
  }

  /** Standard normal draw (Box–Muller on two 24-bit uniforms; pairs are cached). */
  normal(): number {
    if (this.#spareNormal !== null) {
      const z = this.#spareNormal;
      this.#spareNormal = null;
      return z;
    }
    const u1 = ((this.nextUint32() >>> 8) + 1) * TWO_POW_MINUS_24; // (0, 1]
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.#spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Fills `out` with uniforms on [lo, hi) and returns it. */
  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    const span = hi - lo;
    for (let i = 0; i < out.length; i++) out[i] = lo + span * this.uniform();
    return out;
  }

  /** Fills `out` with normals of the given mean and standard deviation and returns it. */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }
}

/**
 * Derives the independent generator for one purpose of one run. The same
 * `(seed, purpose)` always gives the same stream; different purposes give
 * streams that share no state.
 *
 * @param seed a non-negative safe integer (the run seed)
 * @param purpose a name such as `"data"`, `"mask"`, `"init"`
 */
export function rngStream(seed: number, purpose: string): Rng {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  }
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  const p = fnv1a(purpose);
  // Every state word depends on the whole seed and the purpose. fmix32 is a
  // bijection, so for a fixed purpose distinct seeds give distinct words.
  const [s0, s1, s2, s3] = [0x9e3779b9, 0x7f4a7c15, 0x6a09e667, 0xbb67ae85].map((c) =>
    fmix32((fmix32(fmix32(lo ^ c) ^ hi) ^ ((p + c) >>> 0)) >>> 0)
  );
  return (s0 | s1 | s2 | s3) === 0 ? new Rng(1, s1, s2, s3) : new Rng(s0, s1, s2, s3);
}
