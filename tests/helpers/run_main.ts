/** Runs a task's exported `main` in this process with its console output captured. */

/** What a task's `main` returned and printed (lines joined with "\n"). */
export interface MainResult {
  code: number;
  out: string;
  err: string;
}

/** Calls `main(argv)` with console.log and console.error captured, restoring both after. */
export async function runMain(
  main: (argv: string[]) => Promise<number>,
  argv: string[],
): Promise<MainResult> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    return { code: await main(argv), out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}
