/**
 * Validation of Vega-Lite specs against the JSON schema shipped in the
 * `vega-lite` package (`build/vega-lite-schema.json`), with ajv.
 *
 * @module
 */
import { Ajv } from "ajv";

const SCHEMA = new URL("../../node_modules/vega-lite/build/vega-lite-schema.json", import.meta.url);

/** Validates one spec: the list of schema errors, empty when it is valid. */
export type SpecValidator = (spec: unknown) => string[];

let cached: SpecValidator | null = null;

/** Compiles the vega-lite package's schema once per process. */
export async function vegaLiteValidator(): Promise<SpecValidator> {
  if (cached) return cached;
  const schema = JSON.parse(await Deno.readTextFile(SCHEMA));
  // Formats (uri, color-hex) are not checked: ajv has no built-in for them, and they add nothing.
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
  const validate = ajv.compile(schema);
  cached = (spec: unknown) =>
    validate(spec)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`.trim());
  return cached;
}
