import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  attributeEvents,
  estimateMissingWindows,
  parseEventTime,
  parseExport,
  policyEvent,
  triggerWindows,
} from '../../lib/verify/attribution';

// Export lines of a real run (Tetragon v1.7.0, Debian 12 6.1.0-57): triggers 1-3 and 8, with their markers.
const text = readFileSync(join(__dirname, '..', 'fixtures', 'verify', 'export-debian-12.jsonl'), 'utf8');

describe('event times', () => {
  test('nanosecond and shorter fractions become microseconds since the epoch', () => {
    expect(parseEventTime('2026-11-30T14:53:16.226631040Z')).toBe(Date.parse('2026-11-30T14:53:16Z') * 1000 + 226631);
    expect(parseEventTime('2026-11-30T14:53:29.090032Z')).toBe(Date.parse('2026-11-30T14:53:29Z') * 1000 + 90032);
    expect(parseEventTime('2026-11-30T14:53:29Z')).toBe(Date.parse('2026-11-30T14:53:29Z') * 1000);
    expect(parseEventTime('yesterday')).toBeNaN();
  });
});

describe('attribution of a real export', () => {
  const { events, skipped } = parseExport(text + '\nnot json\n');

  test('every line parses, the garbage one is counted', () => {
    expect(events).toHaveLength(49);
    expect(skipped).toBe(1);
    expect(events.filter((e) => e.kind === 'process_kprobe')).toHaveLength(4);
  });

  test('windows come from the marker execs of vt-run', () => {
    const w = triggerWindows(events);
    expect([...w.keys()].sort((a, b) => a - b)).toStrictEqual([1, 2, 3, 8]);
    expect(w.get(1)!.begin).toBe(parseEventTime('2026-11-30T14:53:16.226631040Z'));
    expect(w.get(1)!.end).toBe(parseEventTime('2026-11-30T14:53:16.434592740Z'));
  });

  test('each policy event lands in the window of the trigger that caused it', () => {
    const a = attributeEvents(events);
    expect(a.byTrigger.get(1)!.map((e) => [e.policy, e.hook, e.binary, e.arguments])).toStrictEqual([
      ['sensitive-file-access-monitor', 'security_file_open', '/bin/cat', '/etc/shadow'],
    ]);
    expect(a.byTrigger.get(2)).toBeUndefined();
    expect(a.byTrigger.get(3)!.map((e) => e.hook)).toStrictEqual(['__sys_setgid', '__sys_setuid']);
    expect(a.byTrigger.get(8)!.map((e) => [e.policy, e.hook])).toStrictEqual([['network-connection-monitor', 'tcp_connect']]);
    expect(a.outside).toStrictEqual([]);
  });

  test('an event outside every window is background, and a window without its end marker holds nothing', () => {
    const lines = text.split('\n').filter((l) => !l.includes('"arguments":"mark end 3"'));
    const a = attributeEvents(parseExport(lines.join('\n')).events);
    expect(a.windows.get(3)!.end).toBeUndefined();
    expect(a.byTrigger.get(3)).toBeUndefined();
    expect(a.outside.map((e) => e.hook)).toStrictEqual(['__sys_setgid', '__sys_setuid']);
  });

  test("a lost marker: the window is estimated from the guest's records, and never reaches into a neighbour's", () => {
    const full = triggerWindows(events);
    // The guest's uptime runs 1000 s behind the agent's clock here.
    const guest = [...full.values()].map((w) => ({ index: w.index, begin: w.begin! / 1e6 - 1000, end: w.end! / 1e6 - 1000 }));
    const lines = text.split('\n').filter((l) => !l.includes('"arguments":"mark end 3"') && !l.includes('"arguments":"mark begin 3"'));
    const a = attributeEvents(parseExport(lines.join('\n')).events, guest);
    expect(a.windows.get(3)).toMatchObject({ estimated: true });
    expect(a.windows.get(3)!.begin).toBeGreaterThanOrEqual(full.get(2)!.end!);
    expect(a.byTrigger.get(3)!.map((e) => e.hook)).toStrictEqual(['__sys_setgid', '__sys_setuid']);
    expect(a.outside).toStrictEqual([]);
    expect(estimateMissingWindows(new Map(), guest).size).toBe(0);
  });

  test('policy events carry policy, hook and process; exec events are not policy events', () => {
    const kprobe = events.find((e) => e.kind === 'process_kprobe')!;
    expect(policyEvent(kprobe)).toMatchObject({
      policy: 'sensitive-file-access-monitor',
      kind: 'process_kprobe',
      hook: 'security_file_open',
    });
    expect(policyEvent(events.find((e) => e.kind === 'process_exec')!)).toBeUndefined();
  });
});
