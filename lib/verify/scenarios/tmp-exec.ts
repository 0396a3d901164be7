/**
 * tmp-exec, in-kernel form (`inKernel: true`): `security_bprm_check(bprm)` with Prefix /tmp/, /var/tmp/ or
 * /dev/shm/ on the file being executed, resolved by the kernel. The payloads are copies of busybox.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { binprm, family, kprobe } from './private/support';

const IN_KERNEL = { inKernel: true };
const bprm = (path: string, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_bprm_check', [binprm(path)], p, { name: `exec ${path}` });
const payload = (path: string) => `mkdir -p ${path.slice(0, path.lastIndexOf('/'))} && cp /bin/busybox ${path}`;
const exec = (path: string, setup: string[] = [payload(path)]) => ({ argv: ['vt-exec', 'execve', path, 'true'], setup });

export const TMP_EXEC_SCENARIOS: Scenario[] = family('tmp-exec', {
  catch: [
    {
      id: 'dropped-in-tmp',
      summary: 'A payload dropped in /tmp and executed',
      trigger: exec('/tmp/vt-payload'),
      props: IN_KERNEL,
      events: (p) => [bprm('/tmp/vt-payload', p)],
    },
    {
      id: 'dev-shm',
      summary: 'A payload executed from /dev/shm',
      trigger: exec('/dev/shm/vt-payload'),
      props: IN_KERNEL,
      events: (p) => [bprm('/dev/shm/vt-payload', p)],
    },
    {
      id: 'var-tmp-hidden',
      summary: 'A hidden payload under /var/tmp',
      trigger: exec('/var/tmp/.cache/run'),
      props: IN_KERNEL,
      events: (p) => [bprm('/var/tmp/.cache/run', p)],
    },
    {
      id: 'through-symlink',
      summary: 'A /tmp payload started through a symlink in /usr/local/bin: the kernel resolves it into /tmp',
      trigger: exec('/usr/local/bin/update-helper', [payload('/tmp/vt-payload'), 'ln -sf /tmp/vt-payload /usr/local/bin/update-helper']),
      props: IN_KERNEL,
      events: (p) => [bprm('/tmp/vt-payload', p)],
    },
  ],
  ignore: [
    {
      id: 'system-binary',
      summary: 'A system binary (/bin/true, that is /bin/busybox)',
      trigger: { argv: ['vt-exec', 'execve', '/bin/true'] },
      props: IN_KERNEL,
      events: (p) => [bprm('/bin/busybox', p)],
    },
    {
      id: 'lookalike-directory',
      summary: 'A tool under /opt/tmp/ (not /tmp/)',
      trigger: exec('/opt/tmp/tool'),
      props: IN_KERNEL,
      events: (p) => [bprm('/opt/tmp/tool', p)],
    },
    {
      id: 'application-binary',
      summary: 'An application binary (/app/bin/server)',
      trigger: exec('/app/bin/server'),
      props: IN_KERNEL,
      events: (p) => [bprm('/app/bin/server', p)],
    },
  ],
});
