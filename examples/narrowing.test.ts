// examples/narrowing.test.ts: prove in CI that a narrowed library policy still catches what it promises.
import { Chart, Testing } from 'cdk8s';
import { SensitiveFileAccessMonitor, tetragonMatchers } from '../lib';

expect.extend(tetragonMatchers);

test('our narrowing keeps catching cat /etc/shadow', () => {
  const chart = new Chart(Testing.app(), 'test');
  new SensitiveFileAccessMonitor(chart, 'Files', { trustedBinaries: ['/usr/local/bin/restic'] });

  const cat = { hook: 'kprobe:security_file_open', args: ['/etc/shadow'], process: { binary: '/usr/bin/cat', pod: { namespace: 'shop' } } };
  expect(chart).toMatchEvent(cat);
  expect(chart).not.toMatchEvent({ ...cat, process: { binary: '/usr/local/bin/restic', pod: { namespace: 'shop' } } });
});
