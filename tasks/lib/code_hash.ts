/**
 * The identity of the code that decides a run's numbers (CLI-side I/O): a
 * SHA-256 over every `.ts` and `.json` file under `bench/` and `tasks/`, plus
 * `mod.ts`, `deno.json`, `deno.lock`, the Deno version and the entry file of
 * each plugin (`plugins.ts`; a plugin's own imports are not followed). Unlike a git commit
 * it sees uncommitted edits, and it ignores changes elsewhere (README, records,
 * reports), so a checkpoint stays resumable across a commit of results.
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
 * version and the plugin modules at `pluginUrls` (file URLs are read, others
 * hashed by URL), in the order given.
 */
export async function codeHash(root = ROOT, pluginUrls: readonly string[] = []): Promise<string> {
  const paths = [...FILES.map((f) => join(root, f))];
  for (const tree of TREES) for await (const p of sourceFiles(join(root, tree))) paths.push(p);
  const h = createHash("sha256").update(`deno ${Deno.version.deno}\n`);
  for (const path of paths.map((p) => relative(root, p)).sort()) {
    h.update(`\n${path}\n`).update(await Deno.readFile(join(root, path)));
  }
  for (const [i, url] of pluginUrls.entries()) {
    h.update(`\nplugin ${i}\n`);
    h.update(url.startsWith("file:") ? await Deno.readFile(new URL(url)) : url);
  }
  return h.digest("hex");
}
