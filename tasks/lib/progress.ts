/**
 * Progress reporting for long training loops (CLI-side I/O; not used by `bench/`).
 *
 * @module
 */

/**
 * Formats a duration in seconds as `M:SS` or, from one hour on, `H:MM:SS`
 * (e.g. `42` → `"0:42"`, `3723` → `"1:02:03"`). Rounds to the nearest second; negative values
 * count as 0; `NaN`/`Infinity` give `"--:--"`.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const t = Math.max(0, Math.round(seconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Formats iterations/second: integer from 100 up, one decimal from 10, else two decimals. */
function formatRate(rate: number): string {
  if (rate >= 100) return String(Math.round(rate));
  if (rate >= 10) return rate.toFixed(1);
  return rate.toFixed(2);
}

/** Options for {@linkcode Progress}. */
export interface ProgressOptions {
  /** Total number of iterations (the 100% mark). Values ≤ 0 are shown as complete. */
  total: number;
  /** Text at the start of every line, e.g. the task name. */
  label: string;
  /** Output sink; defaults to a synchronous write of the UTF-8 bytes to `Deno.stderr`. */
  write?: (s: string) => void;
  /** Whether to redraw a single line; defaults to `Deno.stderr.isTerminal()`. */
  isTty?: boolean;
  /** Clock in milliseconds; defaults to `performance.now`. */
  now?: () => number;
  /** Iterations already done before the clock starts (a resumed run); not counted in the rate. */
  initial?: number;
}

/** Minimum interval between TTY redraws, in milliseconds. */
const TTY_INTERVAL_MS = 200;
/** Width of the `[####....]` bar in characters. */
const BAR_WIDTH = 20;
/** ANSI: carriage return + erase entire line. */
const CLEAR_LINE = "\r\x1b[2K";

function writeStderr(s: string): void {
  const bytes = new TextEncoder().encode(s);
  let off = 0;
  while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
}

/**
 * Progress reporter for a loop of known length.
 *
 * Line format: `label [#########...........] 45% 18000/40000 1234 it/s ETA 0:17 extra`, where the
 * rate is the average since construction and the ETA is the remaining iterations at that rate.
 *
 * - On a TTY, every {@linkcode Progress.update} redraws one line in place (`\r` + ANSI
 *   clear-line), at most once per 200 ms; {@linkcode Progress.finish} draws the final state and
 *   ends the line.
 * - Otherwise (CI, log files), `update` prints a full line only when progress reaches a new 10%
 *   step (10%, 20%, …, 90%; never 100%), and `finish` prints one last line with
 *   `done in <elapsed>` instead of the ETA. At most 10 lines are printed in total.
 *
 * Calls after `finish` are ignored.
 */
export class Progress {
  readonly #total: number;
  readonly #label: string;
  readonly #write: (s: string) => void;
  readonly #isTty: boolean;
  readonly #now: () => number;
  readonly #start: number;
  readonly #initial: number;
  #done: number;
  #lastDraw: number | undefined;
  #lastDecile = 0;
  #finished = false;

  /** Creates a reporter; the rate/ETA clock starts now. Prints nothing until `update`. */
  constructor(opts: ProgressOptions) {
    this.#total = opts.total;
    this.#label = opts.label;
    this.#write = opts.write ?? writeStderr;
    this.#isTty = opts.isTty ?? Deno.stderr.isTerminal();
    this.#now = opts.now ?? (() => performance.now());
    this.#start = this.#now();
    this.#initial = this.#done = this.#clamp(opts.initial ?? 0);
    this.#lastDecile = Math.floor(this.#fraction() * 10);
  }

  /**
   * Records that `done` iterations are complete (clamped to `[0, total]`) and prints if due.
   *
   * @param done Completed iterations so far (absolute, not an increment).
   * @param extra Optional text appended to the line, e.g. the current loss.
   */
  update(done: number, extra?: string): void {
    if (this.#finished) return;
    this.#done = this.#clamp(done);
    const t = this.#now();
    if (this.#isTty) {
      if (this.#lastDraw !== undefined && t - this.#lastDraw < TTY_INTERVAL_MS) return;
      this.#lastDraw = t;
      this.#write(CLEAR_LINE + this.#line(t, false, extra));
      return;
    }
    // The 100% line is reserved for finish(), so a loop that calls update(total) and then
    // finish() does not print "100%" twice.
    const decile = Math.floor(this.#fraction() * 10);
    if (decile < 10 && decile > this.#lastDecile) {
      this.#lastDecile = decile;
      this.#write(this.#line(t, false, extra) + "\n");
    }
  }

  /**
   * Prints the final line (always, regardless of throttling) with the last reported count and
   * the total elapsed time, and ends the line on a TTY. Idempotent.
   *
   * @param extra Optional text appended to the line, e.g. the final loss.
   */
  finish(extra?: string): void {
    if (this.#finished) return;
    this.#finished = true;
    const line = this.#line(this.#now(), true, extra);
    this.#write((this.#isTty ? CLEAR_LINE : "") + line + "\n");
  }

  #clamp(done: number): number {
    if (!Number.isFinite(done) || done < 0) return 0;
    return this.#total > 0 ? Math.min(done, this.#total) : done;
  }

  #fraction(): number {
    return this.#total > 0 ? this.#done / this.#total : 1;
  }

  #line(t: number, final: boolean, extra: string | undefined): string {
    const frac = this.#fraction();
    const filled = Math.floor(frac * BAR_WIDTH);
    const bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
    const pct = Math.floor(frac * 100);
    const elapsed = (t - this.#start) / 1000;
    const rate = elapsed > 0 ? (this.#done - this.#initial) / elapsed : NaN;
    const rateText = Number.isFinite(rate) ? formatRate(rate) : "?";
    let tail: string;
    if (final) {
      tail = `done in ${formatDuration(elapsed)}`;
    } else if (rate > 0) {
      tail = `ETA ${formatDuration((this.#total - this.#done) / rate)}`;
    } else {
      tail = "ETA --:--";
    }
    const parts = [
      this.#label,
      `[${bar}]`,
      `${pct}%`,
      `${this.#done}/${this.#total}`,
      `${rateText} it/s`,
      tail,
    ];
    if (extra !== undefined && extra !== "") parts.push(extra);
    return parts.join(" ");
  }
}
