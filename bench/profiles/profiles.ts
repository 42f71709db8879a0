/**
 * Profiles: named sets of method configs per toy, kept as data
 * (`paper.json`, `quick.json`, `ci.json`, the small fixed profile the CI
 * regression gate runs, and `apd_repo.json`, the APD reference repository's
 * configs where they disagree with the paper). Every toy entry starts with a `source` line
 * naming the paper values it reproduces and any deviation.
 *
 * @module
 */
import apdRepo from "./apd_repo.json" with { type: "json" };
import ci from "./ci.json" with { type: "json" };
import paper from "./paper.json" with { type: "json" };
import quick from "./quick.json" with { type: "json" };

/** One toy's entry: its provenance line and a config per method id. */
export interface ProfileEntry {
  /** The paper values reproduced and any deviation. */
  readonly source: string;
  /** Method id → config fields (validated by the method when used). */
  readonly [method: string]: string | Readonly<Record<string, unknown>>;
}

/** A profile: toy id → entry. */
export type Profile = Readonly<Record<string, ProfileEntry>>;

/** The built-in profiles. */
export const PROFILES: Readonly<Record<string, Profile>> = {
  paper: paper as unknown as Profile,
  quick: quick as unknown as Profile,
  ci: ci as unknown as Profile,
  apd_repo: apdRepo as unknown as Profile,
};

/** Names of the built-in profiles. */
export function profileNames(): string[] {
  return Object.keys(PROFILES);
}

/** The toy and method ids a profile may name (the registered ones). */
export interface KnownIds {
  /** Toy ids (e.g. `toyIds()`). */
  readonly toys: readonly string[];
  /** Method ids (e.g. `methodIds()`). */
  readonly methods: readonly string[];
}

/**
 * Validates a parsed profile's shape (used for user profile files): an object
 * of toy entries, each with a string `source` and object-valued method configs.
 * With `known`, every toy and method id must be one of those (a misspelt id
 * would otherwise read as "no config" and its jobs be skipped). Throws naming
 * the toy and field at fault.
 */
export function parseProfile(json: unknown, name = "profile", known?: KnownIds): Profile {
  if (!json || typeof json !== "object" || Array.isArray(json)) {
    throw new Error(`${name}: must be an object of toy id -> entry`);
  }
  for (const [toy, entry] of Object.entries(json as Record<string, unknown>)) {
    const e = entry as Record<string, unknown>;
    if (known && !known.toys.includes(toy)) {
      throw new Error(`${name}: unknown toy '${toy}'; allowed: ${known.toys.join(", ")}`);
    }
    if (!e || typeof e !== "object" || typeof e.source !== "string") {
      throw new Error(`${name}: entry '${toy}' needs a string 'source' naming what it reproduces`);
    }
    for (const [method, cfg] of Object.entries(e)) {
      if (known && method !== "source" && !known.methods.includes(method)) {
        throw new Error(
          `${name}: '${toy}.${method}': unknown method; allowed: source, ${
            known.methods.join(", ")
          }`,
        );
      }
      if (method !== "source" && (!cfg || typeof cfg !== "object" || Array.isArray(cfg))) {
        throw new Error(`${name}: '${toy}.${method}' must be an object of config fields`);
      }
    }
  }
  return json as Profile;
}

/**
 * Looks up a profile by built-in name. Throws naming the allowed names when
 * it is unknown.
 */
export function getProfile(name: string): Profile {
  const p = PROFILES[name];
  if (!p) {
    throw new RangeError(`profile: unknown value '${name}'; allowed: ${profileNames().join(", ")}`);
  }
  return p;
}

/** The config fields of `method` on `toy` in `profile`, or null when the profile has none. */
export function profileConfig(
  profile: Profile,
  toy: string,
  method: string,
): Readonly<Record<string, unknown>> | null {
  const entry = profile[toy];
  const cfg = entry?.[method];
  return cfg && typeof cfg === "object" ? cfg : null;
}
