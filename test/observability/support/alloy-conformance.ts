import { ALLOY_COMPONENTS, AlloyBodySpec } from '../../../lib/observability/private/alloy-components';
import { Block, Ref, Statement, Value } from './alloy-parser';

/**
 * What in a parsed Alloy configuration is not in the pinned component table: unknown components, attributes or
 * blocks, components without a label or declared twice, and references to components or exports that do not exist.
 * Empty when the configuration uses only what the pinned Alloy release documents.
 */
export function conformanceErrors(config: Statement[]): string[] {
  const errors: string[] = [];
  const declared = new Map<string, Set<string>>();
  for (const s of config) {
    if (s.kind !== 'block') {
      errors.push(`top-level attribute ${s.name}`);
      continue;
    }
    const spec = ALLOY_COMPONENTS[s.name];
    if (!spec) {
      errors.push(`component ${s.name} is not in the pinned table`);
      continue;
    }
    if (s.label === undefined) {
      errors.push(`component ${s.name} has no label`);
      continue;
    }
    const labels = declared.get(s.name) ?? new Set<string>();
    if (labels.has(s.label)) errors.push(`component ${s.name} "${s.label}" declared twice`);
    labels.add(s.label);
    declared.set(s.name, labels);
    checkBody(s, spec, `${s.name} "${s.label}"`, errors);
  }
  for (const ref of config.flatMap(references)) {
    const parts = ref.ref.split('.');
    const exportName = parts.pop()!;
    const label = parts.pop()!;
    const name = parts.join('.');
    if (!declared.get(name)?.has(label)) errors.push(`reference ${ref.ref} names no declared component`);
    else if (!ALLOY_COMPONENTS[name].exports.includes(exportName)) errors.push(`reference ${ref.ref}: ${name} exports no ${exportName}`);
  }
  return errors;
}

function checkBody(b: Block, spec: AlloyBodySpec, where: string, errors: string[]): void {
  const seenAttrs = new Set<string>();
  for (const s of b.body) {
    if (s.kind === 'attr') {
      if (!spec.attributes.includes(s.name)) errors.push(`${where}: attribute ${s.name} is not in the table`);
      if (seenAttrs.has(s.name)) errors.push(`${where}: attribute ${s.name} set twice`);
      seenAttrs.add(s.name);
    } else {
      const inner = spec.blocks?.[s.name];
      if (!inner) errors.push(`${where}: block ${s.name} is not in the table`);
      else if (s.label !== undefined) errors.push(`${where}: block ${s.name} takes no label`);
      else checkBody(s, inner, `${where} > ${s.name}`, errors);
    }
  }
}

function isRef(v: Value): v is Ref {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as Ref).ref === 'string';
}

function valueRefs(v: Value): Ref[] {
  if (isRef(v)) return [v];
  if (Array.isArray(v)) return v.flatMap(valueRefs);
  if (v !== null && typeof v === 'object') return Object.values(v).flatMap(valueRefs);
  return [];
}

function references(s: Statement): Ref[] {
  return s.kind === 'attr' ? valueRefs(s.value) : s.body.flatMap(references);
}
