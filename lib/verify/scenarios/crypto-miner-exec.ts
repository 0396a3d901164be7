/**
 * crypto-miner-exec: `security_bprm_check(bprm)` with Postfix `/<miner name>` on the file being executed, as
 * the kernel resolved it (symlinks followed). The payloads are copies of busybox under a miner's name: the
 * exec is what counts.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { binprm, family, kprobe } from './private/support';

const bprm = (path: string, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_bprm_check', [binprm(path)], p, { name: `exec ${path}` });
/** Puts a copy of busybox at PATH, the stand-in payload. */
const payload = (path: string) => `mkdir -p ${path.slice(0, path.lastIndexOf('/'))} && cp /bin/busybox ${path}`;
const exec = (path: string, setup: string[] = [payload(path)]) => ({ argv: ['vt-exec', 'execve', path], setup });

export const CRYPTO_MINER_EXEC_SCENARIOS: Scenario[] = family('crypto-miner-exec', {
  catch: [
    {
      id: 'xmrig-in-tmp',
      summary: 'XMRig downloaded and started (/tmp/xmrig-6.21.0/xmrig)',
      trigger: exec('/tmp/xmrig-6.21.0/xmrig'),
      events: (p) => [bprm('/tmp/xmrig-6.21.0/xmrig', p)],
    },
    {
      id: 'cpuminer-in-image',
      summary: 'cpuminer shipped in an image (/usr/local/bin/cpuminer)',
      trigger: exec('/usr/local/bin/cpuminer'),
      events: (p) => [bprm('/usr/local/bin/cpuminer', p)],
    },
    {
      id: 'gpu-miner-on-node',
      summary: 'A GPU miner on the node itself (/root/.cache/t-rex)',
      trigger: exec('/root/.cache/t-rex'),
      events: (p) => [bprm('/root/.cache/t-rex', p)],
    },
    {
      id: 'miner-through-symlink',
      summary: 'XMRig started through a symlink of another name: the kernel resolves it to the miner',
      trigger: exec('/usr/local/bin/kworker-helper', [
        payload('/tmp/xmrig-6.21.0/xmrig'),
        'ln -sf /tmp/xmrig-6.21.0/xmrig /usr/local/bin/kworker-helper',
      ]),
      events: (p) => [bprm('/tmp/xmrig-6.21.0/xmrig', p)],
    },
  ],
  ignore: [
    {
      id: 'ordinary-program',
      summary: 'An ordinary program (/bin/true, that is busybox)',
      trigger: { argv: ['vt-exec', 'execve', '/bin/true'] },
      events: (p) => [bprm('/bin/busybox', p)],
    },
    {
      id: 'name-containing-miner',
      summary: "A program whose name contains a miner's name (/usr/local/bin/xmrig-exporter-config)",
      trigger: exec('/usr/local/bin/xmrig-exporter-config'),
      events: (p) => [bprm('/usr/local/bin/xmrig-exporter-config', p)],
    },
    {
      id: 'renamed-miner',
      summary: 'A renamed miner (/tmp/kworkerd): not caught by name; the behaviour detections cover it',
      trigger: exec('/tmp/kworkerd'),
      events: (p) => [bprm('/tmp/kworkerd', p)],
    },
    {
      id: 'miner-like-word',
      summary: 'ethtool and other tools with miner-like words are not listed',
      trigger: exec('/usr/sbin/ethtool'),
      events: (p) => [bprm('/usr/sbin/ethtool', p)],
    },
  ],
});
