import { App } from 'cdk8s';
import { TetragonCluster } from '../lib';
import { validateAgainstCrd } from '../lib/private/crd-schema';
import { loadKernel, bundledKernels } from '../lib/kernels';

function policiesOf(props: Partial<ConstructorParameters<typeof TetragonCluster>[2]> = {}) {
  const app = new App({ outdir: '/nonexistent' });
  const cluster = new TetragonCluster(app, 'c1', { clusterName: 'c1', ...props });
  return cluster.policies.toJson();
}

describe('TetragonCluster', () => {
  test('by default deploys the four default-on policies of the module and not the network one', () => {
    const names = policiesOf().map((m: any) => m.metadata.name).sort();
    expect(names).toStrictEqual(['privilege-escalation-monitor', 'process-exec-monitor', 'sensitive-file-access-monitor', 'shell-access-monitor']);
  });

  test('each toggle adds or removes its policy', () => {
    expect(policiesOf({ enableNetworkMonitor: true }).map((m: any) => m.metadata.name)).toContain('network-connection-monitor');
    const names = policiesOf({ enableProcessExecMonitor: false, enableShellAccessMonitor: false }).map((m: any) => m.metadata.name).sort();
    expect(names).toStrictEqual(['privilege-escalation-monitor', 'sensitive-file-access-monitor']);
  });

  test('per-policy options reach the policy', () => {
    const [net] = policiesOf({ enableNetworkMonitor: true, networkMonitor: { podCidrs: ['10.244.0.0/16'] } })
      .filter((m: any) => m.metadata.name === 'network-connection-monitor');
    expect(net.spec.kprobes[0].selectors[0].matchArgs[0].values).toContain('10.244.0.0/16');
  });

  test('every policy with every toggle on validates strictly against the pinned CRD', () => {
    const all = policiesOf({ enableNetworkMonitor: true });
    expect(all).toHaveLength(5);
    for (const m of all) expect(validateAgainstCrd(m)).toStrictEqual([]);
  });

  test('an invalid cluster name is refused with the fix', () => {
    expect(() => policiesOf({ clusterName: 'NL_CL01' })).toThrow('c1: clusterName: got "NL_CL01"; use a DNS label');
  });

  test('every hooked kernel function exists on every bundled kernel, or the hook skips it on purpose', () => {
    const kernels = bundledKernels().map(loadKernel);
    expect(kernels.map((k) => k.name)).toStrictEqual(['debian-11-5.10', 'debian-12-6.1', 'debian-13-6.12', 'debian-sid-7.2']);
    const missing: string[] = [];
    for (const policy of policiesOf({ enableNetworkMonitor: true })) {
      for (const hook of policy.spec.kprobes) {
        const symbol = hook.syscall ? `__x64_${hook.call}` : hook.call;
        for (const kernel of kernels) {
          if (!kernel.lookup(symbol)) missing.push(`${policy.metadata.name} ${symbol} ${kernel.name}${hook.ignore?.callNotFound ? ' (ignored)' : ''}`);
        }
      }
    }
    // security_file_truncate arrived in 6.2; the hook sets ignore.callNotFound and security_path_truncate covers older kernels.
    expect(missing).toStrictEqual([
      'sensitive-file-access-monitor security_file_truncate debian-11-5.10 (ignored)',
      'sensitive-file-access-monitor security_file_truncate debian-12-6.1 (ignored)',
    ]);
  });
});
