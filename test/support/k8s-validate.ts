import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Result of validating one core object against the Kubernetes API schema. */
export interface CoreValidation {
  kind: string;
  name: string;
  unknown?: boolean;
  errors: string[];
}

/** Validates core Kubernetes objects with the Kubernetes API's OpenAPI schemas (kubernetes-models). */
export function validateCoreObjects(objects: readonly unknown[]): CoreValidation[] {
  const out = execFileSync(process.execPath, [join(__dirname, 'k8s-validate.mjs')], { input: JSON.stringify(objects), encoding: 'utf8' });
  return JSON.parse(out);
}
