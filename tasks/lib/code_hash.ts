/**
 * The identity of the code that decides a run's numbers (CLI-side I/O): a
 * SHA-256 over every `.ts` and `.json` file under `bench/` and `tasks/`, plus
 * `mod.ts`, `deno.json`, `deno.lock`, the Deno version and the identity of
 * each plugin (`plugins.ts`: its entry file's SHA-256; its own imports are
 * not followed). Unlike a git commit it sees uncommitted edits, and it
 * ignores changes elsewhere (README, records, reports), so a checkpoint stays
 * resumable across a commit of results.
 *
 * @module
 */
import { createHash } from "node:crypto";
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

/**
 * SHA-256 (hex) of the code under `root` (default: this repository), the Deno
 * version and `plugins` (one identity string per loaded plugin, in order).
 */
export async function codeHash(root = ROOT, plugins: readonly string[] = []): Promise<string> {
  const paths = [...FILES.map((f) => join(root, f))];
  for (const tree of TREES) for await (const p of sourceFiles(join(root, tree))) paths.push(p);
  const h = createHash("sha256").update(`deno ${Deno.version.deno}\n`);
  for (const path of paths.map((p) => relative(root, p)).sort()) {
    h.update(`\n${path}\n`).update(await Deno.readFile(join(root, path)));
  }
  for (const plugin of plugins) h.update(`\nplugin ${plugin}\n`);
  return h.digest("hex");
}
