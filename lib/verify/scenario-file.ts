/**
 * Scenarios from a file (`--scenario-file`): a JSON array or a YAML list of scenarios in the shape of
 * {@link Scenario}, so users prove their own policies with their own triggers. Checked field by field.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { validateEvent } from '../simulate/event';
import { Scenario } from './scenario';

const PLACES = ['host', 'container', 'container-start'];

/** Checks one scenario object; throws naming the file, the scenario and the field. */
export function validateScenario(value: unknown, where: string): Scenario {
  const fail = (field: string, detail: string): never => {
    throw new Error(`${where}: ${field}: ${detail}`);
  };
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('(scenario)', 'must be an object');
  const s = value as any;
  for (const key of Object.keys(s))
    if (!['id', 'policy', 'expect', 'summary', 'trigger', 'events', 'knownLimit'].includes(key)) fail(key, 'unknown field');
  if (typeof s.id !== 'string' || !/^[a-z0-9][a-z0-9._/-]*$/.test(s.id))
    fail('id', `got ${JSON.stringify(s.id)}; use lower-case kebab-case like my-policy/what-it-does`);
  const at = `${where}: ${s.id}`;
  if (typeof s.policy !== 'string' || !s.policy) fail(`${s.id}.policy`, 'the TracingPolicy name is required');
  if (s.expect !== 'catch' && s.expect !== 'ignore') fail(`${s.id}.expect`, `got ${JSON.stringify(s.expect)}; use catch or ignore`);
  if (typeof s.summary !== 'string' || !s.summary) fail(`${s.id}.summary`, 'a one-line summary is required');
  const t = s.trigger;
  if (!t || typeof t !== 'object') fail(`${s.id}.trigger`, 'is required');
  if (!Array.isArray(t.argv) || t.argv.length === 0 || t.argv.some((a: unknown) => typeof a !== 'string'))
    fail(`${s.id}.trigger.argv`, 'must be a non-empty list of strings');
  if (t.place !== undefined && !PLACES.includes(t.place))
    fail(`${s.id}.trigger.place`, `got ${JSON.stringify(t.place)}; use ${PLACES.join(', ')}`);
  for (const k of ['uid', 'gid', 'timeoutSeconds']) {
    if (t[k] !== undefined && (!Number.isInteger(t[k]) || t[k] < 0)) fail(`${s.id}.trigger.${k}`, 'must be a non-negative integer');
  }
  if (t.binaryPath !== undefined && (typeof t.binaryPath !== 'string' || !t.binaryPath.startsWith('/')))
    fail(`${s.id}.trigger.binaryPath`, 'must be an absolute path');
  if (t.setup !== undefined && (!Array.isArray(t.setup) || t.setup.some((c: unknown) => typeof c !== 'string')))
    fail(`${s.id}.trigger.setup`, 'must be a list of shell commands');
  if (!Array.isArray(s.events)) fail(`${s.id}.events`, 'must be a list of simulator events (may be empty)');
  const events = (s.events as unknown[]).map((e, i) => validateEvent(e, `${at}.events[${i}]`));
  if (s.knownLimit !== undefined) {
    const k = s.knownLimit;
    if (!k || (k.side !== 'agent' && k.side !== 'simulator') || typeof k.reason !== 'string' || !k.reason)
      fail(`${s.id}.knownLimit`, 'needs side (agent or simulator) and a reason');
  }
  return { ...s, events };
}

/** Reads and checks a scenario file. */
export function readScenarioFile(path: string): Scenario[] {
  const text = readFileSync(path, 'utf8');
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(text) : parse(text);
  } catch (e) {
    throw new Error(`${path}: does not parse: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(doc)) throw new Error(`${path}: must hold a list of scenarios`);
  const scenarios = doc.map((s, i) => validateScenario(s, `${path}[${i}]`));
  const seen = new Set<string>();
  for (const s of scenarios) {
    if (seen.has(s.id)) throw new Error(`${path}: scenario id ${s.id} appears twice`);
    seen.add(s.id);
  }
  return scenarios;
}

/** Whether a scenario id matches a `--scenarios` pattern: an exact id, a prefix ending in `/`, or a glob with `*`. */
export function scenarioMatches(id: string, pattern: string): boolean {
  if (pattern.includes('*'))
    return new RegExp(
      '^' +
        pattern
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*') +
        '$',
    ).test(id);
  return id === pattern || (pattern.endsWith('/') && id.startsWith(pattern)) || id.startsWith(pattern + '/');
}
