import type { ErrorObject } from 'ajv';
import { CRD_VALIDATORS } from './crd-validators';

// The validators are ajv standalone code generated ahead of time from the pinned CRD schemas in imports/schemas
// (scripts/crd-validators.js, `npm run crd-validators`): strict (unknown fields are errors, where the API server would
// prune them silently), with apiVersion, kind and the ObjectMeta fields a manifest may set pinned. Nothing is compiled
// at run time, and a kind's validator is loaded only when an object of that kind is validated.

/** Whether a schema for this `apiVersion` and `kind` is bundled. */
export function hasCrdSchema(apiVersion: string, kind: string): boolean {
  return Object.prototype.hasOwnProperty.call(CRD_VALIDATORS, `${apiVersion}/${kind}`);
}

/**
 * Validates a manifest strictly against the pinned CRD schema of its kind.
 * @returns one line per problem (`<json path>: <message>`); empty when valid.
 * @throws when no schema is bundled for the object's kind.
 */
export function validateAgainstCrd(manifest: any): string[] {
  const key = `${manifest?.apiVersion}/${manifest?.kind}`;
  if (!Object.prototype.hasOwnProperty.call(CRD_VALIDATORS, key)) {
    throw new Error(`no pinned CRD schema for ${key}; known: ${Object.keys(CRD_VALIDATORS).join(', ')}`);
  }
  const validate = CRD_VALIDATORS[key]();
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => {
    const where = e.instancePath || '/';
    const extra =
      e.keyword === 'additionalProperties'
        ? ` '${(e.params as any).additionalProperty}'`
        : e.keyword === 'enum'
          ? ` ${JSON.stringify((e.params as any).allowedValues)}`
          : '';
    return `${where}: ${e.message}${extra}`;
  });
}
