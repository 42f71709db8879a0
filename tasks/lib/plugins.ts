/**
 * Plugins: user modules that register toys and methods (`registerToy`,
 * `registerMethod` from `mod.ts`) before a task plans or scores anything, so
 * a toy or method of one's own runs and is scored like the built-in ones
 * without editing the suite (`--plugin FILE`, repeatable).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { methodIds, toyIds } from "../../mod.ts";

/** A loaded plugin: where it came from and what it added to the registries. */
export interface LoadedPlugin {
  /** As given on the command line. */
  readonly path: string;
  /** Module URL (what a Web Worker imports to see the same registrations). */
  readonly url: string;
  /** SHA-256 of the entry file, or null when the module is not a local file. */
  readonly sha256: string | null;
  /** Toy ids it registered. */
  readonly toys: readonly string[];
  /** Method ids it registered. */
  readonly methods: readonly string[];
}

/** A plugin argument as a module URL: a URL stays as it is, a path is resolved from the cwd. */
export function pluginUrl(path: string): string {
  if (/^(file|https?):\/\//.test(path)) return path;
  return pathToFileURL(resolve(path)).href;
}

/**
 * Imports each plugin in order and reports what it registered. Throws
 * `--plugin: cannot load '<path>': …` when a module cannot be imported or its
 * registrations fail (e.g. an id that is already taken).
 */
export async function loadPlugins(paths: readonly string[]): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  for (const path of paths) {
    const url = pluginUrl(path);
    const [toysBefore, methodsBefore] = [toyIds(), methodIds()];
    try {
      await import(url);
    } catch (err) {
      throw new Error(`--plugin: cannot load '${path}': ${(err as Error).message}`);
    }
    const sha256 = url.startsWith("file:")
      ? createHash("sha256").update(await Deno.readFile(new URL(url))).digest("hex")
      : null;
    loaded.push({
      path,
      url,
      sha256,
      toys: toyIds().filter((id) => !toysBefore.includes(id)),
      methods: methodIds().filter((id) => !methodsBefore.includes(id)),
    });
  }
  return loaded;
}

/** One line per plugin: `plugin PATH: toys a, b; methods c` (or "registered nothing"). */
export function describePlugins(plugins: readonly LoadedPlugin[]): string[] {
  return plugins.map((p) => {
    const parts = [
      p.toys.length ? `toys ${p.toys.join(", ")}` : "",
      p.methods.length ? `methods ${p.methods.join(", ")}` : "",
    ].filter(Boolean);
    return `plugin ${p.path}: ${parts.length ? parts.join("; ") : "registered nothing"}`;
  });
}

/**
 * For tasks that take only files: loads every `--plugin FILE` in `argv` and
 * returns the other arguments (the files).
 */
export async function withPlugins(argv: readonly string[]): Promise<string[]> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { plugin: { type: "string", multiple: true, default: [] } },
    allowPositionals: true,
    strict: true,
  });
  await loadPlugins(values.plugin!);
  return positionals;
}
