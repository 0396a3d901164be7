import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// test/fixtures/agent/ holds what the real agent emitted in a verifier run (refreshed by npm run agent-fixtures).
const dir = join(__dirname, '..', 'fixtures', 'agent');
const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim());
const index: Record<string, number> = JSON.parse(readFileSync(join(dir, 'events.index.json'), 'utf8'));
const kindOf = (line: string) => Object.keys(JSON.parse(line)).find((k) => k !== 'node_name' && k !== 'time')!;

describe('captured agent output', () => {
  test('every line is one export event whose kind and policy the index names', () => {
    expect(Object.keys(index)).toHaveLength(lines.length);
    for (const [key, at] of Object.entries(index)) {
      const event = JSON.parse(lines[at - 1]);
      const [kind, rest] = key.split('/');
      expect(kindOf(lines[at - 1])).toBe(kind);
      if (kind === 'process_kprobe') expect(event[kind].policy_name).toBe(rest);
      // Tetragon v1.7.0 exports process_loader without `time` (seen on the real agent); every other kind has it.
      if (kind === 'process_loader') expect(event.time).toBeUndefined();
      else expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(typeof event[kind].process.exec_id).toBe('string');
    }
  });

  test('exec and exit events of node and container processes, and kprobe events of several policies', () => {
    for (const key of ['process_exec/host', 'process_exec/container', 'process_exit/host', 'process_exit/container'])
      expect(index[key]).toBeDefined();
    expect(Object.keys(index).filter((k) => k.startsWith('process_kprobe/')).length).toBeGreaterThanOrEqual(5);
    const container = JSON.parse(lines[index['process_exec/container'] - 1]).process_exec.process;
    expect(container.ns.mnt.is_host).toBeUndefined();
    expect(container.ns.mnt.inum).toBeGreaterThan(0);
  });

  test("the metrics page is Prometheus text with the agent's own series", () => {
    const metrics = readFileSync(join(dir, 'metrics.txt'), 'utf8');
    expect(metrics).toMatch(/^# HELP /m);
    for (const series of [
      'tetragon_events_total',
      'tetragon_policy_events_total',
      'tetragon_tracingpolicy_kernel_memory_bytes',
      'tetragon_build_info',
    ]) {
      expect(metrics).toMatch(new RegExp(`^${series}\\{`, 'm'));
    }
  });
});
