// Type-checked by `npm test`'s tsc: `toMatchEvent` must exist on the `expect` of @jest/globals, not only on the global one.
import { describe, expect, test } from '@jest/globals';
import { Chart, Testing } from 'cdk8s';
import '../../lib/testing/jest-globals';
import { SensitiveFileAccessMonitor } from '../../lib';

describe('cdk8s-tetragon/jest-globals', () => {
  test('registers toMatchEvent with the expect of @jest/globals, in both forms', () => {
    const chart = new Chart(Testing.app(), 'test');
    new SensitiveFileAccessMonitor(chart, 'Files', {});
    const cat = { hook: 'kprobe:security_file_open', args: ['/etc/shadow'], process: { binary: '/usr/bin/cat' } };
    expect(chart).toMatchEvent(cat);
    expect(chart).not.toMatchEvent({ ...cat, args: ['/etc/hostname'] });
  });
});
