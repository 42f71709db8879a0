/**
 * Run provenance: which code, runtime and machine produced a benchmark result.
 *
 * This is CLI-side I/O (spawns `git`, reads `/proc/cpuinfo`); the `bench/` library never
 * imports it.
 *
 * @module
 */

import type { Provenance } from "../../bench/records/record.ts";

export type { Provenance };

/** Options for {@linkcode collectProvenance}. */
export interface CollectProvenanceOptions {
  /** Directory in which to run git; defaults to the current working directory. */
  cwd?: string;
  /** Path of the cpuinfo file to parse; defaults to `/proc/cpuinfo` (overridable for tests). */
  cpuinfoPath?: string;
}

/**
 * Runs `git <args>` in `cwd` and returns its trimmed stdout, or null if git is missing,
 * not permitted, or exits non-zero. Never throws.
 */
async function gitOutput(args: string[], cwd: string | undefined): Promise<string | null> {
  try {
    const out = await new Deno.Command("git", {
      args,
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return null;
  }
}

/**
 * Extracts the first `model name` value from the text of `/proc/cpuinfo`, or null if there is
 * none (e.g. on some ARM kernels).
 */
export function parseCpuModel(cpuinfo: string): string | null {
  const m = /^model name\s*:\s*(.*\S)\s*$/m.exec(cpuinfo);
  return m ? m[1] : null;
}

async function readCpuModel(path: string): Promise<string | null> {
  try {
    return parseCpuModel(await Deno.readTextFile(path));
  } catch {
    return null;
  }
}

function safe(f: () => string): string {
  try {
    return f();
  } catch {
    return "unknown";
  }
}

/**
 * Collects provenance for a benchmark run. Never throws for missing git, a repository without
 * commits, or an unreadable `/proc/cpuinfo`: those fields become null. Both git fields are null
 * when there is no commit, since "dirty" is only meaningful relative to a commit.
 *
 * Needs `--allow-run=git`, `--allow-read=/proc/cpuinfo` and `--allow-sys` for full results;
 * without them the affected fields fall back to null / `"unknown"`.
 *
 * @param tfjsVersion The TensorFlow.js version in use, recorded verbatim.
 * @param opts Optional git working directory and cpuinfo path.
 */
export async function collectProvenance(
  tfjsVersion: string,
  opts: CollectProvenanceOptions = {},
): Promise<Provenance> {
  const [head, status, cpuModel] = await Promise.all([
    gitOutput(["rev-parse", "--verify", "--quiet", "HEAD"], opts.cwd),
    gitOutput(["status", "--porcelain"], opts.cwd),
    readCpuModel(opts.cpuinfoPath ?? "/proc/cpuinfo"),
  ]);
  const gitCommit = head !== null && /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(head) ? head : null;
  const gitDirty = gitCommit === null || status === null ? null : status.length > 0;
  return {
    gitCommit,
    gitDirty,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    tfjs: tfjsVersion,
    os: `${Deno.build.os} ${safe(() => Deno.osRelease())}`,
    arch: Deno.build.arch,
    cpuModel,
    cpuCores: navigator.hardwareConcurrency,
    hostname: safe(() => Deno.hostname()),
  };
}
