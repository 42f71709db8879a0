/**
 * The identity of the code that decides a run's numbers (CLI-side I/O): a
 * SHA-256 over every `.ts` and `.json` file under `bench/` and `tasks/`, plus
 * `mod.ts`, `deno.json`, `deno.lock` and the Deno version. Unlike a git commit
 * it sees uncommitted edits, and it ignores changes elsewhere (README, records,
 * reports), so a checkpoint stays resumable across a commit of results.
 *
 * @module
 */
import { join, relative } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const TREES = ["bench", "tasks"];
const FILES = ["mod.ts", "deno.json", "deno.lock"];

async function* sourceFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (/\.(ts|json)$/.test(entry.name)) yield path;
  }
}

/** SHA-256 (hex) of the code under `root` (default: this repository) and the Deno version. */
export async function codeHash(root = ROOT): Promise<string> {
  const paths = [...FILES.map((f) => join(root, f))];
  for (const tree of TREES) for await (const p of sourceFiles(join(root, tree))) paths.push(p);
  const parts: Uint8Array[] = [new TextEncoder().encode(`deno ${Deno.version.deno}\n`)];
  for (const path of paths.map((p) => relative(root, p)).sort()) {
    parts.push(new TextEncoder().encode(`\n${path}\n`), await Deno.readFile(join(root, path)));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}
