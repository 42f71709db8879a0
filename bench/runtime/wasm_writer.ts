/**
 * A small WebAssembly binary writer: enough of the format (one imported
 * memory, exported functions, i32/f32/v128 locals, loops, scalar and SIMD
 * arithmetic) to write compute kernels in TypeScript and compile them at
 * run time with `WebAssembly.Module`. No build step, no other language.
 *
 * @module
 */

/** Value types. */
export const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;

function uleb(value: number, out: number[]): void {
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
}

function sleb(value: number, out: number[]): void {
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

function f32Bytes(value: number): number[] {
  return [...new Uint8Array(new Float32Array([value]).buffer)];
}

function name(text: string, out: number[]): void {
  const bytes = new TextEncoder().encode(text);
  uleb(bytes.length, out);
  out.push(...bytes);
}

/** SIMD opcodes (after the 0xfd prefix) used by pdbench's kernels. */
const SIMD = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  f32x4Splat: 0x13,
  f32x4ExtractLane: 0x1f,
  f32x4Gt: 0x44,
  f32x4Le: 0x45,
  and: 0x4e,
  bitselect: 0x52,
  f32x4Nearest: 0x6a,
  i32x4Shl: 0xab,
  i32x4Add: 0xae,
  f32x4Abs: 0xe0,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Max: 0xe9,
  f32x4Pmin: 0xea,
  i32x4TruncSatF32x4S: 0xf8,
} as const;

/**
 * The body of one function, written instruction by instruction. Each method
 * appends one instruction and returns `this`, so code reads as a stack
 * program: `c.get(a).get(b).f32x4Add().set(sum)`.
 */
export class Code {
  /** Instruction bytes so far. */
  readonly bytes: number[] = [];
  /** Types of the declared locals (after the parameters). */
  readonly locals: number[] = [];

  /** @param params types of the parameters, which are locals 0 … n−1. */
  constructor(readonly params: readonly number[]) {}

  /** Declares a local of `type`; returns its index. */
  local(type: number): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  private simd(op: number): this {
    this.bytes.push(0xfd);
    uleb(op, this.bytes);
    return this;
  }

  /** `local.get i`. */
  get(i: number): this {
    this.bytes.push(0x20);
    uleb(i, this.bytes);
    return this;
  }
  /** `local.set i`. */
  set(i: number): this {
    this.bytes.push(0x21);
    uleb(i, this.bytes);
    return this;
  }
  /** `i32.const v`. */
  i32(v: number): this {
    this.bytes.push(0x41);
    sleb(v | 0, this.bytes);
    return this;
  }
  /** `f32.const v` (rounded to float32). */
  f32(v: number): this {
    this.bytes.push(0x43, ...f32Bytes(v));
    return this;
  }
  /** `v128.const` with four float32 lanes equal to `v`. */
  f32x4Const(v: number): this {
    this.simd(SIMD.const);
    for (let i = 0; i < 4; i++) this.bytes.push(...f32Bytes(v));
    return this;
  }
  /** `v128.const` with four int32 lanes equal to `v`. */
  i32x4Const(v: number): this {
    this.simd(SIMD.const);
    for (let i = 0; i < 4; i++) this.bytes.push(...new Uint8Array(new Int32Array([v]).buffer));
    return this;
  }
  /** `i32.add`. */
  i32Add(): this {
    this.bytes.push(0x6a);
    return this;
  }
  /** `i32.mul`. */
  i32Mul(): this {
    this.bytes.push(0x6c);
    return this;
  }
  /** `i32.lt_u`. */
  i32LtU(): this {
    this.bytes.push(0x49);
    return this;
  }
  /** `i32.and`. */
  i32And(): this {
    this.bytes.push(0x71);
    return this;
  }
  /** `f32.add`. */
  f32Add(): this {
    this.bytes.push(0x92);
    return this;
  }
  /** `f32.sub`. */
  f32Sub(): this {
    this.bytes.push(0x93);
    return this;
  }
  /** `f32.mul`. */
  f32Mul(): this {
    this.bytes.push(0x94);
    return this;
  }
  /** `f32.div`. */
  f32Div(): this {
    this.bytes.push(0x95);
    return this;
  }
  /** `f32.sqrt`. */
  f32Sqrt(): this {
    this.bytes.push(0x91);
    return this;
  }
  /** `f32.load offset` from the address on the stack. */
  f32Load(offset = 0): this {
    this.bytes.push(0x2a, 2);
    uleb(offset, this.bytes);
    return this;
  }
  /** `f32.store offset` (address, value on the stack). */
  f32Store(offset = 0): this {
    this.bytes.push(0x38, 2);
    uleb(offset, this.bytes);
    return this;
  }
  /** `v128.load offset`. */
  v128Load(offset = 0): this {
    this.simd(SIMD.load);
    this.bytes.push(0);
    uleb(offset, this.bytes);
    return this;
  }
  /** `v128.store offset`. */
  v128Store(offset = 0): this {
    this.simd(SIMD.store);
    this.bytes.push(0);
    uleb(offset, this.bytes);
    return this;
  }
  /** `f32x4.splat`. */
  f32x4Splat(): this {
    return this.simd(SIMD.f32x4Splat);
  }
  /** `f32x4.extract_lane lane`. */
  f32x4ExtractLane(lane: number): this {
    this.simd(SIMD.f32x4ExtractLane);
    this.bytes.push(lane);
    return this;
  }
  /** `f32x4.add`. */
  f32x4Add(): this {
    return this.simd(SIMD.f32x4Add);
  }
  /** `f32x4.sub`. */
  f32x4Sub(): this {
    return this.simd(SIMD.f32x4Sub);
  }
  /** `f32x4.mul`. */
  f32x4Mul(): this {
    return this.simd(SIMD.f32x4Mul);
  }
  /** `f32x4.div`. */
  f32x4Div(): this {
    return this.simd(SIMD.f32x4Div);
  }
  /** `f32x4.max`. */
  f32x4Max(): this {
    return this.simd(SIMD.f32x4Max);
  }
  /** `f32x4.sqrt`. */
  f32x4Sqrt(): this {
    return this.simd(SIMD.f32x4Sqrt);
  }
  /** `f32x4.abs`. */
  f32x4Abs(): this {
    return this.simd(SIMD.f32x4Abs);
  }
  /** `f32x4.gt` (all-ones lanes where a > b). */
  f32x4Gt(): this {
    return this.simd(SIMD.f32x4Gt);
  }
  /** `f32x4.le` (all-ones lanes where a ≤ b). */
  f32x4Le(): this {
    return this.simd(SIMD.f32x4Le);
  }
  /** `f32x4.pmin`: `b < a ? b : a` per lane (a NaN in `a` stays). */
  f32x4Pmin(): this {
    return this.simd(SIMD.f32x4Pmin);
  }
  /** `v128.bitselect` (v1, v2, mask): bits of v1 where the mask is set, of v2 elsewhere. */
  v128Bitselect(): this {
    return this.simd(SIMD.bitselect);
  }
  /** `f32x4.nearest` (round half to even). */
  f32x4Nearest(): this {
    return this.simd(SIMD.f32x4Nearest);
  }
  /** `v128.and`. */
  v128And(): this {
    return this.simd(SIMD.and);
  }
  /** `i32x4.trunc_sat_f32x4_s`. */
  i32x4TruncSatF32x4S(): this {
    return this.simd(SIMD.i32x4TruncSatF32x4S);
  }
  /** `i32x4.add`. */
  i32x4Add(): this {
    return this.simd(SIMD.i32x4Add);
  }
  /** `i32x4.shl` by the i32 on the stack. */
  i32x4Shl(): this {
    return this.simd(SIMD.i32x4Shl);
  }

  /**
   * A do-while loop: `body` writes the loop's instructions and leaves an i32
   * on the stack; the loop repeats while it is non-zero. The body runs at
   * least once.
   */
  doWhile(body: () => void): this {
    this.bytes.push(0x03, 0x40); // loop (no result)
    body();
    this.bytes.push(0x0d, 0); // br_if 0: back to the loop's start
    this.bytes.push(0x0b); // end
    return this;
  }

  /**
   * A counted do-while loop: `body`, then local `counter` += `step`, repeated
   * while `counter` < local `end` (unsigned). The body runs at least once.
   */
  countUp(counter: number, step: number, end: number, body: () => void): this {
    return this.doWhile(() => {
      body();
      this.get(counter).i32(step).i32Add().set(counter);
      this.get(counter).get(end).i32LtU();
    });
  }

  /** Pushes the address `base + offset`, both i32 locals. */
  address(base: number, offset: number): this {
    return this.get(base).get(offset).i32Add();
  }

  /** `if … end`: `body` runs when the i32 on the stack is non-zero. */
  ifThen(body: () => void): this {
    this.bytes.push(0x04, 0x40);
    body();
    this.bytes.push(0x0b);
    return this;
  }

  /** The function's code-section entry (locals and body). */
  encode(): number[] {
    const body: number[] = [];
    uleb(this.locals.length, body);
    for (const type of this.locals) body.push(1, type);
    body.push(...this.bytes, 0x0b);
    const out: number[] = [];
    uleb(body.length, out);
    out.push(...body);
    return out;
  }
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  out.push(...content);
}

/**
 * Encodes a module that imports `env.memory` and exports each function by
 * name. Functions take the parameters their `Code` was made with and return
 * nothing.
 */
export function encodeModule(functions: Readonly<Record<string, Code>>): Uint8Array {
  const entries = Object.entries(functions);
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(entries.length, types);
  for (const [, code] of entries) {
    types.push(0x60);
    uleb(code.params.length, types);
    types.push(...code.params, 0);
  }
  section(1, types, out);
  const imports: number[] = [1];
  name("env", imports);
  name("memory", imports);
  imports.push(0x02, 0x00, 0x01); // memory, limits: min 1 page, no maximum
  section(2, imports, out);
  const funcs: number[] = [];
  uleb(entries.length, funcs);
  entries.forEach((_, i) => uleb(i, funcs));
  section(3, funcs, out);
  const exports: number[] = [];
  uleb(entries.length, exports);
  entries.forEach(([fn], i) => {
    name(fn, exports);
    exports.push(0x00);
    uleb(i, exports);
  });
  section(7, exports, out);
  const codes: number[] = [];
  uleb(entries.length, codes);
  for (const [, code] of entries) codes.push(...code.encode());
  section(10, codes, out);
  return new Uint8Array(out);
}
